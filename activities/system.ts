import type { Pool } from 'pg';
import type { JsonRpcProvider } from 'ethers';
import { hostname } from 'node:os';
import type { SystemCheckResult } from '../workflows/definitions';

export function createSystemActivities(deps: { pool: Pool; provider: JsonRpcProvider }) {
  return {
    async checkDependencies(): Promise<SystemCheckResult> {
      const { rows } = await deps.pool.query<{ db: string }>('SELECT current_database() AS db');
      const [network, blockNumber] = await Promise.all([deps.provider.getNetwork(), deps.provider.getBlockNumber()]);
      return { database: rows[0]!.db, chainId: Number(network.chainId), blockNumber, checkedBy: `${hostname()}:${process.pid}` };
    },
  };
}

export type SystemActivities = ReturnType<typeof createSystemActivities>;
