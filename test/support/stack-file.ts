import type { Deployment } from '../../lib/chain/deployment';

/** globalSetup tells the test files (same process or jest workers) where this run's parts are: a copy per worker. */
export const STACK_ENV = 'TXTC_TEST_STACK';

export interface TestStack {
  temporalAddress: string;
  rpcUrl: string;
  databaseUrl: string;
  deployment: Deployment;
}

/** This jest worker's stack (globalSetup starts one per worker; JEST_WORKER_ID counts from 1). */
export function readStack(): TestStack {
  const raw = process.env[STACK_ENV];
  if (!raw) throw new Error(`${STACK_ENV} is not set: run the tests through jest (globalSetup starts the stack)`);
  const stacks = JSON.parse(raw) as TestStack[];
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  return stacks[(worker - 1) % stacks.length]!;
}
