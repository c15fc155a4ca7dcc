/** createActivities wires every activity to its dependencies; the worker and the tests both call it. */
import type { Pool } from 'pg';
import type { JsonRpcProvider } from 'ethers';
import type { Logger } from '../lib/log';
import { createSystemActivities } from './system';

export interface ActivityDeps {
  pool: Pool;
  provider: JsonRpcProvider;
  log: Logger;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSystemActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
