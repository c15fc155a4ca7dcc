import { proxyActivities } from '@temporalio/workflow';
import type { SystemActivities } from '../activities/system';
import type { SystemCheckResult } from './definitions';

const { checkDependencies } = proxyActivities<SystemActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 ms' },
});

/** Proves the worker, the dev server and the activities' Postgres and chain are wired together. */
export async function systemCheckWorkflow(): Promise<SystemCheckResult> {
  return await checkDependencies();
}
