/**
 * Ops: the fraud blocklist. A listed number can neither send nor receive (the money workflows refuse it with
 * NumberBlocked whatever the channel); a listed wallet address can neither send nor receive TXTC. Every entry
 * says why and who; a removal keeps the entry with who removed it. Needs the `ops` scope once API keys are on.
 *
 * GET /api/fraud/blocklist, POST /api/fraud/blocklist {phoneNumber | wallet, reason, by},
 * POST /api/fraud/blocklist/remove {phoneNumber | wallet, by}.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { BlockKind, BlocklistEntry } from '../lib/db/fraud';
import { validate } from './validation';
import { restActor } from './api-keys';
import type { ApiContext } from './context';

const who = z.string().trim().min(1, 'is required').max(100);
const party = z
  .object({
    phoneNumber: z.string().max(32).optional(),
    wallet: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed address')
      .optional(),
  })
  .refine((p) => (p.phoneNumber === undefined) !== (p.wallet === undefined), {
    message: 'give exactly one of phoneNumber and wallet',
  });
const addBody = party.and(z.object({ reason: z.string().trim().min(1, 'is required').max(500), by: who }));
const removeBody = party.and(z.object({ by: who, reason: z.string().trim().max(500).optional() }));

/** The entry a body names (lib/ops/actions.ts normalises a number to E.164; a bad one is a 400). */
function target(p: { phoneNumber?: string; wallet?: string }): { kind: BlockKind; value: string } {
  return p.wallet !== undefined ? { kind: 'wallet', value: p.wallet } : { kind: 'phone', value: p.phoneNumber! };
}

const view = (e: BlocklistEntry) => ({
  kind: e.kind,
  value: e.value,
  reason: e.reason,
  addedBy: e.addedBy,
  createdAt: e.createdAt.toISOString(),
  removedBy: e.removedBy,
  removedAt: e.removedAt?.toISOString() ?? null,
});

export function fraudRoutes(ctx: ApiContext) {
  const { blocklist } = ctx.services;
  return new Hono()
    .get('/blocklist', async (c) => c.json({ entries: (await blocklist.list()).map(view) }))
    .post('/blocklist', validate('json', addBody), async (c) => {
      const body = c.req.valid('json');
      const { entry, added } = await ctx.ops.block(restActor(c, body.by), target(body), body.reason);
      return c.json({ entry: view(entry), added }, added ? 201 : 200);
    })
    .post('/blocklist/remove', validate('json', removeBody), async (c) => {
      const body = c.req.valid('json');
      const removed = await ctx.ops.unblock(
        restActor(c, body.by),
        target(body),
        body.reason || 'removed through the REST API',
      );
      return c.json({ entry: view(removed) });
    });
}
