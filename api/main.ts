/** The API process: USSD/SMS webhooks and the REST API on PORT (default 8082). */
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/log';
import { createReadRuntime } from '../lib/runtime';
import { untilReady } from '../lib/startup';
import { ping } from '../lib/db/pool';
import { createApp } from './app';
import { temporalConnectionOptions } from '../lib/temporal-connection';

async function main(): Promise<void> {
  // The API only reads: it never loads the signer key or the wallet mnemonic (only the worker signs).
  const config = loadConfigOrExit(process.env, { role: 'api' });
  const log = createLogger(config.logLevel, 'api');
  if (config.appEnv === 'production' && config.webhooks.ipAllowlist.length === 0)
    log.warn(
      'WEBHOOK_IP_ALLOWLIST=any: the USSD and SMS webhooks accept calls from any address (their secret still applies)',
    );
  // Listening at once: until Postgres, the chain and Temporal answer, every request gets a 503 ("try again"),
  // never a refused connection; a dependency away at start is waited for, not a reason to exit.
  const ready: { fetch?: (request: Request) => Response | Promise<Response> } = {};
  const starting = () =>
    Response.json(
      { error: { code: 'Unavailable', message: 'the service is starting; try again shortly' } },
      { status: 503, headers: { 'retry-after': '2' } },
    );
  const server = serve(
    { fetch: (request) => (ready.fetch ? ready.fetch(request) : starting()), port: config.port, hostname: config.host },
    (info) => log.info({ port: info.port }, 'API listening'),
  );
  const runtime = await createReadRuntime(config, log);
  await untilReady('Postgres', () => ping(runtime.pool), log);
  const connection = await untilReady(
    'Temporal',
    () => Connection.connect(temporalConnectionOptions(config.temporal)),
    log,
  );
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({ ...runtime, temporal, log });
  ready.fetch = app.fetch;
  log.info('API ready');
  const stop = () => {
    server.close(() => {
      void connection
        .close()
        .then(() => runtime.close())
        .then(() => process.exit(0));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`api failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
