/**
 * A throwaway copy of the real parts on free ports: a Temporal dev server (the temporal CLI through
 * @temporalio/testing, or the SDK's download where there is no CLI and no Go) or, when asked, the full
 * Temporal server on databases of its own in the machine's Postgres (./temporal-postgres), a Hardhat node with TXTC
 * and the rate pair deployed, and a fresh Postgres database with every migration applied.
 * The test suite and the benchmarks stand on it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from './temporal-cli';
import { freePort, stopService, type Service } from './processes';
import { startLocalChain } from './chain-node';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { deployAll } from './deploy';
import type { Deployment } from '../../lib/chain/deployment';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import { dropDatabase, ensureDatabase, runMigrations } from '../../lib/db/pool';
import { SEARCH_ATTRIBUTES } from '../../lib/definitions/search';
import { startTemporalOnPostgres, type TemporalOnPostgres } from './temporal-postgres';

export interface EphemeralStack {
  temporalAddress: string;
  rpcUrl: string;
  databaseUrl: string;
  deployment: Deployment;
  /** the chain node's process (the chaos run pauses it) */
  chain: Service;
  /** the full Temporal server on Postgres when the stack runs one (the chaos run kills and restarts it) */
  temporalServer?: TemporalOnPostgres;
  stop(): Promise<void>;
}

/** A Temporal dev server on a free port (the cached temporal CLI, else the SDK's download), quiet. */
export function startTemporalDevServer(extraArgs?: string[]): Promise<TestWorkflowEnvironment> {
  const cli = ensureTemporalCli();
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli ? { executable: { type: 'existing-path' as const, path: cli } } : {}),
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'never' },
      // the ops console's attributes: every money workflow upserts them, and an unknown one fails its task
      searchAttributes: [...SEARCH_ATTRIBUTES],
      ...(extraArgs ? { extraArgs } : {}),
    },
  });
}

export async function startEphemeralStack(options: {
  name: string;
  blockTimeMs?: number;
  postgresBaseUrl?: string;
  /** anvil (what `npm start` runs) instead of the Hardhat node the tests use */
  anvil?: boolean;
  /** arguments for the Temporal dev server (e.g. a SQLite file and its pragmas) */
  temporalArgs?: string[];
  /** 'postgres': the full Temporal server on databases of its own (not the product's) instead of the dev server */
  temporal?: 'dev' | 'postgres';
  log?: (line: string) => void;
}): Promise<EphemeralStack> {
  const server =
    options.temporal === 'postgres'
      ? await startTemporalOnPostgres({ postgresUrl: options.postgresBaseUrl, log: options.log })
      : undefined;
  const env = server ? undefined : await startTemporalDevServer(options.temporalArgs);

  const chainPort = await freePort();
  const chain = await startLocalChain(
    chainPort,
    options.blockTimeMs ?? 0,
    true,
    options.anvil ? { stateFile: join(mkdtempSync(join(tmpdir(), 'txtc-anvil-')), 'state.json') } : {},
  );
  const rpcUrl = `http://127.0.0.1:${chainPort}`;
  const provider = createProvider(rpcUrl);
  const deployment = await deployAll(new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider));
  provider.destroy();

  const databaseUrl = `${options.postgresBaseUrl ?? 'postgres://postgres@127.0.0.1:5432'}/txtc_${options.name}_${Date.now()}_${process.pid}`;
  await ensureDatabase(databaseUrl);
  await runMigrations(databaseUrl);

  return {
    temporalAddress: server?.address ?? env!.address,
    rpcUrl,
    databaseUrl,
    deployment,
    chain,
    ...(server ? { temporalServer: server } : {}),
    async stop() {
      await env?.teardown();
      await server?.stop();
      await stopService(chain);
      await dropDatabase(databaseUrl);
    },
  };
}
