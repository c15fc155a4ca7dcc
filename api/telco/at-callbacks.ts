/**
 * Africa's Talking's airtime callbacks, behind AT_CALLBACK_SECRET like every gateway webhook
 * (api/webhook-auth.ts). AT posts them as JSON; a form-encoded post is read the same way.
 *
 * - POST /at/airtime/status `{requestId, status: Success|Failed, phoneNumber, description, discount, value}`:
 *   the outcome of an airtime send AT answered "Sent". Kept once per requestId (the first final word stands),
 *   it settles our record of the send (lib/db/at-airtime.ts), which the credit waiting on it reads. Any other
 *   status (an intermediate one) is acknowledged and changes nothing; so is a requestId we do not know yet
 *   (it is kept: AT's answer naming it may still be on its way to us).
 * - POST /at/airtime/validation `{transactionId, phoneNumber, sourceIpAddress, currencyCode, amount}`: AT asks
 *   whether a send is ours before it delivers. `Validated` only when we have an unsettled send of exactly that
 *   amount, currency and number; `Failed` otherwise, so nobody else can spend our AT balance.
 */
import { Hono, type Context } from 'hono';
import { z, type ZodType } from 'zod';
import { createAtAirtimeRepo } from '../../lib/db/at-airtime';
import { parseDecimal } from '../../lib/money/decimal';
import { checkedBody } from '../validation';
import { webhookAuth } from '../webhook-auth';
import type { ApiContext } from '../context';

const statusReport = z.object({
  requestId: z.string().regex(/^[\w.:-]{1,100}$/, 'must be an Africa’s Talking request id'),
  status: z.string().regex(/^[A-Za-z]{1,40}$/, 'must be a status word'),
  phoneNumber: z.string().max(20).optional(),
  description: z.string().max(200).optional(),
  discount: z.string().max(40).optional(),
  value: z.string().max(40).optional(),
});

const validationRequest = z.object({
  transactionId: z.string().min(1).max(100),
  phoneNumber: z.string().regex(/^\+\d{7,15}$/, 'must be an E.164 number'),
  sourceIpAddress: z.string().max(64).optional(),
  currencyCode: z.string().regex(/^[A-Z]{3}$/, 'must be a currency code'),
  amount: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount')]),
});

/** The callback's body, JSON or form; a 400 in the API's error shape when it does not fit. */
async function callbackBody<T extends ZodType>(c: Context, schema: T) {
  const json = (c.req.header('content-type') ?? '').includes('json');
  return checkedBody(c, schema, await (json ? c.req.json() : c.req.parseBody()).catch(() => undefined));
}

/** An amount AT wrote ("100", "100.5", "100.0000") in minor units of `digits`; undefined if it has finer parts. */
function amountMinor(amount: number | string, digits: number): bigint | undefined {
  const [whole = '', fraction = ''] = String(amount).split('.');
  const significant = fraction.replace(/0+$/, '');
  try {
    return parseDecimal(significant ? `${whole}.${significant}` : whole, digits);
  } catch {
    return undefined;
  }
}

export function atCallbackRoutes(ctx: ApiContext) {
  const { log } = ctx.deps;
  const requests = createAtAirtimeRepo(ctx.deps.pool);
  return new Hono()
    .use('*', webhookAuth(ctx, 'africastalking'))
    .post('/airtime/status', async (c) => {
      const body = await callbackBody(c, statusReport);
      if (!body.ok) return body.response;
      const report = body.data;
      if (report.status !== 'Success' && report.status !== 'Failed') {
        log.info({ atRequestId: report.requestId, status: report.status }, 'airtime status callback not final');
        return c.json({ status: 'ignored' });
      }
      const { known } = await requests.report({
        requestId: report.requestId,
        status: report.status,
        ...(report.description ? { description: report.description } : {}),
        ...(report.phoneNumber ? { phoneNumber: report.phoneNumber } : {}),
      });
      log.info(
        { atRequestId: report.requestId, status: report.status, known, phoneNumber: report.phoneNumber },
        'airtime status callback',
      );
      return c.json({ status: 'recorded' });
    })
    .post('/airtime/validation', async (c) => {
      const body = await callbackBody(c, validationRequest);
      if (!body.ok) return body.response;
      const asked = body.data;
      const ours = (await requests.unsettledTo(asked.phoneNumber, asked.currencyCode)).some(
        (r) => amountMinor(asked.amount, r.minorDigits) === r.amountMinor,
      );
      log.info(
        { transactionId: asked.transactionId, phoneNumber: asked.phoneNumber, validated: ours },
        'airtime validation callback',
      );
      return c.json({ status: ours ? 'Validated' : 'Failed' });
    });
}
