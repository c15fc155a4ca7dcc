/**
 * `npm run bench:conversion`: airtime -> TXTC conversions end to end on a throwaway real stack
 * (Temporal dev server, Postgres, Hardhat node), printed as JSON. Knobs (environment):
 *   BENCH_CONVERSIONS (default 40), BENCH_CONCURRENCY (default 8),
 *   CHAIN_BLOCK_TIME_MS (default 0 = a block per transaction; 12000 = Sepolia-like).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startEphemeralStack } from '../lib/ephemeral-stack';
import { loadConfig } from '../lib/config';
import { createRuntime } from '../lib/runtime';
import { createLogger } from '../lib/log';
import { SimulatedOperator } from '../lib/telco/simulated';
import { TxtcToken } from '../lib/chain/txtc';
import { createActivities } from '../activities';
import { createBridgeWorker } from '../workers/worker';
import { conversionWorkflow } from '../workflows';
import { conversionWorkflowId } from '../workflows/definitions';

const count = Number(process.env.BENCH_CONVERSIONS ?? 40);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const blockTimeMs = Number(process.env.CHAIN_BLOCK_TIME_MS ?? 0);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const stack = await startEphemeralStack({ name: 'bench', blockTimeMs });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    CHAIN_RPC_URL: stack.rpcUrl,
    CHAIN_BLOCK_TIME_MS: String(blockTimeMs),
    TXTC_ADDRESS: stack.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stack.deployment.ratePair,
    DAILY_LIMIT_USD: '1000000',
  });
  const runtime = await createRuntime(config);
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const taskQueue = `bench-${randomUUID()}`;
  const worker = await createBridgeWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ ...runtime, log: createLogger('silent') }),
  });
  const sim = new SimulatedOperator(runtime.pool);
  const phones = Array.from({ length: count }, (_, i) => `+2547${10 + (i % 20)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`);
  for (const phone of new Set(phones)) await sim.topUp(phone, 'safaricom-ke', 10_000_000n, `bench-topup:${phone}`);

  const latencies: number[] = [];
  let completed = 0;
  const started = Date.now();
  await worker.runUntil(async () => {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const phone = phones[next++]!;
        const t0 = Date.now();
        const state = await client.workflow.execute(conversionWorkflow, {
          taskQueue,
          workflowId: conversionWorkflowId('api', `bench-${randomUUID()}`),
          args: [{ channel: 'api', phoneNumber: phone, operator: 'safaricom-ke', usdCents: '1000' }],
        });
        latencies.push(Date.now() - t0);
        if (state.status === 'completed') completed += 1;
      }
    }));
  });
  const totalMs = Date.now() - started;
  const token = new TxtcToken(stack.deployment.txtc, runtime.provider);
  const minted = await token.contract.queryFilter(token.contract.filters.ReferencedMint!(), 0);

  latencies.sort((a, b) => a - b);
  const result = JSON.stringify({
    benchmark: 'conversion',
    conversions: count,
    concurrency,
    chainBlockTimeMs: blockTimeMs,
    completed,
    userMintsOnChain: minted.length - 1, // the liquidity seed is the one other referenced mint
    totalMs,
    conversionsPerSecond: Math.round((count * 100_000) / totalMs) / 100,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.at(-1) ?? 0 },
  }, null, 2);
  // The dev server shares stdout; the file holds the JSON alone.
  const dir = join(process.env.DATA_DIR ?? 'data', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `conversion-${blockTimeMs}ms.json`), `${result}\n`);
  process.stdout.write(`${result}\n`);

  await connection.close();
  await nativeConnection.close();
  await runtime.close();
  await stack.stop();
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
