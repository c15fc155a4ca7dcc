/**
 * `npm run chaos`: the chaos run (scripts/chaos/run.ts) with the full fault set, printed as JSON and
 * written to DATA_DIR/bench/chaos.json. Exits non-zero when anything is unfinished or mismatched. Knobs:
 * CHAOS_REQUESTS (1000), CHAOS_RATE (6 per second), CHAOS_MIX (the kinds sent, e.g. `conversion`; default all), CHAOS_PEOPLE (40: the numbers paying), CHAOS_WORKER_KILLS (10), CHAOS_API_KILLS (2),
 * CHAOS_CHAIN_PAUSES (2), CHAOS_DB_CUTS (3), CHAOS_PG_RESTARTS (1), CHAOS_MINT_OUTAGES (1),
 * CHAOS_SIM_ERROR_RATE (0.05), CHAOS_SIM_TIMEOUT_AFTER_COMMIT_RATE (0.05), CHAOS_TEMPORAL_KILLS (3 on
 * Postgres, else 0). Options: `--temporal dev|postgres` (dev: the Temporal dev server; postgres: the full server
 * on Postgres databases of its own, SIGKILLed and restarted CHAOS_TEMPORAL_KILLS times) and `--workers N` (2).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCompiled } from '../contracts/compile';
import { DEFAULT_CHAOS, runChaos, type ChaosOptions } from './chaos/run';
import type { Kind } from './chaos/load';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** The value after `--name` (or in `--name=value`) on the command line. */
function arg(name: string): string | undefined {
  const args = process.argv.slice(2);
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
  const temporal = arg('temporal') ?? DEFAULT_CHAOS.temporal;
  if (temporal !== 'dev' && temporal !== 'postgres') throw new Error('--temporal takes dev or postgres');
  const workers = Number(arg('workers') ?? DEFAULT_CHAOS.workers);
  if (!(Number.isInteger(workers) && workers >= 1)) throw new Error('--workers takes a count of at least 1');
  ensureCompiled();
  const options: Partial<ChaosOptions> = {
    temporal,
    workers,
    temporalKills: num('CHAOS_TEMPORAL_KILLS', temporal === 'postgres' ? 3 : 0),
    requests: num('CHAOS_REQUESTS', DEFAULT_CHAOS.requests),
    rate: num('CHAOS_RATE', DEFAULT_CHAOS.rate),
    people: num('CHAOS_PEOPLE', DEFAULT_CHAOS.people),
    mix: process.env.CHAOS_MIX ? (process.env.CHAOS_MIX.split(',').map((k) => k.trim()) as Kind[]) : undefined,
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
