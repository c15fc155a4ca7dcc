/**
 * `npm run bench:conversion`: the product's throughput benchmark. Airtime -> TXTC conversions are offered
 * through the REST API (POST /api/airtime/buy, as a partner calls it) at a fixed rate for a fixed time
 * against a throwaway stack (Temporal dev server, Postgres, anvil as `npm start` runs it), each timed from
 * its request to its workflow's completion. Per chain mode (instant blocks; 12-second blocks):
 *   - the batched path (the chain writer, the default), then the one-transaction-per-mint path
 *     (CHAIN_BATCHING=false) at the same offered load, on the same stack;
 *   - then, on the same Temporal server, the bare ceilings: an empty workflow, and one with as many no-op
 *     local and regular activities as a conversion ran (read from a conversion's own history).
 * JSON on stdout and in data/bench/conversion.json. Knobs: BENCH_RATE (offered conversions/s, default 20),
 * BENCH_DURATION_S (default 60), BENCH_MODES (default "instant,12s"), BENCH_SINGLE_MINT (default true),
 * BENCH_CEILING_COUNT (default 600 workflows per ceiling, 50 at once), BENCH_SIGNERS (default "1": signer counts
 * for the batched path, e.g. "1,2": the first is the run above, each further one a batched run of its own with
 * that many signers, fresh keys granted the roles; `bySigners` compares them), BENCH_BATCH_MAX_ENTRIES
 * (CHAIN_BATCH_MAX_ENTRIES for the run, default the product's: a small one makes the chain, not the CPU, the cap).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client, Connection, ServiceError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { Wallet, type JsonRpcProvider } from 'ethers';
import { startEphemeralStack, type EphemeralStack } from '../scripts/local/ephemeral-stack';
import { grantSignerRoles } from '../scripts/local/deploy';
import { ChainWriter } from '../lib/chain/writer';
import { createProvider } from '../lib/chain/provider';
import { freePort } from '../scripts/local/processes';
import { loadConfig, LOCAL_DEV_SIGNER_KEY } from '../lib/config';
import { createRuntime } from '../lib/runtime';
import { createLogger } from '../lib/log';
import { SimulatedOperator } from '../lib/telco/simulated';
import { createActivities } from '../activities';
import { createBridgeWorker } from '../workers/worker';
import { createApp } from '../api/app';
import { measureCeiling, percentile, type Shape } from './ceiling';

const rate = Number(process.env.BENCH_RATE ?? 20);
const durationS = Number(process.env.BENCH_DURATION_S ?? 60);
const modes = (process.env.BENCH_MODES ?? 'instant,12s').split(',').map((m) => m.trim());
const singleMint = process.env.BENCH_SINGLE_MINT !== 'false';
const ceilingCount = Number(process.env.BENCH_CEILING_COUNT ?? 600);
const CEILING_CONCURRENCY = 50;
const PHONES = 300;
const WARMUP = 5;
const signerCounts = (process.env.BENCH_SIGNERS ?? '1').split(',').map((n) => Number(n.trim()));
const batchMaxEntries = process.env.BENCH_BATCH_MAX_ENTRIES;
const SIGNER = new Wallet(LOCAL_DEV_SIGNER_KEY).address.toLowerCase();

const blockTimeOf = (mode: string): number => {
  if (mode === 'instant') return 0;
  const m = /^(\d+)s$/.exec(mode);
  if (!m) throw new Error(`BENCH_MODES: "${mode}" is neither instant nor <seconds>s`);
  return Number(m[1]) * 1000;
};

interface PathResult {
  offeredPerSecond: number;
  durationSeconds: number;
  offered: number;
  completed: number;
  failures: number;
  failureReasons: Record<string, number>;
  /** every completion over the whole run, from the first request to the last completion (drain included) */
  conversionsPerSecond: number;
  /** completions while the load was offered, from the first completion to the last request */
  sustainedPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  gasPerConversion: number;
  /** the signer's transactions per block (blocks with any) */
  transactionsPerBlock: { max: number; mean: number };
  transactions: number;
  /** the conversion's activities on its happy path, from its history */
  shape: Shape;
}

