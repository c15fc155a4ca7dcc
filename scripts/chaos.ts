/**
 * `npm run chaos`: the chaos run (scripts/chaos/run.ts) with the full fault set, printed as JSON and
 * written to DATA_DIR/bench/chaos.json. Exits non-zero when anything is unfinished or mismatched. Knobs:
 * CHAOS_REQUESTS (1000), CHAOS_RATE (6 per second), CHAOS_WORKER_KILLS (10), CHAOS_API_KILLS (2),
 * CHAOS_CHAIN_PAUSES (2), CHAOS_DB_CUTS (3), CHAOS_PG_RESTARTS (1), CHAOS_MINT_OUTAGES (1),
 * CHAOS_SIM_ERROR_RATE (0.05), CHAOS_SIM_TIMEOUT_AFTER_COMMIT_RATE (0.05).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCompiled } from '../contracts/compile';
import { DEFAULT_CHAOS, runChaos, type ChaosOptions } from './chaos/run';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

async function main(): Promise<void> {
  ensureCompiled();
  const options: Partial<ChaosOptions> = {
    requests: num('CHAOS_REQUESTS', DEFAULT_CHAOS.requests),
    rate: num('CHAOS_RATE', DEFAULT_CHAOS.rate),
    workerKills: num('CHAOS_WORKER_KILLS', DEFAULT_CHAOS.workerKills),
    apiKills: num('CHAOS_API_KILLS', DEFAULT_CHAOS.apiKills),
    chainPauses: num('CHAOS_CHAIN_PAUSES', DEFAULT_CHAOS.chainPauses),
    dbCuts: num('CHAOS_DB_CUTS', DEFAULT_CHAOS.dbCuts),
    pgRestarts: num('CHAOS_PG_RESTARTS', DEFAULT_CHAOS.pgRestarts),
    mintOutages: num('CHAOS_MINT_OUTAGES', DEFAULT_CHAOS.mintOutages),
    simErrorRate: num('CHAOS_SIM_ERROR_RATE', DEFAULT_CHAOS.simErrorRate),
    simTimeoutAfterCommitRate: num('CHAOS_SIM_TIMEOUT_AFTER_COMMIT_RATE', DEFAULT_CHAOS.simTimeoutAfterCommitRate),
    log: (line) => process.stderr.write(`[chaos] ${line}\n`),
  };
  const report = await runChaos(options);
  const json = JSON.stringify(report, null, 2);
  process.stdout.write(`${json}\n`);
  const dir = join(process.env.DATA_DIR ?? 'data', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chaos.json'), `${json}\n`);
  process.exit(report.unfinished === 0 && report.reconciliation.status === 'clean' ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`chaos run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
