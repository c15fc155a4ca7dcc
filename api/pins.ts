/** Ops: numbers whose PIN is locked after three wrong tries, and resetting a PIN (a new one on the next dial). */
import { Hono } from 'hono';
import { BridgeError } from '../lib/definitions';
import { identifySubscriber } from '../lib/telco/detect';
import type { ApiContext } from './app';

export function pinRoutes(ctx: ApiContext) {
  const { ussd } = ctx.services;
  return new Hono()
    .get('/locked', async (c) => {
      const locked = await ussd.lockedNumbers();
      return c.json({ locked: locked.map((l) => ({ ...l, lockedAt: l.lockedAt.toISOString() })) });
    })
    .post('/:phone/reset', async (c) => {
      const { phoneNumber } = identifySubscriber(c.req.param('phone'));
      if (!(await ussd.resetPin(phoneNumber)))
        throw new BridgeError('NotFound', 'no USSD registration for this number');
      return c.json({ phoneNumber, pinResetRequired: true });
    });
}
