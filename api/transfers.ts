/**
 * /api/transfers: start a P2P transfer (airtime, TXTC or hybrid) and read any money movement's status.
 * POST /api/airtime/transfer (the description's route) shares the start path below.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  BridgeError,
  TRANSFER_WORKFLOWS,
  type PayerConsent,
  moneyStateQuery,
  transferWorkflowId,
  type TransferInput,
  type TransferKind,
} from '../lib/definitions';
import { identifySubscriber } from '../lib/telco/detect';
import { movementReader } from './tenancy';
import { parseDecimal } from '../lib/money/decimal';
import { TXTC_DECIMALS, formatUsdCents } from '../lib/money/format';
import { amountFromWire, quoteTransfer, usdLimitBreach } from '../lib/money/transfer';
import {
  TEMPORAL_CALL_TIMEOUT_MS,
  claimTenant,
  idempotencyHeader,
  startIdempotent,
  tenantKey,
  transferLocation,
} from './idempotency';
import { decimalAmount, validate } from './validation';
import { payerLimit } from './rate-limit';
import { conversionView, swapView, transferView, voucherView } from './views';
import type { ApiContext } from './context';
import type { Context } from 'hono';

const phone = z.string().min(6).max(20);
const operator = z.string().min(2).max(40).optional();

export const airtimeTransferBody = z.object({
  fromPhone: phone,
  toPhone: phone,
  amount: decimalAmount,
  currency: z
    .string()
    .regex(/^[A-Za-z]{3,4}$/, 'must be a currency code such as KES, USD or TXTC')
    .transform((c) => c.toUpperCase())
    .optional(),
  fromOperator: operator,
  toOperator: operator,
});

const transferBody = airtimeTransferBody.extend({ transferType: z.enum(['airtime', 'txtc', 'hybrid']) });

/** A transfer request as a workflow input: parties identified, the amount in integers (MONEY.md). */
async function transferInputOf(
  ctx: ApiContext,
  kind: TransferKind,
  body: z.infer<typeof airtimeTransferBody>,
  limitPayer: (phoneNumber: string) => Promise<void>,
): Promise<TransferInput> {
  const { rates } = ctx.services;
  const from = identifySubscriber(body.fromPhone, body.fromOperator);
  await limitPayer(from.phoneNumber);
  const to = identifySubscriber(body.toPhone, body.toOperator);
  if (from.phoneNumber === to.phoneNumber)
    throw new BridgeError('SelfTransfer', 'fromPhone and toPhone are the same number');
  const [fromRate, toRate] = await Promise.all([rates.operatorRate(from.operator), rates.operatorRate(to.operator)]);
  const input: TransferInput = {
    channel: 'api',
    kind,
    fromPhone: from.phoneNumber,
    fromOperator: from.operator,
    toPhone: to.phoneNumber,
    toOperator: to.operator,
  };
  const { currency } = body;
  if (currency === 'USD') {
    input.usdCents = parseDecimal(body.amount, 2).toString();
  } else if (kind === 'airtime') {
    if (currency !== undefined && currency !== fromRate.currency) {
      throw new BridgeError('InvalidRequest', `currency must be ${fromRate.currency} or USD for this sender`);
    }
    input.amountMinor = parseDecimal(body.amount, fromRate.minorDigits).toString();
  } else {
    if (currency !== undefined && currency !== 'TXTC')
      throw new BridgeError('InvalidRequest', 'a TXTC transfer is in TXTC or USD');
    input.txtcAmount = parseDecimal(body.amount, TXTC_DECIMALS).toString();
  }
  if (kind === 'airtime' && fromRate.currency !== toRate.currency) {
    throw new BridgeError(
      'UnsupportedTransfer',
      `airtime can be sent only within one currency (${fromRate.currency} to ${toRate.currency}); send TXTC instead`,
    );
  }
  // Early answer for amounts out of range; the workflow checks again, with the daily limit.
  const quote = quoteTransfer(kind, amountFromWire(input), fromRate, await rates.txtcRate(), ctx.deps.config.fees);
  const { limits } = ctx.deps.config;
  const breach = usdLimitBreach(quote.usdMicros, 0n, limits);
  if (breach === 'below')
    throw new BridgeError('AmountBelowMinimum', `the smallest transfer is ${formatUsdCents(limits.minUsdCents)}`);
  if (breach === 'above')
    throw new BridgeError('AmountAboveMaximum', `the largest transfer is ${formatUsdCents(limits.maxUsdCents)}`);
  return input;
}

/**
 * Starts the kind's workflow, id `transfer:api:<Idempotency-Key>`, and answers 202 with its Location. The key
 * that authorised the request goes on the record (none with keys off).
 */
export async function startTransfer(ctx: ApiContext, c: Context, key: string, request: TransferInput) {
  const apiKeyId = c.get('apiKey')?.id;
  const consent = payerConsentOf(ctx, c);
  const input: TransferInput = {
    ...request,
    ...(apiKeyId === undefined ? {} : { apiKeyId }),
    ...(consent ? { consent } : {}),
  };
  const { id, started } = await startIdempotent(ctx.deps.temporal, {
    workflowType: TRANSFER_WORKFLOWS[input.kind],
    workflowId: transferWorkflowId('api', tenantKey(key, c.get('apiKey')?.tenant)),
    taskQueue: ctx.deps.config.temporal.taskQueue,
    args: [input],
    request: input,
    key: { pool: ctx.deps.pool, value: key, tenant: claimTenant(c.get('apiKey')?.tenant) },
  });
  return startedAnswer(ctx, c, id, started);
}

