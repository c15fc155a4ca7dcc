/**
 * `npm run bench:ussd`: USSD sessions end to end on a throwaway real stack (Temporal dev server, Postgres,
 * Hardhat node), through HTTP as a gateway drives them: a worker, the API served on a free port, and
 * sessions each walking the buy flow (dial "", "1", the amount "1290", the PIN -> END "Request received"),
 * every hop timed. Then, on the same server, the ceiling ("bare"): a workflow that only answers
 * update-with-start hops with a fixed screen (bench/ussd-bare-workflow.ts), driven through the Temporal
 * client with the same sessions, hops and concurrency. Printed as JSON with the ratios, also written to
 * data/bench/ussd.json (DATA_DIR respected). Knobs:
 *   BENCH_SESSIONS (default 150): sessions in all, 4 hops each;
 *   BENCH_CONCURRENCY (default 50): sessions in flight at once (a session's own hops go one after another,
 *     as a phone's do); so the defaults are three rounds of 50, and BENCH_SESSIONS=50 is one round;
 *   BENCH_WARMUP (default 5): untimed sessions before each phase (worker caches, pools, connections);
 *   BENCH_API_POOL_MAX (default 10, what createRuntime gives the API): a diagnostic, the API's Postgres pool
 *     size; a run with another size writes data/bench/ussd-apipool<N>.json instead;
 *   BENCH_FLOW (default buy): "menus" is a diagnostic that walks the first three hops only (no PIN, no
 *     conversion), bare and product alike, and writes data/bench/ussd-menus.json.
 * hopsPerSecond counts hops answered as expected over the phase's wall time; the percentiles are over
 * every hop sent. errors: a hop answered non-200, not at all, or with an unexpected screen (the rest of
 * that session is then not sent). byHop: latencies by position in the flow; for the product each hop is
 * also split into the update round trip (executeUpdateWithStart, timed around the API's own client) and
 * what the API does outside it (the ussd_sessions read, the PIN check, the expectation write, HTTP).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { serve } from '@hono/node-server';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startEphemeralStack } from '../scripts/local/ephemeral-stack';
import { freePort } from '../scripts/local/processes';
import { loadConfig } from '../lib/config';
import { createRuntime } from '../lib/runtime';
import { createLogger } from '../lib/log';
import { SimulatedOperator } from '../lib/telco/simulated';
import { createUssdRepo } from '../lib/db/ussd';
import { createPool } from '../lib/db/pool';
import { hashPin, verifyPin } from '../lib/pins';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { createBridgeWorker } from '../workers/worker';
import { conversionWorkflowId } from '../lib/definitions';
import { percentile } from './ceiling';
import { BARE_HOPS, bareHopUpdate, type ussdBareWorkflow } from './ussd-bare-workflow';

const sessions = Number(process.env.BENCH_SESSIONS ?? 150);
const concurrency = Math.min(sessions, Number(process.env.BENCH_CONCURRENCY ?? 50));
const warmup = Number(process.env.BENCH_WARMUP ?? 5);
const apiPoolMax = process.env.BENCH_API_POOL_MAX ? Number(process.env.BENCH_API_POOL_MAX) : undefined;
if (!(sessions > 0 && concurrency > 0 && warmup >= 0 && (apiPoolMax ?? 1) > 0)) {
  throw new Error(
    'BENCH_SESSIONS, BENCH_CONCURRENCY and BENCH_API_POOL_MAX must be positive, BENCH_WARMUP not negative',
  );
}

const flow = process.env.BENCH_FLOW ?? 'buy';
if (flow !== 'buy' && flow !== 'menus') throw new Error('BENCH_FLOW is buy or menus');

const PIN = '7391';
/**
 * The buy flow, hop by hop: what is typed and the screen that must come back. BENCH_FLOW=menus (a
 * diagnostic) stops at the confirm screen: the same session engine, without the PIN check and the
 * conversion the PIN hop starts, to see how much of the gap to the bare loop is the money moving.
 */
const FLOW = [
  { hop: 'dial', input: null, expect: /^CON [\s\S]*Buy/ },
  { hop: 'menu', input: '1', expect: /^CON [\s\S]*KES/ },
  { hop: 'amount', input: '1290', expect: /^CON [\s\S]*KES 1,290\.00[\s\S]*PIN/ },
  { hop: 'pin', input: PIN, expect: /^END Request received/ },
].slice(0, flow === 'buy' ? 4 : 3);
const HOP_DEADLINE_MS = 8000; // as the API's own

