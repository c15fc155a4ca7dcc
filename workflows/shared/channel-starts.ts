/**
 * What a channel's workflow (one SMS, one USSD session) does to money workflows: it starts each as an
 * abandoned child (the movement outlives the message or the session) under an id derived from the request,
 * so a start repeated after a replay, a reset or a redelivery starts nothing new; and it passes a payer's
 * YES or NO to the request waiting for it.
 */
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  getExternalWorkflowHandle,
  startChild,
  type Workflow,
} from '@temporalio/workflow';
import { smsConfirmationSignal, type SmsConfirmationSignal } from '../../lib/definitions/sms';
import { WORKFLOW_TASK_TIMEOUT } from '../../lib/definitions/common';

/** Starts `workflow` as `workflowId` with `input`; one of that id started already is the same request. */
export async function startMoneyWorkflow<W extends Workflow>(
  workflow: W,
  workflowId: string,
  input: Parameters<W>[0],
): Promise<void> {
  try {
    await startChild<Workflow>(workflow, {
      workflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [input],
    });
  } catch (e) {
    if (!(e instanceof Error && e.name === 'WorkflowExecutionAlreadyStartedError')) throw e;
  }
}

/** Passes the answer to the request `workflowId`; false when that request has ended (expired, answered). */
export async function answerWaitingRequest(workflowId: string, answer: SmsConfirmationSignal): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(workflowId).signal(smsConfirmationSignal, answer);
    return true;
  } catch {
    return false;
  }
}
