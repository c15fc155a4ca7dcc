/**
 * Reconciliation of one window: on demand (an explicit window) or from the hourly schedule (the window
 * before the scheduled time, after a lag so its movements have settled). The activity does the matching and
 * stores the report; the workflow completes either way, and a report with mismatches is for ops to read.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReconcileActivities } from '../activities/reconcile';
import { windowBefore, type ReconciliationInput, type ReconciliationSummary } from '../lib/definitions/reconcile';

const { reconcileWindow } = proxyActivities<ReconcileActivities>({
  // Reads a window of records, the ledger and the chain's logs: minutes at most, retried a few times.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** When the schedule meant this run to start (a late or caught-up run still reconciles its own window). */
function scheduledTime(): Date {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes
    .getAll()
    .find((pair) => pair.key.name === 'TemporalScheduledStartTime')?.value;
  return scheduled instanceof Date ? scheduled : info.startTime;
}

export async function reconciliationWorkflow(input: ReconciliationInput = {}): Promise<ReconciliationSummary> {
  const window =
    input.since && input.until
      ? { since: new Date(input.since), until: new Date(input.until) }
      : windowBefore(scheduledTime(), input.windowMinutes, input.lagMinutes);
  const { workflowId } = workflowInfo();
  return await reconcileWindow({
    runId: workflowId,
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    phones: input.phones,
    ignoreReferencePrefixes: input.ignoreReferencePrefixes,
    ignoreReferences: input.ignoreReferences,
    triggeredBy: `workflow ${workflowId}`,
  });
}