const round1 = (ms: number) => Math.round(ms * 10) / 10;

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0;
  return {
    p50Ms: round1(percentile(sorted, 50)),
    p95Ms: round1(percentile(sorted, 95)),
    p99Ms: round1(percentile(sorted, 99)),
    meanMs: round1(mean),
    maxMs: round1(sorted.at(-1) ?? 0),
  };
}

interface HopRecord {
  position: number;
  ms: number;
  ok: boolean;
  /** the product only: the update round trip inside this hop */
  updateMs?: number;
}

/** One phase's hops and errors; `walk` sends one session's hops and reports each. */
class Phase {
  readonly hops: HopRecord[] = [];
  readonly errorSamples: string[] = [];
  totalMs = 0;

  record(hop: HopRecord, screen: string): void {
    this.hops.push(hop);
    if (!hop.ok && this.errorSamples.length < 5) {
      this.errorSamples.push(`${FLOW[hop.position]!.hop}: ${screen.slice(0, 160)}`);
    }
  }

  /** `count` sessions, `concurrency` at once; each caller takes the next session when its own ends. */
  async run(count: number, walk: (i: number) => Promise<void>): Promise<void> {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count) await walk(next++);
      }),
    );
    this.totalMs = performance.now() - started;
  }

  summary() {
    const ok = this.hops.filter((h) => h.ok).length;
    return {
      hops: this.hops.length,
      totalMs: Math.round(this.totalMs),
      hopsPerSecond: Math.round((ok * 100_000) / this.totalMs) / 100,
      ...stats(this.hops.map((h) => h.ms)),
      errors: this.hops.length - ok,
    };
  }

  byHop(withUpdate: boolean) {
    return Object.fromEntries(
      FLOW.map(({ hop }, position) => {
        const here = this.hops.filter((h) => h.position === position);
        const { maxMs: _max, ...http } = stats(here.map((h) => h.ms));
        const errors = here.filter((h) => !h.ok).length;
        if (!withUpdate) return [hop, { count: here.length, errors, ...http }];
        const timed = here.filter((h) => h.updateMs !== undefined);
        const { maxMs: _umax, ...update } = stats(timed.map((h) => h.updateMs!));
        const { maxMs: _omax, ...outside } = stats(timed.map((h) => h.ms - h.updateMs!));
        return [hop, { count: here.length, errors, ...http, update, apiOutsideUpdate: outside }];
      }),
    );
  }
}

/** Event-loop delay of this one process (client, API and worker share it) while a phase runs. */
function loopDelay() {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return () => {
    h.disable();
    return { p50Ms: round1(h.percentile(50) / 1e6), p99Ms: round1(h.percentile(99) / 1e6), maxMs: round1(h.max / 1e6) };
  };
}

