/**
 * The chaos run: the product as separate processes (a throwaway Temporal — the dev server, or the full
 * server on Postgres databases of its own —, Hardhat node and Postgres database; the API; two or more workers
 * on one task queue) under a mixed load — conversions, airtime,
 * TXTC and hybrid transfers through REST, USSD buy sessions and SMS commands, many delivered two or three
 * times (at once and late) — while workers and the API are SIGKILLed and restarted, the chain is paused
 * (SIGSTOP/SIGCONT), the app's database connections are terminated, Postgres restarts, minting is refused
 * for a window (the minter role revoked: debits must be refunded) and the simulated operator fails before
 * and times out after committing; on the server on Postgres, Temporal itself is SIGKILLed and restarted. Then it waits for every workflow to end, reconciles the window and
 * returns the counts. `npm run chaos` prints them; a short run is part of the test suite.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEphemeralStack } from '../local/ephemeral-stack';
import { freePort, waitFor } from '../local/processes';
import { createPool } from '../../lib/db/pool';
import { reconcileLedger } from './ledger-check';
import { Proc, productEnv } from './processes';
import { refusals, seedPeople, sendLoad, ussdAbandons, type Kind } from './load';
import { chaosAdmin, startFaults, type FaultPlan } from './faults';
import { latencies, recordCounts, slowestWaits, waitForWorkflows, type ChaosReport } from './report';
import { TemporalSupervisor } from './temporal';

export type { ChaosReport } from './report';

/** The load, and how many of each fault (FaultPlan: worker and API kills, chain pauses, ...) it meets. */
export interface ChaosOptions extends FaultPlan {
  /** unique requests (each may be delivered more than once) */
  requests: number;
  /** unique requests started per second */
  rate: number;
  /** the kinds of request sent (default: all, at their weights) */
  mix?: readonly Kind[];
  /** the numbers the load comes from: with 40 at 3 requests a second, each number pays every ~13 s */
  people: number;
  simErrorRate: number;
  simTimeoutAfterCommitRate: number;
  /** the dev server (SQLite, one process) or the full server on Postgres, which alone can take temporalKills */
  temporal: 'dev' | 'postgres';
  /** worker processes on the one task queue */
  workers: number;
  /** how long to wait for every workflow to end after the load */
  settleTimeoutMs: number;
  log: (line: string) => void;
}

