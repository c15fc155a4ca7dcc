/**
 * The short chaos run, on the production shape (the full one is `npm run chaos -- --temporal postgres
 * --workers 2`; `npm run chaos` alone runs it on the dev server): the full Temporal server on Postgres databases
 * of its own (scripts/local/temporal-postgres.ts) and two worker processes on one task queue, under the mixed
 * load with duplicate deliveries and one payer's money sent through several doors at once, while the Temporal
 * server is SIGKILLed and restarted twice, workers (three times) and the API are killed, the chain pauses, the
 * app's connections are cut, Postgres (the product's and Temporal's) restarts, minting is refused for a while
 * and the simulated operator fails. Every fault must have happened, every workflow must end, most of the load
 * must complete, nothing may be owed and the reconciliation of the window must be clean. It is the one chaos
 * run of `npm test`: the dev-server run it replaced met a subset of these faults and made the same checks.
 */
import { runChaos, type ChaosReport } from '../../scripts/chaos/run';

// About three minutes here (the server built by .ci/run; a first build with Go adds a few minutes).
jest.setTimeout(1_200_000);

let report: ChaosReport;
beforeAll(async () => {
  report = await runChaos({
    temporal: 'postgres',
    workers: 2,
    requests: 150,
    rate: 5,
    temporalKills: 2,
    workerKills: 3,
    apiKills: 1,
    chainPauses: 1,
    dbCuts: 1,
    pgRestarts: 1,
    mintOutages: 1,
    settleTimeoutMs: 780_000,
    log: (line) => process.stderr.write(`[chaos/postgres] ${line}\n`),
  });
  process.stderr.write(`${JSON.stringify(report)}\n`);
});

test('it ran on the Temporal server on Postgres with two workers, and every fault happened', () => {
  expect(report).toMatchObject({ temporal: 'postgres', workers: 2 });
  expect(report.temporalKills).toBeGreaterThanOrEqual(2);
  expect(report.workers).toBeGreaterThanOrEqual(2);
  expect(report.faults).toMatchObject({
    temporalKills: 2,
    workerKills: 3,
    apiKills: 1,
    chainPauses: 1,
    dbCuts: 1,
    pgRestarts: 1,
    mintOutages: 1,
  });
  expect(report.requests.duplicates).toBeGreaterThan(0);
  // A share of the load is one payer's money moved through several doors at once (REST and SMS).
  expect(report.requests.byKind.burst).toBeGreaterThan(0);
});

test('no process died of a fault: every exit, the Temporal server included, was a kill of the harness', () => {
  // On a crash, its last output is in the failure (and in the process's log under report.logDir).
  expect({ crashes: Object.values(report.crashes).reduce((a, n) => a + n, 0), why: report.crashTails }).toEqual({
    crashes: 0,
    why: [],
  });
});

test('every request that got in reached a final state: nothing stuck, nothing owed, most of it completed', () => {
  expect(report.stuck).toBe(0);
  expect(report.unfinished).toBe(0);
  expect(report.owed).toBe(0);
  // At least half, of the requests sent and of those accepted, leaves room for a slow machine.
  expect(report.completed).toBeGreaterThanOrEqual(report.requests.unique / 2);
  expect(report.completed).toBeGreaterThanOrEqual(report.accepted / 2);
  expect(report.p95EndToEndMs).toBeGreaterThan(0);
});

test('the reconciliation of the window finds every movement matched: debited once, minted once, refunds whole', () => {
  expect(report.mismatches).toBe(0);
  expect(report.reconciliation.mismatches).toEqual([]);
  expect(report.reconciliation.status).toBe('clean');
});
