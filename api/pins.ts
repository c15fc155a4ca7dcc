/** Ops: numbers whose PIN is locked after three wrong tries, and resetting a PIN (a new one on the next dial). */
import { Hono } from 'hono';
import { restNote } from './api-keys';
import type { ApiContext } from './context';

export function pinRoutes(ctx: ApiContext) {
  const { ussd } = ctx.services;
  return (
    new Hono()
      .get('/locked', async (c) => {
        const locked = await ussd.lockedNumbers();
        return c.json({ locked: locked.map((l) => ({ ...l, lockedAt: l.lockedAt.toISOString() })) });
      })
      // The body is optional: {"reason": "...", "by": "..."} for the audit.
      .post('/:phone/reset', async (c) => {
        const { actor, reason } = await restNote(c, 'PIN reset through the REST API');
        const phoneNumber = await ctx.ops.resetPin(actor, c.req.param('phone'), reason);
        return c.json({ phoneNumber, pinResetRequired: true });
      })
  );
}
