/**
 * Starting a money-moving workflow from a POST, the same way on every route: the workflow id comes from
 * the Idempotency-Key, a fingerprint of the request is kept in the workflow's memo, the same key with the
 * same request answers the same transfer, the same key with another request is a 409, and a Temporal that
 * does not answer within a bounded wait is a 503 the caller can retry with the same key.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { BridgeError, IDEMPOTENCY_KEY, WORKFLOW_TASK_TIMEOUT } from '../lib/definitions';
import { DEFAULT_TENANT } from '../lib/api-keys';

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

/**
 * Claims the key for this workflow and request (api_idempotency_keys): a key first used on another route
 * (another workflow id) or for another request is refused, before anything starts.
 */
async function claimKey(
  pool: Pool,
  tenant: string,
  key: string,
  workflowId: string,
  requestHash: string,
): Promise<void> {
  await pool.query(
    `INSERT INTO api_idempotency_keys (tenant, key, workflow_id, request_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant, key) DO NOTHING`,
    [tenant, key, workflowId, requestHash],
  );
  const { rows } = await pool.query<{ workflow_id: string; request_hash: string }>(
    'SELECT workflow_id, request_hash FROM api_idempotency_keys WHERE tenant = $1 AND key = $2',
    [tenant, key],
  );
  const claimed = rows[0]!;
  if (claimed.workflow_id !== workflowId || claimed.request_hash !== requestHash)
    throw new BridgeError('IdempotencyKeyReused', 'this Idempotency-Key was already used for a different request');
}

export async function startIdempotent(
  temporal: Client,
  start: {
    workflowType: string;
    workflowId: string;
    taskQueue: string;
    args: unknown[];
    request: unknown;
    /** the caller's key, its tenant's ('' for the default tenant and keys off), and where keys are claimed */
    key?: { pool: Pool; value: string; tenant?: string };
  },
): Promise<{ id: string; started: boolean }> {
  const requestHash = fingerprint(start.request);
  if (start.key) await claimKey(start.key.pool, start.key.tenant ?? '', start.key.value, start.workflowId, requestHash);
  try {
    await temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () =>
      temporal.workflow.start(start.workflowType, {
        taskQueue: start.taskQueue,
        workflowId: start.workflowId,
        args: start.args,
        memo: { requestHash },
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
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

/**
 * The caller's part of a REST workflow id: the Idempotency-Key, behind its tenant (`acme~order-0001`) unless
 * the tenant is the default one (or keys are off), whose ids keep their shape. Neither a key nor a tenant
 * holds '~' or ':', so two tenants' order-0001 are two transfers and no key spells another tenant's id.
 */
export function tenantKey(key: string, tenant: string | undefined): string {
  return tenant === undefined || tenant === DEFAULT_TENANT ? key : `${tenant}~${key}`;
}

/** The tenant a key claims Idempotency-Keys under ('' for the default tenant and keys off). */
export function claimTenant(tenant: string | undefined): string {
  return tenant === undefined || tenant === DEFAULT_TENANT ? '' : tenant;
}
