/**
 * `npm run bench:console`: how fast the ops console (GET /ops) renders with many transfers in flight. On a
 * throwaway stack (Temporal dev server, Postgres, anvil as `npm start` runs them) the page is fetched, signed
 * in, with the records empty (the baseline of the same run), then after BENCH_IN_FLIGHT (default 10,000)
 * transfers in flight are written straight into the records (pending at every stage, some held, some refunds
 * failed), plus as many completed ones over the last day. JSON on stdout and in data/bench/console.json: p50,
 * p95 and max per state, the page's size, and the ratio to the empty baseline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { startEphemeralStack } from '../scripts/local/ephemeral-stack';
import { freePort } from '../scripts/local/processes';
import { loadConfig } from '../lib/config';
import { createRuntime } from '../lib/runtime';
import { createLogger } from '../lib/log';
import { createApiKeyRepo } from '../lib/db/api-keys';
import { createApp } from '../api/app';
import { percentile } from './ceiling';

const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 40);
const STAGES = ['recorded', 'debited', 'converted', 'held', 'awaiting_payer', 'refund_failed'];

async function main() {
  const stack = await startEphemeralStack({ name: 'bench_console', anvil: true });
  const config = loadConfig({
    APP_ENV: 'local',
    LOG_LEVEL: 'silent',
    DATA_DIR: '/nonexistent-bench-data',
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    CHAIN_RPC_URL: stack.rpcUrl,
    TXTC_ADDRESS: stack.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stack.deployment.ratePair,
    RATE_LIMIT_PER_IP: '0',
  });
  const runtime = await createRuntime(config);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const app = createApp({ ...runtime, temporal: new Client({ connection }), log: createLogger('silent') });
  const port = await freePort();
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  try {
    const { key } = await createApiKeyRepo(runtime.pool).create({ name: 'bench-ops', scopes: 'ops' });
    const signIn = await fetch(`${base}/ops/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ key }),
      redirect: 'manual',
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (signIn.status !== 303 || !cookie) throw new Error(`sign-in failed: ${signIn.status}`);

    async function measure() {
      const ms: number[] = [];
      let bytes = 0;
      for (let i = 0; i < rounds + 3; i++) {
        const t0 = performance.now();
        const res = await fetch(`${base}/ops`, { headers: { cookie } });
        const body = await res.text();
        if (res.status !== 200 || !body.includes('Money in flight')) throw new Error(`GET /ops: ${res.status}`);
        if (i >= 3) ms.push(performance.now() - t0); // the first three warm the pools and the JIT
        bytes = body.length;
      }
      ms.sort((a, b) => a - b);
      const r = (x: number) => Math.round(x * 10) / 10;
      return { p50Ms: r(percentile(ms, 50)), p95Ms: r(percentile(ms, 95)), maxMs: r(ms.at(-1)!), pageBytes: bytes };
    }

    const empty = await measure();
    // Transfers in flight at every stage (oldest up to a day), and as many completed over the last day.
    await runtime.pool.query(
      `INSERT INTO p2p_transfers (id, channel, from_phone, to_phone, transfer_type, currency, amount_minor, status,
                                  stage, usd_micros, created_at)
       SELECT 'transfer:bench:' || g, 'api', '+2547' || lpad((g % 100000000)::text, 8, '0'), '+254711000000',
              'airtime', 'KES', 12900, CASE WHEN g <= $1 THEN 'pending' ELSE 'completed' END::transfer_status,
              CASE WHEN g <= $1 THEN ($3::text[])[1 + g % $4] ELSE 'completed' END, 1000000,
              now() - make_interval(secs => $5 * random())
         FROM generate_series(1, $2) AS g`,
      [inFlight, inFlight * 2, STAGES, STAGES.length, 86_000],
    );
    await runtime.pool.query(
      `INSERT INTO fraud_holds (workflow_id, kind, phone_number, usd_micros, rules, reason, expires_at)
       SELECT id, 'airtime', from_phone, usd_micros, 'large-amount', 'bench', now() + interval '1 day'
         FROM p2p_transfers WHERE id LIKE 'transfer:bench:%' AND stage = 'held'`,
    );
    await runtime.pool.query('ANALYZE');
    const loaded = await measure();
    const result = {
      benchmark: 'console',
      inFlight,
      completedLastDay: inFlight,
      held: Math.floor(inFlight / STAGES.length),
      rounds,
      empty,
      loaded,
      ratio: {
        p50: Math.round((loaded.p50Ms / empty.p50Ms) * 100) / 100,
        p95: Math.round((loaded.p95Ms / empty.p95Ms) * 100) / 100,
      },
    };
    const json = JSON.stringify(result, null, 2);
    process.stdout.write(`${json}\n`);
    mkdirSync(join('data', 'bench'), { recursive: true });
    writeFileSync(join('data', 'bench', 'console.json'), json);
  } finally {
    server.close();
    await connection.close();
    await runtime.close();
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:console failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
