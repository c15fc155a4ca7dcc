/**
 * MTN MoMo's and Airtel Money's callbacks: the final state of a payment, kept in operator_callbacks
 * (lib/db/operator-callbacks.ts) for the adapter waiting on it. A callback only wakes that wait: the adapter
 * then reads the payment's status from the operator, and that answer commits or rejects, so a forged or
 * mistaken callback moves no money. Neither operator sends a header of ours, so the secret is a segment of
 * the URL we give them (compared in constant time, never logged; this sub-app's error handler keeps the
 * path out of the log too), and WEBHOOK_IP_ALLOWLIST applies as to every webhook.
 *
 * - PUT or POST /momo/callback/<MOMO_CALLBACK_SECRET>/<collection|disbursement>/<X-Reference-Id>: MoMo's body
 *   is its status answer (`financialTransactionId`, `externalId`, `amount`, `currency`, `payer`/`payee`,
 *   `status`, `reason`) and need not carry the reference id, so the URL the adapter sent with the payment
 *   names it. MoMo PUTs; its sandbox may POST.
 * - POST /airtel/callback/<AIRTEL_CALLBACK_SECRET>: `{transaction: {id, message, status_code: TS|TF,
 *   airtel_money_id}}`, the URL configured once on Airtel's portal; `id` is our transaction id.
 *
 * Each distinct word about a payment is kept once: a repeated delivery is answered 200 and changes nothing.
 */
import { Hono, type Context } from 'hono';
import { z, type ZodType } from 'zod';
import { createOperatorCallbackRepo, type CallbackOperator } from '../../lib/db/operator-callbacks';
import { clientIp, ipAllowlist } from '../client-ip';
import { errorBody, failureResponse, isConnectionError, isUnstorableText } from '../errors';
import { checkedBody } from '../validation';
import { secretMatches } from '../webhook-auth';
import type { ApiContext } from '../context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const party = z.object({ partyIdType: z.string().max(20).optional(), partyId: z.string().max(40).optional() });

/** MoMo's callback: the fields of its status answer we know; anything else it adds is dropped. */
const momoCallback = z.object({
  financialTransactionId: z.string().max(64).optional(),
  externalId: z.string().max(200).optional(),
  amount: z.union([z.string().max(40), z.number()]).optional(),
  currency: z.string().max(3).optional(),
  payer: party.optional(),
  payee: party.optional(),
  status: z.string().regex(/^[A-Z_]{1,40}$/, 'must be a MoMo status such as SUCCESSFUL'),
  reason: z
    .union([z.string().max(100), z.object({ code: z.string().max(100), message: z.string().max(300).optional() })])
    .optional(),
});

/** Airtel's callback; an optional `hash` (Airtel's callback signing, not verified here) is not kept. */
const airtelCallback = z.object({
  transaction: z.object({
    id: z.string().regex(UUID, 'must be a transaction id of ours'),
    message: z.string().max(300).optional(),
    status_code: z.string().regex(/^[A-Z]{1,10}$/, 'must be an Airtel status code such as TS'),
    airtel_money_id: z.string().max(64).optional(),
  }),
});

/** The callback's JSON body; text that is not JSON is checked as nothing, so the 400 names the body. */
async function jsonBody<T extends ZodType>(c: Context, schema: T) {
  const text = await c.req.text();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  return checkedBody(c, schema, raw);
}

export function operatorCallbackRoutes(ctx: ApiContext) {
  const { config, log, pool } = ctx.deps;
  const callbacks = createOperatorCallbackRepo(pool);
  const allowed = ipAllowlist(config.webhooks.ipAllowlist);
  const proxies = ipAllowlist(config.http.trustedProxies);
  const secrets: Record<CallbackOperator, string> = {
    momo: config.webhooks.momoCallbackSecret,
    airtel: config.webhooks.airtelCallbackSecret,
  };

  /** Why the caller is refused (an address outside the allowlist, a wrong secret), or undefined. */
  const refusal = (c: Context, operator: CallbackOperator): Response | undefined => {
    const ip = clientIp(c, proxies);
    const reason =
      allowed && !allowed(ip)
        ? 'address not in WEBHOOK_IP_ALLOWLIST'
        : !secretMatches(c.req.param('secret') ?? '', secrets[operator])
          ? 'wrong secret'
          : undefined;
    if (reason === undefined) return undefined;
    log.warn({ gateway: operator, ip: ip ?? 'unknown', reason, requestId: c.get('requestId') }, 'webhook refused');
    return c.json(errorBody(c, 'Unauthorized', 'this callback needs its operator’s credentials'), 401);
  };

  const momo = async (c: Context) => {
    const refused = refusal(c, 'momo');
    if (refused) return refused;
    const product = c.req.param('product');
    const referenceId = c.req.param('referenceId') ?? '';
    if ((product !== 'collection' && product !== 'disbursement') || !UUID.test(referenceId)) {
      return failureResponse(c, 'NotFound', 'no such callback');
    }
    const body = await jsonBody(c, momoCallback);
    if (!body.ok) return body.response;
    const { reason, ...rest } = body.data;
    const reasonCode = typeof reason === 'string' ? reason : reason?.code;
    const { created } = await callbacks.record({
      operator: 'momo',
      product,
      referenceId: referenceId.toLowerCase(),
      status: body.data.status,
      ...(reasonCode ? { reason: reasonCode } : {}),
      raw: { ...rest, ...(reason === undefined ? {} : { reason }) },
    });
    log.info(
      { operator: 'momo', product, referenceId, status: body.data.status, reason: reasonCode, duplicate: !created },
      'operator callback',
    );
    return c.json({ status: created ? 'recorded' : 'duplicate' });
  };

  return new Hono()
    .onError((err, c) => {
      // The app's handler would log the path, which carries the secret.
      if (isUnstorableText(err)) {
        return c.json(errorBody(c, 'InvalidRequest', 'the callback contains characters that are not accepted'), 400);
      }
      if (isConnectionError(err)) {
        log.warn({ err: err.message, requestId: c.get('requestId') }, 'operator callback not kept');
        return failureResponse(c, 'Unavailable', 'try again');
      }
      log.error({ err, requestId: c.get('requestId') }, 'operator callback failed');
      return failureResponse(c, 'InternalError', 'something went wrong');
    })
    .put('/momo/callback/:secret/:product/:referenceId', momo)
    .post('/momo/callback/:secret/:product/:referenceId', momo)
    .post('/airtel/callback/:secret', async (c) => {
      const refused = refusal(c, 'airtel');
      if (refused) return refused;
      const body = await jsonBody(c, airtelCallback);
      if (!body.ok) return body.response;
      const { transaction } = body.data;
      const { created } = await callbacks.record({
        operator: 'airtel',
        product: '',
        referenceId: transaction.id.toLowerCase(),
        status: transaction.status_code,
        ...(transaction.message ? { reason: transaction.message } : {}),
        raw: { transaction },
      });
      log.info(
        { operator: 'airtel', referenceId: transaction.id, status: transaction.status_code, duplicate: !created },
        'operator callback',
      );
      return c.json({ status: created ? 'recorded' : 'duplicate' });
    });
}
