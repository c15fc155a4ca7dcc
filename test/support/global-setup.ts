/**
 * Brings up the real parts once per test run, on free ports: a Temporal dev server (the temporal CLI
 * through @temporalio/testing), a Hardhat node with TXTC and the rate pair deployed, and a Postgres
 * database of this run's own with every migration applied. Tests read where they are from TEST_* vars.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../../lib/temporal-cli';
import { freePort } from '../../lib/processes';
import { startLocalChain } from '../../lib/chain/local-node';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { deployAll } from '../../lib/chain/deploy';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import { ensureDatabase, runMigrations } from '../../lib/db/pool';
import { STACK_ENV, type TestStack } from './stack-file';

export default async function globalSetup(): Promise<void> {
  const cli = ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli ? { executable: { type: 'existing-path' as const, path: cli } } : {}),
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'never' },
    },
  });

  const chainPort = await freePort();
  const chain = await startLocalChain(chainPort, 0);
  const rpcUrl = `http://127.0.0.1:${chainPort}`;
  const provider = createProvider(rpcUrl);
  const deployment = await deployAll(new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider));
  provider.destroy();

  const databaseUrl = `${process.env.TEST_DATABASE_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432'}/txtc_test_${Date.now()}_${process.pid}`;
  await ensureDatabase(databaseUrl);
  await runMigrations(databaseUrl);

  const stack: TestStack = { temporalAddress: env.address, rpcUrl, databaseUrl, deployment };
  process.env[STACK_ENV] = JSON.stringify(stack);
  (globalThis as Record<string, unknown>).__txtcTestStack = { env, chain, databaseUrl };
}
