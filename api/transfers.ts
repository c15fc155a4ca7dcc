/** /api/transfers/:id: a transfer's status, amounts, fees, rate, wallet and tx hash. */
import { Hono } from 'hono';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { conversionStateQuery } from '../workflows/definitions';
import { ApiError } from './errors';
import { conversionView } from './views';
import type { ApiContext } from './app';

export function transferRoutes(ctx: ApiContext) {
  const { deps, rates, conversions } = ctx;
  return new Hono().get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!id.startsWith('conversion:')) throw new ApiError(404, 'NotFound', 'no such transfer');
    const record = await conversions.get(id);
    if (record) {
      const rate = await rates.operatorRate(record.operator);
      return c.json(conversionView(record, rate.minorDigits));
    }
    // Started but not yet recorded, or refused before a quote existed: the workflow knows.
    const handle = deps.temporal.workflow.getHandle(id);
    let description;
    try {
      description = await handle.describe();
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new ApiError(404, 'NotFound', 'no such transfer');
      throw e;
    }
    if (description.status.name === 'RUNNING') {
      const state = await handle.query(conversionStateQuery).catch(() => undefined);
      return c.json({ id, type: 'conversion', status: 'pending', stage: state?.stage ?? 'started' });
    }
    const failure = await handle.result().then(
      () => null,
      (e: unknown) => {
        const cause = e instanceof WorkflowFailedError ? e.cause : undefined;
        return cause instanceof ApplicationFailure ? { code: cause.type ?? 'Error', message: cause.message } : { code: description.status.name, message: 'the transfer did not complete' };
      },
    );
    return c.json({ id, type: 'conversion', status: failure ? 'failed' : 'pending', stage: failure ? 'rejected' : 'started', failure });
  });
}
