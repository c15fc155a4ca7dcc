/**
 * The chaos run: the product as separate processes (a throwaway Temporal dev server, Hardhat node and
 * Postgres database; the API; two workers on one task queue) under a mixed load — conversions, airtime,
 * TXTC and hybrid transfers through REST, USSD buy sessions and SMS commands, many delivered two or three
 * times (at once and late) — while workers and the API are SIGKILLed and restarted, the chain is paused
 * (SIGSTOP/SIGCONT), the app's database connections are terminated, Postgres restarts, minting is refused
 * for a window (the minter role revoked: debits must be refunded) and the simulated operator fails before
 * and times out after committing. Then it waits for every workflow to end, reconciles the window and
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
import { refusals, seedPeople, sendLoad, ussdAbandons } from './load';
import { chaosAdmin, startFaults, type FaultPlan } from './faults';
import { latencies, recordCounts, waitForWorkflows, type ChaosReport } from './report';

export type { ChaosReport } from './report';

/** The load, and how many of each fault (FaultPlan: worker and API kills, chain pauses, ...) it meets. */
export interface ChaosOptions extends FaultPlan {
  /** unique requests (each may be delivered more than once) */
  requests: number;
  /** unique requests started per second */
  rate: number;
  simErrorRate: number;
  simTimeoutAfterCommitRate: number;
  /** how long to wait for every workflow to end after the load */
  settleTimeoutMs: number;
  log: (line: string) => void;
}

export const DEFAULT_CHAOS: ChaosOptions = {
  requests: 1000,
  rate: 6,
  workerKills: 10,
  apiKills: 2,
  chainPauses: 2,
  dbCuts: 3,
  pgRestarts: 1,
  mintOutages: 1,
  simErrorRate: 0.05,
  simTimeoutAfterCommitRate: 0.05,
  settleTimeoutMs: 900_000,
  log: () => undefined,
};

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULT_CHAOS, ...partial };
  const started = Date.now();
  const logDir = mkdtempSync(join(tmpdir(), 'txtc-chaos-'));
  o.log(`stack starting; process logs in ${logDir}`);
  const stack = await startEphemeralStack({ name: 'chaos' });
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
    const workers = [1, 2].map((n) => new Proc(`worker-${n}`, ['workers/main.ts'], workerEnv, logDir));
    procs.push(apiProc, ...workers);

    // People: Safaricom and Airtel Kenya numbers with airtime, TXTC and a USSD registration with a PIN.
    const people = await seedPeople(stack, pool, 40);
    const windowStart = new Date(Date.now() - 5 * 60_000); // everything of this throwaway stack, seeding included
    const admin = await chaosAdmin(stack);
    for (const w of workers) w.start();
    apiProc.start();
    await waitFor('chaos API', async () => (await fetch(`${api}/health`)).status === 200, 120_000);
    o.log('stack up: API, two workers; load starting');

    const temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      namespace: 'default',
    });

    // ---- faults, spread over the load's expected duration
    const { faults, runs: faultRuns } = startFaults(o, { stack, pool, workers, api: apiProc, admin, chain });

    // ---- load
    const counts = await sendLoad(o, api, people);
    await Promise.all(faultRuns);
    o.log(`load sent: ${counts.deliveries} deliveries of ${o.requests} requests`);

    // ---- every workflow to its end (workers alive, chain running)
    if (chain.paused) stack.chain.child.kill('SIGCONT');
    for (const w of workers) if (!w.alive()) w.start();
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
      unfinished: running === Infinity ? -1 : running + records.pending,
      crashes: Object.fromEntries(procs.map((p) => [p.name, p.crashes])),
      crashTails: procs.flatMap((p) => p.crashTails),
      faults: { ...faults, simErrorRate: o.simErrorRate, simTimeoutAfterCommitRate: o.simTimeoutAfterCommitRate },
      endToEnd,
      reconciliation,
      durationSeconds: Math.round((Date.now() - started) / 1000),
      logDir,
    };
  } finally {
    if (chain.paused) stack.chain.child.kill('SIGCONT');
    await Promise.all(procs.map((p) => p.kill('SIGTERM', true)));
    await pool.end().catch(() => undefined);
    await stack.stop().catch(() => undefined);
  }
}
