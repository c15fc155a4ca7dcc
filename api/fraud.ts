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
import { BridgeError } from '../lib/definitions';
import { identifySubscriber } from '../lib/telco/detect';
import type { BlockKind, BlocklistEntry } from '../lib/db/fraud';
import { validate } from './validation';
import type { ApiContext } from './app';

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
const removeBody = party.and(z.object({ by: who }));

/** The entry a body names: a number normalised to E.164 (a bad one is a 400), or a lower-case address. */
function target(p: { phoneNumber?: string; wallet?: string }): { kind: BlockKind; value: string } {
  if (p.wallet !== undefined) return { kind: 'wallet', value: p.wallet.toLowerCase() };
  return { kind: 'phone', value: identifySubscriber(p.phoneNumber!).phoneNumber };
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
      const { entry, added } = await blocklist.add({ ...target(body), reason: body.reason, addedBy: body.by });
      return c.json({ entry: view(entry), added }, added ? 201 : 200);
    })
    .post('/blocklist/remove', validate('json', removeBody), async (c) => {
      const body = c.req.valid('json');
      const { kind, value } = target(body);
      const removed = await blocklist.remove(kind, value, body.by);
      if (!removed) throw new BridgeError('NotFound', 'not on the blocklist');
      return c.json({ entry: view(removed) });
    });
}
