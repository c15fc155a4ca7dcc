/**
 * /api/airtime: buy TXTC with airtime (starts a conversion workflow whose id comes from the
 * Idempotency-Key) and the current rates.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { conversionWorkflow } from '../workflows/conversion';
import { IDEMPOTENCY_KEY, conversionWorkflowId, type ConversionInput } from '../workflows/definitions';
import { identifySubscriber } from '../lib/telco/detect';
import { formatDecimal, parseDecimal } from '../lib/money/decimal';
import { airtimeForUsdCents, perTransactionLimitBreach, quoteConversion, type OperatorRate } from '../lib/money/conversion';
import { formatAirtime, formatTxtc, formatUsdCents } from '../lib/money/format';
import { ApiError } from './errors';
import { decimalAmount, validate } from './validation';
import { percentFromBps } from './views';
import type { ApiContext } from './app';

const buyBody = z.object({
  phoneNumber: z.string().min(6).max(20),
  airtimeAmount: decimalAmount,
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code').transform((c) => c.toUpperCase()).optional(),
  operator: z.string().min(2).max(40).optional(),
});

const TEMPORAL_CALL_TIMEOUT_MS = 5000;

export function transferLocation(id: string): string {
  return `/api/transfers/${encodeURIComponent(id)}`;
}

function requestHash(input: ConversionInput): string {
  return createHash('sha256').update(JSON.stringify([input.phoneNumber, input.operator, input.airtimeAmountMinor ?? null, input.usdCents ?? null])).digest('hex');
}

/** The airtime to debit for an amount as the request states it (MONEY.md: operator's currency unless USD). */
function airtimeOf(rate: OperatorRate, text: string, currency: string | undefined): { airtimeAmountMinor?: string; usdCents?: string; airtime: bigint } {
  if (currency === 'USD') {
    const usdCents = parseDecimal(text, 2);
    return { usdCents: usdCents.toString(), airtime: airtimeForUsdCents(usdCents, rate) };
  }
  if (currency !== undefined && currency !== rate.currency) {
    throw new ApiError(400, 'InvalidRequest', `currency must be ${rate.currency} or USD for this number`);
  }
  const airtime = parseDecimal(text, rate.minorDigits);
  return { airtimeAmountMinor: airtime.toString(), airtime };
}

export function airtimeRoutes(ctx: ApiContext) {
  const { deps, rates } = ctx;
  return new Hono()
    .post('/buy', validate('json', buyBody), async (c) => {
      const key = c.req.header('Idempotency-Key');
      if (!key || !IDEMPOTENCY_KEY.test(key)) {
        throw new ApiError(400, 'InvalidRequest', 'an Idempotency-Key header of 8-100 letters, digits, "-", "_", "." or ":" is required');
      }
      const body = c.req.valid('json');
      const subscriber = identifySubscriber(body.phoneNumber, body.operator);
      const rate = await rates.operatorRate(subscriber.operator);
      const { airtime, ...amountField } = airtimeOf(rate, body.airtimeAmount, body.currency);
      if (airtime <= 0n) throw new ApiError(400, 'InvalidRequest', 'airtimeAmount must be more than zero');

      // Early answer for amounts out of range; the workflow checks again (with the daily limit).
      const { limits } = deps.config;
      const breach = perTransactionLimitBreach(airtime, rate, limits);
      if (breach) {
        const [code, words, cents] = breach === 'below'
          ? ['AmountBelowMinimum', 'smallest', limits.minUsdCents] as const
          : ['AmountAboveMaximum', 'largest', limits.maxUsdCents] as const;
        throw new ApiError(400, code, `the ${words} purchase is ${formatUsdCents(cents)} (${formatAirtime(airtimeForUsdCents(cents, rate), rate.currency, rate.minorDigits)})`);
      }

      const input: ConversionInput = { channel: 'api', phoneNumber: subscriber.phoneNumber, operator: subscriber.operator, ...amountField };
      const workflowId = conversionWorkflowId('api', key);
      const fingerprint = requestHash(input);
      try {
        // A bounded wait: a gateway would rather get a 503 and retry with the same key (safe) than hang.
        await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () => deps.temporal.workflow.start<typeof conversionWorkflow>('conversionWorkflow', {
          taskQueue: deps.config.temporal.taskQueue,
          workflowId,
          args: [input],
          memo: { requestHash: fingerprint },
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        }));
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        // Same key: the same transfer, unless the key is being reused for a different request.
        const existing = await deps.temporal.workflow.getHandle(workflowId).describe();
        if (existing.memo?.requestHash !== fingerprint) {
          throw new ApiError(409, 'IdempotencyKeyReused', 'this Idempotency-Key was already used for a different request');
        }
      }
      c.header('Location', transferLocation(workflowId));
      return c.json({ id: workflowId, status: 'pending', links: { self: transferLocation(workflowId) } }, 202);
    })
    .get('/rates', validate('query', z.object({ operator: z.string().min(2).max(40).optional() })), async (c) => {
      const { operator } = c.req.valid('query');
      const all = await rates.operatorRates();
      const selected = operator ? [...all.values()].filter((r) => r.operator === operator.toLowerCase()) : [...all.values()];
      if (operator && selected.length === 0) throw new ApiError(404, 'UnknownOperator', `unknown operator "${operator}"; known: ${[...all.keys()].join(', ')}`);
      const txtc = await rates.txtcRate();
      const { fees, limits } = deps.config;
      return c.json({
        txtc: { perUsd: (txtc.numerator / txtc.denominator).toString(), perUsdDisplay: formatTxtc(txtc.numerator / txtc.denominator), numerator: txtc.numerator.toString(), denominator: txtc.denominator.toString(), source: txtc.source, decimals: 18 },
        fees: { platformFeePercent: percentFromBps(fees.platformFeeBps), platformFeeBps: fees.platformFeeBps.toString(), gasFeeTxtc: fees.gasFeeTxtc.toString() },
        limits: { minUsd: formatDecimal(limits.minUsdCents, 2), maxUsd: formatDecimal(limits.maxUsdCents, 2), dailyUsd: formatDecimal(limits.dailyUsdCents, 2) },
        operators: selected.map((r) => {
          const example = quoteConversion(airtimeForUsdCents(1000n, r), r, txtc, fees);
          return {
            operator: r.operator,
            currency: r.currency,
            minorDigits: r.minorDigits,
            airtimeMinorPerUsd: r.minorUnitsPerUsd.toString(),
            operatorFeePercent: percentFromBps(r.operatorFeeBps),
            example: { usd: '10.00', airtime: formatAirtime(example.airtimeAmountMinor, r.currency, r.minorDigits), txtcGross: formatTxtc(example.txtcGross), txtcNet: formatTxtc(example.txtcNet) },
          };
        }),
      });
    });
}
