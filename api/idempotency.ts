/**
 * Starting a money-moving workflow from a POST, the same way on every route: the workflow id comes from
 * the Idempotency-Key, a fingerprint of the request is kept in the workflow's memo, the same key with the
 * same request answers the same transfer, the same key with another request is a 409, and a Temporal that
 * does not answer within a bounded wait is a 503 the caller can retry with the same key.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { BridgeError, IDEMPOTENCY_KEY } from '../workflows/definitions';

export const TEMPORAL_CALL_TIMEOUT_MS = 5000;

/** The Idempotency-Key header, validated by the shared zod hook (header names arrive lower-cased). */
export const idempotencyHeader = z.object({
  'idempotency-key': z
    .string({ error: 'an Idempotency-Key header is required' })
    .regex(IDEMPOTENCY_KEY, 'an Idempotency-Key header of 8-100 letters, digits, "-", "_" or "." is required'),
});

export function transferLocation(id: string): string {
  return `/api/transfers/${encodeURIComponent(id)}`;
}

/** A stable fingerprint of what was asked, compared when a key comes back. */
export function fingerprint(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

export async function startIdempotent(
  temporal: Client,
  start: { workflowType: string; workflowId: string; taskQueue: string; args: unknown[]; request: unknown },
): Promise<{ id: string; started: boolean }> {
  const requestHash = fingerprint(start.request);
  try {
    await temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () =>
      temporal.workflow.start(start.workflowType, {
        taskQueue: start.taskQueue,
        workflowId: start.workflowId,
        args: start.args,
        memo: { requestHash },
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      }),
    );
    return { id: start.workflowId, started: true };
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // Same key: the same transfer, unless the key is being reused for a different request.
    const existing = await temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () =>
      temporal.workflow.getHandle(start.workflowId).describe(),
    );
    if (existing.memo?.requestHash !== requestHash) {
      throw new BridgeError('IdempotencyKeyReused', 'this Idempotency-Key was already used for a different request');
    }
    return { id: start.workflowId, started: false };
  }
}
