import { hostname } from 'node:os';
import type { JsonRpcProvider } from 'ethers';
import type { Pool } from 'pg';
import type { SystemCheckResult } from '../lib/definitions';
import { ping } from '../lib/db/pool';

export function createSystemActivities(deps: { pool: Pool; provider: JsonRpcProvider }) {
  return {
    async checkDependencies(): Promise<SystemCheckResult> {
      const [database, network, blockNumber] = await Promise.all([
        ping(deps.pool),
        deps.provider.getNetwork(),
        deps.provider.getBlockNumber(),
      ]);
      return { database, chainId: Number(network.chainId), blockNumber, checkedBy: `${hostname()}:${process.pid}` };
    },
  };
}

export type SystemActivities = ReturnType<typeof createSystemActivities>;
