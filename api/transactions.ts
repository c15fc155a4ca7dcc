/** /api/transactions/:phone?limit=5: a number's history, newest first, as the USSD and SMS channels show it. */
import { Hono } from 'hono';
import { z } from 'zod';
import { identifySubscriber } from '../lib/telco/detect';
import { historyView } from './views';
import { validate } from './validation';
import type { ApiContext } from './context';
import { mayReadNumber } from './tenancy';

export function transactionRoutes(ctx: ApiContext) {
  const { services } = ctx;
  return new Hono().get(
    '/:phone',
    validate('query', z.object({ limit: z.coerce.number().int().min(1).max(50).default(5) })),
    async (c) => {
      const subscriber = identifySubscriber(c.req.param('phone'));
      await mayReadNumber(ctx, c, subscriber.phoneNumber);
      const entries = await services.transfers.history(subscriber.phoneNumber, c.req.valid('query').limit);
      const rates = await services.rates.operatorRates();
      return c.json({ phoneNumber: subscriber.phoneNumber, transactions: entries.map((e) => historyView(e, rates)) });
    },
  );
}
