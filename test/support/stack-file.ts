import type { Deployment } from '../../lib/chain/deployment';

/** globalSetup tells the test files (same process or jest workers) where this run's parts are. */
export const STACK_ENV = 'TXTC_TEST_STACK';

export interface TestStack {
  temporalAddress: string;
  rpcUrl: string;
  databaseUrl: string;
  deployment: Deployment;
}

export function readStack(): TestStack {
  const raw = process.env[STACK_ENV];
  if (!raw) throw new Error(`${STACK_ENV} is not set: run the tests through jest (globalSetup starts the stack)`);
  return JSON.parse(raw) as TestStack;
}
