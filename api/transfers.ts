/**
 * /api/transfers/:id: any money movement's status, amounts, fees, rate, wallet and tx hash. The record
 * answers when there is one; otherwise the workflow's state query (one Temporal call, every kind answers
 * the same query name), and for a closed workflow no worker can replay, its result.
 */
import { Hono } from 'hono';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { BridgeError, conversionStateQuery } from '../workflows/definitions';
import { TEMPORAL_CALL_TIMEOUT_MS } from './idempotency';
import { conversionView } from './views';
import type { ApiContext } from './app';

/** Workflow-id prefixes of the money movements this route reports. */
const KINDS = ['conversion'] as const;

export function transferRoutes(ctx: ApiContext) {
  const { deps, services } = ctx;
  const notFound = () => new BridgeError('NotFound', 'no such transfer');
  return new Hono().get('/:id', async (c) => {
    const id = c.req.param('id');
    const kind = KINDS.find((k) => id.startsWith(`${k}:`));
    if (!kind) throw notFound();
    const record = await services.conversions.get(id);
    if (record) return c.json(conversionView(record));

    // Started but not yet recorded, or refused before a quote existed: the workflow knows.
    const handle = deps.temporal.workflow.getHandle(id);
    const deadline = () => Date.now() + TEMPORAL_CALL_TIMEOUT_MS;
    try {
      const state = await deps.temporal.connection.withDeadline(deadline(), () => handle.query(conversionStateQuery));
      return c.json({
        id,
        type: kind,
        status: state.status,
        stage: state.stage,
        failure: state.failure ? { code: state.failure.type, message: state.failure.message } : null,
      });
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw notFound();
    }
    // No worker answered the query: the closed workflow's result tells how it ended.
    const description = await handle.describe().catch((e: unknown) => {
      throw e instanceof WorkflowNotFoundError ? notFound() : e;
    });
    if (description.status.name === 'RUNNING')
      return c.json({ id, type: kind, status: 'pending', stage: 'started', failure: null });
    const failure = await handle.result().then(
      () => null,
      (e: unknown) => {
        const cause = e instanceof WorkflowFailedError ? e.cause : undefined;
        return cause instanceof ApplicationFailure
          ? { code: cause.type ?? 'Error', message: cause.message }
          : { code: description.status.name, message: 'the transfer did not complete' };
      },
    );
    return c.json({
      id,
      type: kind,
      status: failure ? 'failed' : 'pending',
      stage: failure ? 'rejected' : 'started',
      failure,
    });
  });
}
