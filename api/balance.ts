/** /api/balance/:phone: the number's airtime (from its operator) and TXTC (its custodial wallet). */
import { Hono } from 'hono';
import { z } from 'zod';
import { identifySubscriber } from '../lib/telco/detect';
import { formatAirtime, formatTxtc } from '../lib/money/format';
import { validate } from './validation';
import type { ApiContext } from './context';
import { mayReadNumber } from './tenancy';

export function balanceRoutes(ctx: ApiContext) {
  const { rates, telco, wallets, txtc: token } = ctx.services;
  return new Hono().get(
    '/:phone',
    validate('query', z.object({ operator: z.string().min(2).max(40).optional() })),
    async (c) => {
      const subscriber = identifySubscriber(c.req.param('phone'), c.req.valid('query').operator);
      await mayReadNumber(ctx, c, subscriber.phoneNumber);
      const rate = await rates.operatorRate(subscriber.operator);
      const [airtime, walletAddress] = await Promise.all([
        telco.checkBalance(subscriber.phoneNumber, subscriber.operator),
        wallets.find(subscriber.phoneNumber),
      ]);
      const txtc = walletAddress ? await token.balanceOf(walletAddress) : 0n;
      return c.json({
        phoneNumber: subscriber.phoneNumber,
        operator: subscriber.operator,
        // null: a mobile-money operator (MoMo, Airtel Money) does not tell a merchant the balance
        airtime: {
          currency: airtime.currency,
          amountMinor: airtime.balanceMinor?.toString() ?? null,
          display:
            airtime.balanceMinor === null
              ? 'not reported by the operator'
              : formatAirtime(airtime.balanceMinor, airtime.currency, rate.minorDigits),
        },
        txtc: { walletAddress: walletAddress ?? null, amount: txtc.toString(), display: formatTxtc(txtc) },
      });
    },
  );
}
