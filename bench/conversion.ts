/**
 * `npm run bench:conversion`: airtime -> TXTC conversions end to end on a throwaway real stack
 * (Temporal dev server, Postgres, Hardhat node), then, on the same server, the ceiling: a bare workflow
 * with the same number of local and regular no-op activities. Printed as JSON with the ratio. Knobs:
 *   BENCH_CONVERSIONS (default 40), BENCH_CONCURRENCY (default 8),
 *   CHAIN_BLOCK_TIME_MS (default 0 = a block per transaction; 12000 = Sepolia-like),
 *   BENCH_SHAPE (default "3L+4R": the conversion's local + regular activities on its happy path).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startEphemeralStack } from '../scripts/local/ephemeral-stack';
import { loadConfig } from '../lib/config';
import { createRuntime } from '../lib/runtime';
import { createLogger } from '../lib/log';
import { SimulatedOperator } from '../lib/telco/simulated';
import { TxtcToken } from '../lib/chain/txtc';
import { createActivities } from '../activities';
import { createBridgeWorker } from '../workers/worker';
import { conversionWorkflow } from '../workflows';
import { conversionWorkflowId } from '../workflows/definitions';
import { drive, measureCeiling } from './ceiling';

const count = Number(process.env.BENCH_CONVERSIONS ?? 40);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const blockTimeMs = Number(process.env.CHAIN_BLOCK_TIME_MS ?? 0);
const shapeMatch = /^(\d+)L\+(\d+)R$/.exec(process.env.BENCH_SHAPE ?? '3L+4R');
if (!shapeMatch) throw new Error('BENCH_SHAPE must look like 3L+4R');
const shape = { local: Number(shapeMatch[1]), regular: Number(shapeMatch[2]) };

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
  const phones = Array.from(
    { length: count },
    (_, i) => `+2547${10 + (i % 20)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`,
  );
  for (const phone of new Set(phones)) await sim.topUp(phone, 'safaricom-ke', 10_000_000n, `bench-topup:${phone}`);

  let completed = 0;
  const run = await worker.runUntil(
    drive(count, concurrency, async (i) => {
      const state = await client.workflow.execute(conversionWorkflow, {
        taskQueue,
        workflowId: conversionWorkflowId('api', `bench-${randomUUID()}`),
        args: [{ channel: 'api', phoneNumber: phones[i]!, operator: 'safaricom-ke', usdCents: '1000' }],
      });
      if (state.status === 'completed') completed += 1;
    }),
  );
  const token = new TxtcToken(stack.deployment.txtc, runtime.provider);
  const minted = await token.contract.queryFilter(token.contract.filters.ReferencedMint!(), 0);
  const ceiling = await measureCeiling({ connection: nativeConnection, client, shape, count, concurrency });

  const result = JSON.stringify(
    {
      benchmark: 'conversion',
      conversions: count,
      concurrency,
      chainBlockTimeMs: blockTimeMs,
      completed,
      userMintsOnChain: minted.length - 1, // the liquidity seed is the one other referenced mint
      totalMs: run.totalMs,
      conversionsPerSecond: run.perSecond,
      latencyMs: run.latencyMs,
      ceiling,
      ratioToCeiling: Math.round((run.perSecond / ceiling.perSecond) * 1000) / 1000,
    },
    null,
    2,
  );
  // The dev server shares stdout; the file holds the JSON alone.
  const dir = join(process.env.DATA_DIR ?? 'data', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `conversion-${blockTimeMs}ms-c${concurrency}.json`), `${result}\n`);
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
