/** Ops: numbers whose PIN is locked after three wrong tries, and resetting a PIN (a new one on the next dial). */
import { Hono } from 'hono';
import { restActor } from './api-keys';
import { opsNote, optionalJson } from './validation';
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
        const body = await optionalJson(c, opsNote);
        const phoneNumber = await ctx.ops.resetPin(
          restActor(c, body.by),
          c.req.param('phone'),
          body.reason || 'PIN reset through the REST API',
        );
        return c.json({ phoneNumber, pinResetRequired: true });
      })
  );
}
