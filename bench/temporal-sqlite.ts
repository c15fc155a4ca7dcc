/**
 * `npm run bench:temporal-sqlite`: what the Temporal dev server's SQLite journal costs. The same workflows
 * (an empty one, and one shaped like a conversion: 5 local and 4 regular no-op activities) run on dev
 * servers that keep their state in memory, in a file with SQLite's default rollback journal, and in a file in
 * WAL mode (what `npm start` runs: --sqlite-pragma journal_mode=wal). JSON on stdout and in
 * data/bench/temporal-sqlite.json. Knobs: BENCH_CEILING_COUNT (default 600), BENCH_CONCURRENCY (default 50).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../scripts/local/temporal-cli';
import { measureCeiling } from './ceiling';

const count = Number(process.env.BENCH_CEILING_COUNT ?? 600);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SHAPE = { local: 5, regular: 4 };

async function measure(variant: 'memory' | 'file' | 'file-wal') {
  const dir = mkdtempSync(join(tmpdir(), 'txtc-sqlite-bench-'));
  const cli = ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli ? { executable: { type: 'existing-path' as const, path: cli } } : {}),
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'never' },
      ...(variant === 'memory' ? {} : { dbFilename: join(dir, 'dev.db') }),
      ...(variant === 'file-wal' ? { extraArgs: ['--sqlite-pragma', 'journal_mode=wal'] } : {}),
    },
  });
  try {
    const connection = await NativeConnection.connect({ address: env.address });
    const client = new Client({ connection: env.connection });
    const empty = await measureCeiling({ connection, client, shape: { local: 0, regular: 0 }, count, concurrency });
    const shaped = await measureCeiling({ connection, client, shape: SHAPE, count, concurrency });
    await connection.close();
    return {
      variant,
      emptyPerSecond: empty.perSecond,
      emptyP50Ms: empty.latencyMs.p50,
      sameShapePerSecond: shaped.perSecond,
      sameShapeP50Ms: shaped.latencyMs.p50,
    };
  } finally {
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const variants = [];
  for (const variant of ['memory', 'file', 'file-wal'] as const) variants.push(await measure(variant));
  const file = variants.find((v) => v.variant === 'file')!;
  const wal = variants.find((v) => v.variant === 'file-wal')!;
  const result = JSON.stringify(
    {
      benchmark: 'temporal-sqlite',
      cpus: cpus().length,
      workflows: count,
      concurrency,
      shape: SHAPE,
      variants,
      walToFile: {
        empty: Math.round((wal.emptyPerSecond / file.emptyPerSecond) * 100) / 100,
        sameShape: Math.round((wal.sameShapePerSecond / file.sameShapePerSecond) * 100) / 100,
      },
    },
    null,
    2,
  );
  const out = join(process.env.DATA_DIR ?? 'data', 'bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'temporal-sqlite.json'), `${result}\n`);
  process.stdout.write(`${result}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
