/**
 * The shared dependencies of the worker and the API, built once from the configuration: the Postgres
 * pool, the chain provider, the one writer of the signer, and where TXTC and the rate pair live.
 */
import type { Pool } from 'pg';
import type { JsonRpcProvider } from 'ethers';
import type { Config } from './config';
import { createPool } from './db/pool';
import { createProvider } from './chain/provider';
import { ChainWriter } from './chain/writer';
import { readDeployment } from './chain/deployment';
import { untilReady } from './startup';
import type { Logger } from './log';

export interface ChainAddresses {
  txtc: string;
  /** first block to search for TXTC events */
  txtcFromBlock: number;
  ratePair?: string;
}

export interface Runtime {
  config: Config;
  pool: Pool;
  provider: JsonRpcProvider;
  writer: ChainWriter;
  addresses: ChainAddresses;
  close(): Promise<void>;
}

/** What the API runs on: everything but a signer (only the worker signs). */
export type ReadRuntime = Omit<Runtime, 'writer'>;

/** No contracts recorded for the chain: a configuration problem, not a dependency that blinked. */
export class DeploymentMissingError extends Error {
  override name = 'DeploymentMissingError';
}

/** TXTC_ADDRESS / RATE_PAIR_ADDRESS when set, else the deployment file recorded for the chain. */
/** The chain id of the local development chain (anvil, Hardhat): the only one local mode runs on. */
export const LOCAL_CHAIN_ID = 31337n;

/** Local mode's dev key and phrase are public: on any chain but the local one they would be someone's money. */
export class NotLocalChainError extends DeploymentMissingError {
  override name = 'NotLocalChainError';
}

export async function resolveAddresses(config: Config, provider: JsonRpcProvider): Promise<ChainAddresses> {
  if (config.appEnv === 'local') {
    const { chainId } = await provider.getNetwork();
    if (chainId !== LOCAL_CHAIN_ID)
      throw new NotLocalChainError(
        `CHAIN_RPC_URL: APP_ENV=local runs only on the local development chain (${LOCAL_CHAIN_ID}); this one is ${chainId}`,
      );
  }
  if (config.chain.txtcAddress)
    return {
      txtc: config.chain.txtcAddress,
      txtcFromBlock: config.chain.txtcDeployBlock,
      ratePair: config.chain.ratePairAddress,
    };
  const { chainId } = await provider.getNetwork();
  const deployment = readDeployment(config.dataDir, Number(chainId));
  if (!deployment) {
    throw new DeploymentMissingError(
      `no TXTC deployment recorded for chain ${chainId}: set TXTC_ADDRESS or run npm run deploy:contracts`,
    );
  }
  return {
    txtc: deployment.txtc,
    txtcFromBlock: deployment.txtcBlock ?? 0,
    ratePair: config.chain.ratePairAddress ?? deployment.ratePair,
  };
}

/**
 * `log` given (the worker and API entry points): a chain that does not answer yet is waited for, not a
 * reason to exit; a chain without a recorded deployment still is.
 */
export async function createRuntime(config: Config, log?: Logger): Promise<Runtime> {
  const read = await createReadRuntime(config, log);
  return { ...read, writer: new ChainWriter(config.chain.signerPrivateKey, read.provider) };
}

/** The API's runtime: Postgres, the chain read-only, the addresses; no signer key is ever loaded. */
export async function createReadRuntime(config: Config, log?: Logger): Promise<ReadRuntime> {
  const pool = createPool(config.databaseUrl);
  const provider = createProvider(config.chain.rpcUrl);
  const addresses = log
    ? await untilReady('the chain', () => resolveAddresses(config, provider), log, {
        isFatal: (e) => e instanceof DeploymentMissingError,
      })
    : await resolveAddresses(config, provider);
  return {
    config,
    pool,
    provider,
    addresses,
    async close() {
      provider.destroy();
      await pool.end();
    },
  };
}
