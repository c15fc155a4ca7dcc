/**
 * The engine's ceiling for a workflow shaped like ours: the same number of local and regular activities,
 * each a no-op. The benchmarks run it on the same server as the real flow and print the ratio.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { noopActivities } from './ceiling-activities';

const regular = proxyActivities<typeof noopActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<typeof noopActivities>({ startToCloseTimeout: '30 seconds' });

export async function ceilingWorkflow(shape: { local: number; regular: number }): Promise<number> {
  let calls = 0;
  for (let i = 0; i < shape.local; i++) calls += await local.noop();
  for (let i = 0; i < shape.regular; i++) calls += await regular.noop();
  return calls;
}
