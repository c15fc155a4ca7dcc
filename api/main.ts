/** The API process: USSD/SMS webhooks and the REST API on PORT (default 8082). */
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/log';
import { createRuntime } from '../lib/runtime';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'api');
  const runtime = await createRuntime(config);
  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({ ...runtime, temporal, log });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, (info) => {
    log.info({ port: info.port }, 'API listening');
  });
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