async function runPath(
  stack: EphemeralStack,
  blockTimeMs: number,
  batching: boolean,
  signers = 1,
): Promise<PathResult> {
  const taskQueue = `bench-${batching ? 'batched' : 'single'}-${randomUUID()}`;
  // Further signers: fresh keys, granted the minter and relayer roles and given gas, as `npm start` does.
  const more = Array.from({ length: signers - 1 }, () => Wallet.createRandom());
  if (more.length > 0) {
    const provider = createProvider(stack.rpcUrl);
    const deployer = new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider);
    await grantSignerRoles(
      deployer,
      stack.deployment.txtc,
      more.map((w) => w.address),
    );
    provider.destroy();
  }
  const ours = new Set([SIGNER, ...more.map((w) => w.address.toLowerCase())]);
  const config = loadConfig({
    APP_ENV: 'local',
    LOG_LEVEL: 'silent',
    DATA_DIR: '/nonexistent-bench-data',
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CHAIN_RPC_URL: stack.rpcUrl,
    CHAIN_BLOCK_TIME_MS: String(blockTimeMs),
    CHAIN_BATCHING: String(batching),
    TXTC_ADDRESS: stack.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stack.deployment.ratePair,
    DAILY_LIMIT_USD: '100000000',
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_PHONE: '0',
    API_KEYS_REQUIRED: 'false', // measures the workflows, not the key check
    FRAUD_VELOCITY_MAX_MOVEMENTS: '0',
    FRAUD_MAX_RECEIVERS_PER_HOUR: '0',
    FRAUD_HOLD_SENDERS_PER_RECEIVER: '0',
    FRAUD_HOLD_ABOVE_USD: '0',
    FRAUD_NEW_NUMBER_HOLD_ABOVE_USD: '0',
    ...(more.length > 0 ? { CHAIN_SIGNER_PRIVATE_KEYS: more.map((w) => w.privateKey).join(',') } : {}),
    ...(batchMaxEntries ? { CHAIN_BATCH_MAX_ENTRIES: batchMaxEntries } : {}),
  });
  // The worker and the API are separate processes in production, each with its own pool and client.
  const workerRuntime = await createRuntime(config);
  const apiRuntime = await createRuntime(config);
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const worker = await createBridgeWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ ...workerRuntime, log: createLogger('silent') }),
  });
  const app = createApp({ ...apiRuntime, temporal: new Client({ connection }), log: createLogger('silent') });
  const port = await freePort();
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });

  const sim = new SimulatedOperator(workerRuntime.pool);
  const phones = Array.from(
    { length: PHONES },
    () => `+2547${randomInt(10, 30)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`,
  );
  for (const phone of new Set(phones)) await sim.topUp(phone, 'safaricom-ke', 100_000_000n, `bench-topup:${phone}`);

  /** One conversion through the API, timed from the request to the workflow's completion. */
  async function convert(i: number): Promise<{ ok: boolean; ms: number; end: number; id?: string; why?: string }> {
    const t0 = performance.now();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/airtime/buy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${randomUUID()}` },
        body: JSON.stringify({ phoneNumber: phones[i % phones.length], airtimeAmount: '10', currency: 'USD' }),
      });
      if (res.status !== 202) {
        const why = `http ${res.status} ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? ''}`;
        return { ok: false, ms: performance.now() - t0, end: performance.now(), why: why.trim() };
      }
      const { id } = (await res.json()) as { id: string };
      const state = await resultOf(id);
      const ok = state.status === 'completed';
      return { ok, ms: performance.now() - t0, end: performance.now(), id, why: ok ? undefined : state.status };
    } catch (err) {
      const why = err instanceof Error ? `${err.name}: ${err.message.slice(0, 80)}` : 'error';
      return { ok: false, ms: performance.now() - t0, end: performance.now(), why };
    }
  }

  /**
   * A conversion's end. Thousands of waiting result() calls are long polls on the same server, and an overloaded
   * server fails some ("Failed to get Workflow execution history"): asked again, the conversion is not lost.
   */
  async function resultOf(id: string, tries = 5): Promise<{ status: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await client.workflow.getHandle(id).result()) as { status: string };
      } catch (err) {
        if (attempt >= tries || !(err instanceof ServiceError)) throw err;
        await new Promise((r) => setTimeout(r, 1000 * attempt));
      }
    }
  }

  const result = await worker.runUntil(async () => {
    // Warm-up (bundle, JIT, the chain writer started), not counted; its last one gives the activity shape.
    let shapeId: string | undefined;
    for (let i = 0; i < WARMUP; i++) shapeId = (await convert(i)).id ?? shapeId;
    const shape = shapeId ? await shapeOf(client, shapeId) : { local: 0, regular: 0 };
    const firstBlock = (await workerRuntime.provider.getBlockNumber()) + 1;

    const offered = Math.round(rate * durationS);
    const started = performance.now();
    const runs: Promise<{ ok: boolean; ms: number; end: number; why?: string }>[] = [];
    for (let i = 0; i < offered; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      runs.push(convert(WARMUP + i));
    }
    const offerEnd = performance.now();
    const done = await Promise.all(runs);
    const lastBlock = await workerRuntime.provider.getBlockNumber();
    const ok = done.filter((d) => d.ok);
    const latencies = ok.map((d) => d.ms).sort((a, b) => a - b);
    const elapsedS = (Math.max(...done.map((d) => d.end)) - started) / 1000;
    // While the load was offered: completions from the first one to the last request, over that span (the
    // drain after the last request, a block or two on a 12 s chain, is not throughput).
    const firstEnd = Math.min(...ok.map((d) => d.end));
    const whileOffered = ok.filter((d) => d.end <= offerEnd).length;
    const chain = await signerTransactions(workerRuntime.provider, firstBlock, lastBlock, ours);
    return {
      offeredPerSecond: rate,
      durationSeconds: durationS,
      offered,
      completed: ok.length,
      failures: done.length - ok.length,
      // Why each failure failed, counted: an HTTP refusal (nothing moved), a workflow's end (refunded...), an error.
      failureReasons: countBy(done.filter((d) => !d.ok).map((d) => d.why ?? 'unknown')),
      conversionsPerSecond: round(ok.length / elapsedS),
      sustainedPerSecond: offerEnd > firstEnd ? round(whileOffered / ((offerEnd - firstEnd) / 1000)) : 0,
      p50Ms: Math.round(percentile(latencies, 50)),
      p95Ms: Math.round(percentile(latencies, 95)),
      p99Ms: Math.round(percentile(latencies, 99)),
      gasPerConversion: ok.length ? Math.round(Number(chain.gas) / ok.length) : 0,
      transactionsPerBlock: chain.perBlock,
      transactions: chain.transactions,
      shape,
    };
  });
  server.close();
  await connection.close();
  await nativeConnection.close();
  await workerRuntime.close();
  await apiRuntime.close();
  return result;
}

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** How many local and regular activities a completed conversion ran. */
async function shapeOf(client: Client, workflowId: string): Promise<Shape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return {
    // patches are markers too: only local activities count
    local: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
    regular: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
  };
}

/** The signers' transactions in blocks [from, to]: gas used, and how many per block (blocks with any). */
async function signerTransactions(provider: JsonRpcProvider, from: number, to: number, signers: Set<string>) {
  let gas = 0n;
  let transactions = 0;
  const perBlock: number[] = [];
  for (let n = from; n <= to; n++) {
    const block = await provider.getBlock(n, true);
    const ours = (block?.prefetchedTransactions ?? []).filter((tx) => signers.has(tx.from.toLowerCase()));
    if (ours.length === 0) continue;
    perBlock.push(ours.length);
    transactions += ours.length;
    for (const tx of ours) gas += (await provider.getTransactionReceipt(tx.hash))?.gasUsed ?? 0n;
  }
  return {
    gas,
    transactions,
    perBlock: {
      max: perBlock.length ? Math.max(...perBlock) : 0,
      mean: perBlock.length ? round(transactions / perBlock.length) : 0,
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
const withShape = ({ shape, ...figures }: PathResult) => ({ ...figures, conversionShape: shape });

/** Several signers: each count's figures, and the last count's sustained rate over the first's. */
function signerScaling(runs: (PathResult & { signers: number })[]) {
  return {
    batchMaxEntries: batchMaxEntries ? Number(batchMaxEntries) : 300,
    bySigners: runs.map((r) => ({
      signers: r.signers,
      offeredPerSecond: r.offeredPerSecond,
      completed: r.completed,
      failures: r.failures,
      sustainedPerSecond: r.sustainedPerSecond,
      conversionsPerSecond: r.conversionsPerSecond,
      p50Ms: r.p50Ms,
      transactionsPerBlock: r.transactionsPerBlock,
    })),
    signersSustainedRatio: round(runs[runs.length - 1]!.sustainedPerSecond / runs[0]!.sustainedPerSecond),
  };
}

async function runMode(mode: string) {
  const blockTimeMs = blockTimeOf(mode);
  const stack = await startEphemeralStack({ name: 'bench', blockTimeMs, anvil: true });
  try {
    const batched = await runPath(stack, blockTimeMs, true, signerCounts[0]);
    const bySigners = [{ signers: signerCounts[0]!, ...batched }];
    for (const n of signerCounts.slice(1))
      bySigners.push({ signers: n, ...(await runPath(stack, blockTimeMs, true, n)) });
    const single = singleMint ? await runPath(stack, blockTimeMs, false) : undefined;
    const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection });
    const ceiling = (shape: Shape) =>
      measureCeiling({
        connection: nativeConnection,
        client,
        shape,
        count: ceilingCount,
        concurrency: CEILING_CONCURRENCY,
      });
    const empty = await ceiling({ local: 0, regular: 0 });
    const same = await ceiling(batched.shape);
    await connection.close();
    await nativeConnection.close();
    return {
      mode,
      chainBlockTimeMs: blockTimeMs,
      ...withShape(batched),
      singleMintPath: single && withShape(single),
      bare: { emptyPerSecond: empty.perSecond, sameShapePerSecond: same.perSecond },
      ratioToEmpty: round(batched.conversionsPerSecond / empty.perSecond),
      ratioToSameShape: round(batched.conversionsPerSecond / same.perSecond),
      gasRatioToSingleMint: single?.gasPerConversion ? round(batched.gasPerConversion / single.gasPerConversion) : null,
      ...(bySigners.length > 1 ? signerScaling(bySigners) : {}),
    };
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const runs = [];
  for (const mode of modes) {
    runs.push(await runMode(mode));
    write({ benchmark: 'conversion', cpus: cpus().length, partial: true, runs });
  }
  const instant = runs.find((r) => r.chainBlockTimeMs === 0);
  const timed = runs.find((r) => r.chainBlockTimeMs > 0);
  const result = JSON.stringify(
    {
      benchmark: 'conversion',
      cpus: cpus().length,
      runs,
      goals: {
        instantRatioToEmpty: instant?.ratioToEmpty ?? null,
        instantFailures: instant?.failures ?? null,
        timedToInstant: instant && timed ? round(timed.conversionsPerSecond / instant.conversionsPerSecond) : null,
        timedToInstantSustained: instant && timed ? round(timed.sustainedPerSecond / instant.sustainedPerSecond) : null,
        timedMaxTransactionsPerBlock: timed?.transactionsPerBlock.max ?? null,
        timedP50InBlocks: timed ? round(timed.p50Ms / timed.chainBlockTimeMs) : null,
        timedGasRatioToSingleMint: timed?.gasRatioToSingleMint ?? null,
      },
    },
    null,
    2,
  );
  write(JSON.parse(result) as object);
  process.stdout.write(`${result}\n`);
}

/** data/bench/conversion.json, after each mode (a long run keeps what it measured if a later mode fails). */
function write(result: object): void {
  const dir = join(process.env.DATA_DIR ?? 'data', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'conversion.json'), `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
