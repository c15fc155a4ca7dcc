/**
 * Ops: reconciliation reports (the hourly schedule's and `npm run reconcile`'s). GET /api/reconciliations
 * lists the newest runs (`?limit=20`, `?status=mismatches`), each with its window, counts and status;
 * GET /api/reconciliations/:id is one run with every mismatch.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { BridgeError } from '../../lib/definitions';
import { createReconciliationRepo, type StoredReconciliation } from '../../lib/db/reconciliations';
import { validate } from '../validation';
import type { ApiContext } from '../context';

function runView(run: StoredReconciliation) {
  return {
    id: run.id,
    status: run.status,
    window: { since: run.windowStart.toISOString(), until: run.windowEnd.toISOString() },
    blocks: { from: run.fromBlock, to: run.toBlock },
    mismatchCount: run.mismatchCount,
    counts: run.counts,
    scope: run.scope,
    triggeredBy: run.triggeredBy,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
  };
}

export function reconciliationRoutes(ctx: ApiContext) {
  const runs = createReconciliationRepo(ctx.services.pool);
  return new Hono()
    .get(
      '/',
      validate(
        'query',
        z.object({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          status: z.enum(['clean', 'mismatches']).optional(),
        }),
      ),
      async (c) => {
        const { limit, status } = c.req.valid('query');
        return c.json({ reconciliations: (await runs.latest(limit, status)).map(runView) });
      },
    )
    .get('/:id', async (c) => {
      const run = await runs.get(c.req.param('id'));
      if (!run) throw new BridgeError('NotFound', 'no such reconciliation');
      return c.json({ ...runView(run), mismatches: run.mismatches ?? [] });
    });
}
