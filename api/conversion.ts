/**
 * /api/airtime (the conversion domain; the URL keeps the product's word): buy TXTC with airtime (starts a
 * conversion workflow whose id comes from the Idempotency-Key) and the current rates.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { BridgeError, conversionWorkflowId, type ConversionInput } from '../lib/definitions';
import { identifySubscriber } from '../lib/telco/detect';
import { formatDecimal, parseDecimal } from '../lib/money/decimal';
import {
  airtimeForUsdCents,
  perTransactionLimitBreach,
  quoteConversion,
  type OperatorRate,
} from '../lib/money/conversion';
import { formatAirtime, formatTxtc, formatUsdCents } from '../lib/money/format';
import { claimTenant, idempotencyHeader, startIdempotent, tenantKey } from './idempotency';
import { payerConsentOf, startedAnswer } from './transfers';
import { decimalAmount, validate } from './validation';
import { payerLimit } from './rate-limit';
import { percentFromBps } from './views';
import type { ApiContext } from './context';

const buyBody = z.object({
  phoneNumber: z.string().min(6).max(20),
  airtimeAmount: decimalAmount,
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code')
    .transform((c) => c.toUpperCase())
    .optional(),
  operator: z.string().min(2).max(40).optional(),
});

/** The airtime to debit for an amount as the request states it (MONEY.md: operator's currency unless USD). */
function airtimeOf(
  rate: OperatorRate,
  text: string,
  currency: string | undefined,
): { airtimeAmountMinor?: string; usdCents?: string; airtime: bigint } {
  if (currency === 'USD') {
    const usdCents = parseDecimal(text, 2);
    return { usdCents: usdCents.toString(), airtime: airtimeForUsdCents(usdCents, rate) };
  }
  if (currency !== undefined && currency !== rate.currency) {
    throw new BridgeError('InvalidRequest', `currency must be ${rate.currency} or USD for this number`);
  }
  const airtime = parseDecimal(text, rate.minorDigits);
  return { airtimeAmountMinor: airtime.toString(), airtime };
}

export function conversionRoutes(ctx: ApiContext) {
  const { deps, services } = ctx;
  const { rates } = services;
  const limitPayer = payerLimit(ctx.limits, ctx.deps.log);
  return new Hono()
    .post('/buy', validate('header', idempotencyHeader), validate('json', buyBody), async (c) => {
      const key = c.req.valid('header')['idempotency-key'];
      const body = c.req.valid('json');
      const subscriber = identifySubscriber(body.phoneNumber, body.operator);
      await limitPayer(c, subscriber.phoneNumber);
      const rate = await rates.operatorRate(subscriber.operator);
      const { airtime, ...amountField } = airtimeOf(rate, body.airtimeAmount, body.currency);
      if (airtime <= 0n) throw new BridgeError('InvalidRequest', 'airtimeAmount must be more than zero');

      // Early answer for amounts out of range; the workflow checks again (with the daily limit).
      const { limits } = deps.config;
      const breach = perTransactionLimitBreach(airtime, rate, limits);
      if (breach) {
        const [code, words, cents] =
          breach === 'below'
            ? (['AmountBelowMinimum', 'smallest', limits.minUsdCents] as const)
            : (['AmountAboveMaximum', 'largest', limits.maxUsdCents] as const);
        const shown = formatAirtime(airtimeForUsdCents(cents, rate), rate.currency, rate.minorDigits);
        throw new BridgeError(code, `the ${words} purchase is ${formatUsdCents(cents)} (${shown})`);
      }

      // The key that authorised the request goes on the record (c.get('apiKey') is unset with keys off).
      const apiKeyId = c.get('apiKey')?.id;
      const consent = payerConsentOf(ctx, c);
      const input: ConversionInput = {
        channel: 'api',
        phoneNumber: subscriber.phoneNumber,
        operator: subscriber.operator,
        ...amountField,
        ...(apiKeyId === undefined ? {} : { apiKeyId }),
        ...(consent ? { consent } : {}),
      };
      const { id, started } = await startIdempotent(deps.temporal, {
        workflowType: 'conversionWorkflow',
        workflowId: conversionWorkflowId('api', tenantKey(key, c.get('apiKey')?.tenant)),
        taskQueue: deps.config.temporal.taskQueue,
        args: [input],
        request: input,
        key: { pool: deps.pool, value: key, tenant: claimTenant(c.get('apiKey')?.tenant) },
      });
      return startedAnswer(ctx, c, id, started);
    })
    .get('/rates', validate('query', z.object({ operator: z.string().min(2).max(40).optional() })), async (c) => {
      const { operator } = c.req.valid('query');
      const all = await rates.operatorRates();
      const selected = operator
        ? [...all.values()].filter((r) => r.operator === operator.toLowerCase())
        : [...all.values()];
      if (operator && selected.length === 0) {
        throw new BridgeError('NotFound', `no rates for operator "${operator}"; known: ${[...all.keys()].join(', ')}`);
      }
      const txtc = await rates.txtcRate();
      const { fees, limits } = deps.config;
      return c.json({
        txtc: {
          perUsd: (txtc.numerator / txtc.denominator).toString(),
          perUsdDisplay: formatTxtc(txtc.numerator / txtc.denominator),
          numerator: txtc.numerator.toString(),
          denominator: txtc.denominator.toString(),
          source: txtc.source,
          decimals: 18,
        },
        fees: {
          platformFeePercent: percentFromBps(fees.platformFeeBps),
          platformFeeBps: fees.platformFeeBps.toString(),
          gasFeeTxtc: fees.gasFeeTxtc.toString(),
        },
        limits: {
          minUsd: formatDecimal(limits.minUsdCents, 2),
          maxUsd: formatDecimal(limits.maxUsdCents, 2),
          dailyUsd: formatDecimal(limits.dailyUsdCents, 2),
        },
        operators: selected.map((r) => {
          const example = quoteConversion(airtimeForUsdCents(1000n, r), r, txtc, fees);
          return {
            operator: r.operator,
            currency: r.currency,
            minorDigits: r.minorDigits,
            airtimeMinorPerUsd: r.minorUnitsPerUsd.toString(),
            operatorFeePercent: percentFromBps(r.operatorFeeBps),
            example: {
              usd: '10.00',
              airtime: formatAirtime(example.airtimeAmountMinor, r.currency, r.minorDigits),
              txtcGross: formatTxtc(example.txtcGross),
              txtcNet: formatTxtc(example.txtcNet),
            },
          };
        }),
      });
    });
}