/** How many queries wait for a Postgres connection, sampled every 20 ms. */
function poolWaits(pools: Record<string, Pool>) {
  const seen = Object.fromEntries(Object.keys(pools).map((k) => [k, { samples: 0, sum: 0, max: 0 }]));
  const timer = setInterval(() => {
    for (const [name, pool] of Object.entries(pools)) {
      const s = seen[name]!;
      s.samples += 1;
      s.sum += pool.waitingCount;
      s.max = Math.max(s.max, pool.waitingCount);
    }
  }, 20);
  return () => {
    clearInterval(timer);
    return Object.fromEntries(
      Object.entries(seen).map(([k, s]) => [
        k,
        { waitingMean: round1(s.samples ? s.sum / s.samples : 0), waitingMax: s.max },
      ]),
    );
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const stack = await startEphemeralStack({ name: 'bench_ussd' });
  const taskQueue = `bench-ussd-${randomUUID()}`;
  const base = loadConfig({
    APP_ENV: 'local',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    CHAIN_RPC_URL: stack.rpcUrl,
    TXTC_ADDRESS: stack.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stack.deployment.ratePair,
    DAILY_LIMIT_USD: '1000000',
  });
  const config = { ...base, temporal: { ...base.temporal, taskQueue } };
  // The worker and the API are separate processes in production, each with its own pool: so here too.
  const workerRuntime = await createRuntime(config);
  const apiRuntime = await createRuntime(config);
  const apiPool = apiPoolMax === undefined ? apiRuntime.pool : createPool(config.databaseUrl, apiPoolMax);
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });

  // The API's client, its update round trips timed by update id ("<sessionId>:<seq>").
  const apiClient = new Client({ connection });
  const updateMs = new Map<string, number>();
  const original = apiClient.workflow.executeUpdateWithStart.bind(apiClient.workflow);
  apiClient.workflow.executeUpdateWithStart = (async (...args: Parameters<typeof original>) => {
    const t0 = performance.now();
    try {
      return await original(...args);
    } finally {
      if (args[1].updateId) updateMs.set(args[1].updateId, performance.now() - t0);
    }
  }) as typeof original;

  const worker = await createBridgeWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ ...workerRuntime, log: createLogger('silent') }),
  });
  const app = createApp({ ...apiRuntime, pool: apiPool, temporal: apiClient, log: createLogger('silent') });
  const port = await freePort();
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}/ussd`;

  // Registered numbers with airtime, as test/ussd's registered() makes them (one hash, one scrypt each).
  const sim = new SimulatedOperator(workerRuntime.pool);
  const repo = createUssdRepo(workerRuntime.pool);
  const pinHash = await hashPin(PIN);
  const numbers = new Set<string>();
  while (numbers.size < sessions + warmup) {
    numbers.add(`+2547${randomInt(10, 30)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`);
  }
  const phones = [...numbers];
  for (const phone of phones) {
    await sim.topUp(phone, 'safaricom-ke', 10_000_000n, `bench-topup:${phone}`);
    await repo.setPin(phone, pinHash);
    await repo.completeRegistration(phone, 'en');
  }
  // What one PIN check costs on an idle process (scrypt N=16384), for reading the PIN hop.
  const verifies: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await verifyPin(PIN, pinHash);
    verifies.push(performance.now() - t0);
  }

  /** One session through HTTP, as the gateway posts it: the cumulative text, one hop after another. */
  async function walkProduct(phase: Phase, phone: string, sessionId: string): Promise<boolean> {
    const inputs: string[] = [];
    for (const [position, step] of FLOW.entries()) {
      if (step.input !== null) inputs.push(step.input);
      const t0 = performance.now();
      let status = 0;
      let screen = '';
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-webhook-secret': config.webhooks.ussdSecret,
          },
          body: new URLSearchParams({
            sessionId,
            serviceCode: config.ussd.shortcode,
            phoneNumber: phone,
            networkCode: '63902',
            text: inputs.join('*'),
          }),
        });
        status = res.status;
        screen = await res.text();
      } catch (e) {
        screen = e instanceof Error ? e.message : String(e);
      }
      const ms = performance.now() - t0;
      const ok = status === 200 && step.expect.test(screen);
      const update = updateMs.get(`${sessionId}:${position}`);
      phase.record({ position, ms, ok, ...(update !== undefined ? { updateMs: update } : {}) }, `${status} ${screen}`);
      if (!ok) return false;
    }
    return true;
  }

  /** Waits for the conversions these sessions' PIN hops started; returns how many completed. */
  async function settle(sessionIds: string[]): Promise<number> {
    const outcomes = await Promise.allSettled(
      sessionIds.map((id) => client.workflow.getHandle(conversionWorkflowId('ussd', id)).result()),
    );
    return outcomes.filter((o) => o.status === 'fulfilled' && (o.value as { status?: string }).status === 'completed')
      .length;
  }

  const product = new Phase();
  const confirmed: string[] = [];
  let drain = { completed: 0, failed: 0, drainMs: 0 };
  let productLoop: ReturnType<ReturnType<typeof loopDelay>> | undefined;
  let pools: ReturnType<ReturnType<typeof poolWaits>> | undefined;
  await worker.runUntil(async () => {
    const warm = new Phase();
    const warmIds: string[] = [];
    await warm.run(warmup, async (i) => {
      const sessionId = `ATUid_warm_${randomUUID()}`;
      if ((await walkProduct(warm, phones[sessions + i]!, sessionId)) && flow === 'buy') warmIds.push(sessionId);
    });
    await settle(warmIds);
    updateMs.clear();
    const stopLoop = loopDelay();
    const stopPools = poolWaits({ api: apiPool, worker: workerRuntime.pool });
    await product.run(sessions, async (i) => {
      const sessionId = `ATUid_${randomUUID()}`;
      if ((await walkProduct(product, phones[i]!, sessionId)) && flow === 'buy') confirmed.push(sessionId);
    });
    productLoop = stopLoop();
    pools = stopPools();
    // The conversions the PIN hops started finish before the bare phase, so it runs on a quiet server.
    const t0 = performance.now();
    const completed = await settle(confirmed);
    drain = { completed, failed: confirmed.length - completed, drainMs: Math.round(performance.now() - t0) };
  });
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });

  // The ceiling: the same sessions, hops and concurrency against a workflow that only answers hops.
  const bareQueue = `bench-ussd-bare-${randomUUID()}`;
  const bareWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: bareQueue,
    workflowsPath: require.resolve('./ussd-bare-workflow'),
  });
  async function walkBare(phase: Phase, sessionId: string): Promise<void> {
    for (let seq = 0; seq < FLOW.length; seq++) {
      const t0 = performance.now();
      let screen = '';
      try {
        screen = await connection.withDeadline(Date.now() + HOP_DEADLINE_MS, () =>
          client.workflow.executeUpdateWithStart(bareHopUpdate, {
            args: [{ seq, input: FLOW[seq]!.input ?? '' }],
            updateId: `${sessionId}:${seq}`,
            startWorkflowOperation: new WithStartWorkflowOperation<typeof ussdBareWorkflow>('ussdBareWorkflow', {
              workflowId: `ussd-bare:${sessionId}`,
              taskQueue: bareQueue,
              workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
              workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            }),
          }),
        );
      } catch (e) {
        screen = e instanceof Error ? e.message : String(e);
      }
      const ms = performance.now() - t0;
      const ok = screen.startsWith(seq === BARE_HOPS - 1 ? 'END ' : 'CON ');
      phase.record({ position: seq, ms, ok }, screen);
      if (!ok) return;
    }
  }
  const bare = new Phase();
  let bareLoop: ReturnType<ReturnType<typeof loopDelay>> | undefined;
  await bareWorker.runUntil(async () => {
    const warm = new Phase();
    await warm.run(warmup, () => walkBare(warm, `warm_${randomUUID()}`));
    const stopLoop = loopDelay();
    await bare.run(sessions, () => walkBare(bare, randomUUID()));
    bareLoop = stopLoop();
  });

  const p = product.summary();
  const b = bare.summary();
  const result = JSON.stringify(
    {
      benchmark: 'ussd',
      flow,
      sessions,
      concurrency,
      hops: p.hops,
      totalMs: p.totalMs,
      hopsPerSecond: p.hopsPerSecond,
      p50Ms: p.p50Ms,
      p95Ms: p.p95Ms,
      p99Ms: p.p99Ms,
      maxMs: p.maxMs,
      errors: p.errors,
      ...(product.errorSamples.length ? { errorSamples: product.errorSamples } : {}),
      byHop: product.byHop(true),
      bare: {
        hops: b.hops,
        totalMs: b.totalMs,
        hopsPerSecond: b.hopsPerSecond,
        p50Ms: b.p50Ms,
        p95Ms: b.p95Ms,
        p99Ms: b.p99Ms,
        maxMs: b.maxMs,
        errors: b.errors,
        ...(bare.errorSamples.length ? { errorSamples: bare.errorSamples } : {}),
        byHop: bare.byHop(false),
      },
      ratio: {
        hopsPerSecond: Math.round((p.hopsPerSecond / b.hopsPerSecond) * 1000) / 1000,
        p99: Math.round((p.p99Ms / b.p99Ms) * 1000) / 1000,
      },
      conversions: { started: confirmed.length, ...drain },
      diagnostics: {
        warmupSessionsPerPhase: warmup,
        apiPoolMax: apiPoolMax ?? 10,
        scryptVerifyIdleMs: stats(verifies).p50Ms,
        eventLoopDelay: { product: productLoop, bare: bareLoop },
        pgPoolWaiting: pools,
      },
    },
    null,
    2,
  );
  // The dev server shares stdout; the file holds the JSON alone.
  const dir = join(process.env.DATA_DIR ?? 'data', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `ussd${flow === 'buy' ? '' : `-${flow}`}${apiPoolMax === undefined ? '' : `-apipool${apiPoolMax}`}.json`),
    `${result}\n`,
  );
  process.stdout.write(`${result}\n`);

  await connection.close();
  await nativeConnection.close();
  if (apiPool !== apiRuntime.pool) await apiPool.end();
  await apiRuntime.close();
  await workerRuntime.close();
  await stack.stop();
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
