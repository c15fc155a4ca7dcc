/**
 * Ops on one movement, by its workflow id (issue 26): approve or reject a held one, retry a failed refund.
 * The console's buttons call the same actions (lib/ops/actions.ts); each is audited. Body: {"reason", "by"?}.
 *
 * POST /api/ops/movements/:id/approve, /reject, /retry-refund.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { restActor } from '../api-keys';
import { validate } from '../validation';
import type { ApiContext } from '../context';

const decisionBody = z.object({
  reason: z.string().trim().min(1, 'is required').max(500),
  by: z.string().trim().max(100).optional(),
});

export function opsMovementRoutes(ctx: ApiContext) {
  return new Hono()
    .post('/:id/approve', validate('json', decisionBody), async (c) => {
      const body = c.req.valid('json');
      return c.json(await ctx.ops.approveHeld(restActor(c, body.by), c.req.param('id'), body.reason));
    })
    .post('/:id/reject', validate('json', decisionBody), async (c) => {
      const body = c.req.valid('json');
      return c.json(await ctx.ops.rejectHeld(restActor(c, body.by), c.req.param('id'), body.reason));
    })
    .post('/:id/retry-refund', validate('json', decisionBody), async (c) => {
      const body = c.req.valid('json');
      return c.json(await ctx.ops.retryRefund(restActor(c, body.by), c.req.param('id'), body.reason));
    });
}