export const DEFAULT_CHAOS: ChaosOptions = {
  requests: 1000,
  rate: 6,
  people: 40,
  workerKills: 10,
  apiKills: 2,
  chainPauses: 2,
  dbCuts: 3,
  pgRestarts: 1,
  mintOutages: 1,
  temporalKills: 0,
  temporal: 'dev',
  workers: 2,
  simErrorRate: 0.05,
  simTimeoutAfterCommitRate: 0.05,
  settleTimeoutMs: 900_000,
  log: () => undefined,
};

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULT_CHAOS, ...partial };
  if (o.temporalKills > 0 && o.temporal !== 'postgres')
    throw new Error('Temporal kills need the Temporal server on Postgres (temporal: postgres)');
  if (!(Number.isInteger(o.workers) && o.workers >= 1)) throw new Error('workers: at least one');
  const started = Date.now();
  const logDir = mkdtempSync(join(tmpdir(), 'txtc-chaos-'));
  o.log(`stack starting; process logs in ${logDir}`);
  const stack = await startEphemeralStack({ name: 'chaos', temporal: o.temporal, log: o.log });
  const supervisor = stack.temporalServer ? new TemporalSupervisor(stack.temporalServer, o.log) : undefined;
  const pool = createPool(stack.databaseUrl, 4);
  // The app's connections are cut by pg_terminate_backend; this pool is the harness's own and survives them.
  pool.on('error', () => undefined);
  const procs: Proc[] = [];
  const chain = { paused: false };
  try {
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const env = productEnv(stack, apiPort, logDir);
    const workerEnv = {
      ...env,
      SIM_TELCO_ERROR_RATE: String(o.simErrorRate),
      SIM_TELCO_TIMEOUT_AFTER_COMMIT_RATE: String(o.simTimeoutAfterCommitRate),
    };
    const apiProc = new Proc('api', ['api/main.ts'], env, logDir);
    const workers = Array.from(
      { length: o.workers },
      (_, n) => new Proc(`worker-${n + 1}`, ['workers/main.ts'], workerEnv, logDir),
    );
    procs.push(apiProc, ...workers);

    // People: Safaricom and Airtel Kenya numbers with airtime, TXTC and a USSD registration with a PIN.
    const people = await seedPeople(stack, pool, o.people);
    const windowStart = new Date(Date.now() - 5 * 60_000); // everything of this throwaway stack, seeding included
    const admin = await chaosAdmin(stack);
    for (const w of workers) w.start();
    apiProc.start();
    await waitFor('chaos API', async () => (await fetch(`${api}/health`)).status === 200, 120_000);
    o.log(`stack up: Temporal (${o.temporal}), API, ${o.workers} workers; load starting`);
    supervisor?.watch();

    const temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      namespace: 'default',
    });

    // ---- faults, spread over the load's expected duration
    const { faults, runs: faultRuns } = startFaults(o, {
      stack,
      pool,
      workers,
      api: apiProc,
      admin,
      chain,
      temporal: supervisor,
    });

    // ---- load
    const counts = await sendLoad(o, api, people);
    await Promise.all(faultRuns);
    o.log(`load sent: ${counts.deliveries} deliveries of ${o.requests} requests`);

    // ---- every workflow to its end (workers alive, chain running)
    if (chain.paused) stack.chain.child.kill('SIGCONT');
    for (const w of workers) if (!w.alive()) w.start();
    await supervisor?.ensureUp();
    const running = await waitForWorkflows(temporal, o.settleTimeoutMs);
    o.log(`workflows still running: ${running}`);

    const records = await recordCounts(pool);
    const reconciliation = await reconcileLedger(
      pool,
      stack,
      { since: windowStart, until: new Date(Date.now() + 5 * 60_000) },
      people.map((p) => `chaos-fund:${p.phone}`),
    );
    const endToEnd = await latencies(pool);
    const completedEndToEnd = await latencies(pool, true);
    const waits = await slowestWaits(temporal, pool);
    const unfinished = running === Infinity ? -1 : running + records.pending;
    await temporal.connection.close();
    return {
      requests: {
        unique: o.requests,
        deliveries: counts.deliveries,
        duplicates: counts.deliveries - o.requests,
        byKind: counts.byKind,
      },
      accepted: counts.accepted,
      refusedAtTheDoor: counts.refused,
      refusals,
      abandonedUssdSessions: counts.abandoned,
      ussdAbandons,
      failures: records.failures,
      records: { conversions: records.conversions, transfers: records.transfers },
      completed: records.completed,
      failed: records.failed,
      refunded: records.refunded,
      owed: records.owed,
      unfinished,
      stuck: unfinished,
      crashes: {
        ...Object.fromEntries(procs.map((p) => [p.name, p.crashes])),
        ...(supervisor ? { temporal: supervisor.crashes } : {}),
      },
      crashTails: [...procs.flatMap((p) => p.crashTails), ...(supervisor?.crashTails ?? [])],
      faults: { ...faults, simErrorRate: o.simErrorRate, simTimeoutAfterCommitRate: o.simTimeoutAfterCommitRate },
      temporal: o.temporal,
      workers: o.workers,
      temporalKills: faults.temporalKills,
      endToEnd,
      p95EndToEndMs: completedEndToEnd.p95Ms,
      waits,
      mismatches: reconciliation.mismatches.length,
      reconciliation,
      durationSeconds: Math.round((Date.now() - started) / 1000),
      logDir,
    };
  } finally {
    supervisor?.unwatch();
    if (chain.paused) stack.chain.child.kill('SIGCONT');
    await Promise.all(procs.map((p) => p.kill('SIGTERM', true)));
    await pool.end().catch(() => undefined);
    await stack.stop().catch(() => undefined);
  }
}
