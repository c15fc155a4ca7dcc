/** Development-only routes (APP_ENV=local): top up a simulated operator account. */
import { TelcoReferenceConflictError } from '../../lib/telco/types';
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { identifySubscriber } from '../../lib/telco/detect';
import { parseDecimal } from '../../lib/money/decimal';
import { formatAirtime } from '../../lib/money/format';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { BridgeError } from '../../lib/definitions';
import { decimalAmount, validate } from '../validation';
import type { ApiContext } from '../context';

const MAX_TOPUP_MINOR = 10n ** 15n;

const topupBody = z.object({
  phoneNumber: z.string().min(6).max(20),
  amount: decimalAmount,
  operator: z.string().min(2).max(40).optional(),
});

export function devRoutes(ctx: ApiContext) {
  const simulated = new SimulatedOperator(ctx.deps.pool);
  const { rates } = ctx.services;
  return new Hono().post('/telco/topup', validate('json', topupBody), async (c) => {
    const body = c.req.valid('json');
    const subscriber = identifySubscriber(body.phoneNumber, body.operator);
    const rate = await rates.operatorRate(subscriber.operator);
    const amountMinor = parseDecimal(body.amount, rate.minorDigits);
    // The simulated account holds a BIGINT of minor units: zero or more than it can hold is refused, not a 500.
    if (amountMinor <= 0n || amountMinor > MAX_TOPUP_MINOR)
      throw new BridgeError(
        'InvalidAmount',
        `amount must be more than zero and at most ${MAX_TOPUP_MINOR} minor units`,
      );
    const reference = `dev-topup:${c.req.header('Idempotency-Key') ?? randomUUID()}`;
    const result = await simulated
      .topUp(subscriber.phoneNumber, subscriber.operator, amountMinor, reference)
      .catch((e: unknown) => {
        // The key named another top-up (another number or amount): the caller's mistake, never a 500.
        if (e instanceof TelcoReferenceConflictError)
          throw new BridgeError('IdempotencyKeyReused', 'this Idempotency-Key was already used for another top-up');
        throw e;
      });
    const balance = result.balanceAfterMinor ?? 0n;
    return c.json({
      phoneNumber: subscriber.phoneNumber,
      operator: subscriber.operator,
      reference,
      // `amount` is read in the operator's currency (major units, "1000" is KES 1,000.00); answers are minor units.
      credited: {
        currency: rate.currency,
        amountMinor: amountMinor.toString(),
        display: formatAirtime(amountMinor, rate.currency, rate.minorDigits),
      },
      balance: {
        currency: rate.currency,
        amountMinor: balance.toString(),
        display: formatAirtime(balance, rate.currency, rate.minorDigits),
      },
    });
  });
}