/**
 * The payer's consent a REST debit waits for: every key but a `trusted` one (the operator's own channels)
 * needs the payer's YES <PIN>. With keys off (local development, never production) there is no key to trust.
 */
export function payerConsentOf(ctx: ApiContext, c: Context): PayerConsent | undefined {
  const key = c.get('apiKey');
  if (!key || key.scopes.includes('trusted')) return undefined;
  return { timeoutSeconds: ctx.deps.config.payerConsentTimeoutSeconds, requester: key.name, tenant: key.tenant };
}

/**
 * What a money POST answers: 202 with the status link when it started (or is still under way); a request
 * repeated once its movement is final answers 200 with the movement as it is now.
 */
export async function startedAnswer(ctx: ApiContext, c: Context, id: string, started: boolean) {
  c.header('Location', transferLocation(id));
  if (!started) {
    const [conversion, transfer] = await Promise.all([
      ctx.services.conversions.get(id),
      ctx.services.transfers.get(id),
    ]);
    if (conversion && conversion.status !== 'pending') return c.json(conversionView(conversion), 200);
    if (transfer && transfer.status !== 'pending')
      return c.json(
        transferView(transfer, (await ctx.services.rates.operatorRate(transfer.fromOperator)).minorDigits),
        200,
      );
  }
  return c.json({ id, status: 'pending', links: { self: transferLocation(id) } }, 202);
}

export function transferRoutes(ctx: ApiContext) {
  const { deps, services } = ctx;
  const notFound = () => new BridgeError('NotFound', 'no such transfer');
  const limitPayer = payerLimit(ctx.limits, ctx.deps.log);
  return new Hono()
    .post('/', validate('header', idempotencyHeader), validate('json', transferBody), async (c) => {
      const body = c.req.valid('json');
      return startTransfer(
        ctx,
        c,
        c.req.valid('header')['idempotency-key'],
        await transferInputOf(ctx, body.transferType, body, (phone) => limitPayer(c, phone)),
      );
    })
    .get('/:id', async (c) => {
      const id = c.req.param('id');
      // No workflow id is longer (keys and gateway ids are at most 128); a 100 kB one made Temporal hang.
      if (!/^(conversion|transfer|swap|voucher):/.test(id) || id.length > 300) throw notFound();
      // A tenant reads only its own transfers (ops keys read all): anything else is not found, as if absent.
      const reader = movementReader(ctx, c, id);
      if (!reader.byId) throw notFound();
      if (id.startsWith('voucher:')) {
        const voucher = await services.vouchers.get(id.slice('voucher:'.length));
        if (!voucher?.redeemedBy) throw notFound();
        return c.json(voucherView(voucher));
      }
      if (id.startsWith('swap:')) {
        const swap = await services.swaps.get(id);
        if (!swap) throw notFound();
        return c.json(swapView(swap, (await services.rates.operatorRate(swap.operator)).minorDigits));
      }
      const [conversion, transfer] = await Promise.all([services.conversions.get(id), services.transfers.get(id)]);
      if (conversion && !(await reader.byRecord(conversion.apiKeyId))) throw notFound();
      if (transfer && !(await reader.byRecord(transfer.apiKeyId))) throw notFound();
      if (conversion) return c.json(conversionView(conversion));
      if (transfer)
        return c.json(transferView(transfer, (await services.rates.operatorRate(transfer.fromOperator)).minorDigits));

      // Started but not yet recorded, or refused before a record existed: the workflow knows.
      const type = id.startsWith('transfer:') ? 'transfer' : 'conversion';
      const handle = deps.temporal.workflow.getHandle(id);
      try {
        const state = await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () =>
          handle.query(moneyStateQuery),
        );
        const failure = state.failure ? { code: state.failure.type, message: state.failure.message } : null;
        return c.json({ id, type, status: state.status, stage: state.stage, failure });
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) throw notFound();
      }
      // No worker answered the query: the closed workflow's result tells how it ended.
      const description = await deps.temporal.connection
        .withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () => handle.describe())
        .catch((e: unknown) => {
          throw e instanceof WorkflowNotFoundError ? notFound() : e;
        });
      if (description.status.name === 'RUNNING')
        return c.json({ id, type, status: 'pending', stage: 'started', failure: null });
      const failure = await handle.result().then(
        () => null,
        (e: unknown) => {
          const cause = e instanceof WorkflowFailedError ? e.cause : undefined;
          return cause instanceof ApplicationFailure
            ? { code: cause.type ?? 'Error', message: cause.message }
            : { code: description.status.name, message: 'the transfer did not complete' };
        },
      );
      return c.json({
        id,
        type,
        status: failure ? 'failed' : 'pending',
        stage: failure ? 'rejected' : 'started',
        failure,
      });
    });
}

/** POST /api/airtime/transfer: an airtime transfer, the body without transferType. */
export function airtimeTransferRoute(ctx: ApiContext) {
  const limitPayer = payerLimit(ctx.limits, ctx.deps.log);
  return new Hono().post('/', validate('header', idempotencyHeader), validate('json', airtimeTransferBody), async (c) =>
    startTransfer(
      ctx,
      c,
      c.req.valid('header')['idempotency-key'],
      await transferInputOf(ctx, 'airtime', c.req.valid('json'), (phone) => limitPayer(c, phone)),
    ),
  );
}
