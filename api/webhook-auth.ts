/**
 * Gateway webhooks (/ussd*, /sms/inbound, /sms/delivery) answer only their gateway: a per-gateway secret in
 * X-Webhook-Secret, or as the password of HTTP Basic auth for gateways that only let one configure a URL
 * (https://gateway:<secret>@host/ussd), compared in constant time; and, when WEBHOOK_IP_ALLOWLIST is set, a
 * caller address inside it. Anything else is a 401 before the body is read, logged without the secret.
 * Africa's Talking's airtime callbacks (/at/airtime/*) are a gateway of their own (AT_CALLBACK_SECRET).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { clientIp, ipAllowlist } from './client-ip';
import { errorBody } from './errors';
import type { ApiContext } from './context';

export type Gateway = 'ussd' | 'sms' | 'africastalking';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Equal-length digests, so neither the length nor the first differing byte of the secret shows in timing. */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The secret a request carries, from X-Webhook-Secret or Basic auth's password. */
function presentedSecret(header: (name: string) => string | undefined): string | undefined {
  const explicit = header('x-webhook-secret');
  if (explicit !== undefined) return explicit;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header('authorization') ?? '')?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

export function webhookAuth(ctx: ApiContext, gateway: Gateway): MiddlewareHandler {
  const { config, log } = ctx.deps;
  const expected = {
    ussd: config.webhooks.ussdSecret,
    sms: config.webhooks.smsSecret,
    africastalking: config.webhooks.atCallbackSecret,
  }[gateway];
  const allowed = ipAllowlist(config.webhooks.ipAllowlist);
  const proxies = ipAllowlist(config.http.trustedProxies);
  return async (c, next) => {
    const ip = clientIp(c, proxies);
    const given = presentedSecret((name) => c.req.header(name));
    const reason =
      allowed && !allowed(ip)
        ? 'address not in WEBHOOK_IP_ALLOWLIST'
        : given === undefined
          ? 'no secret'
          : !secretMatches(given, expected)
            ? 'wrong secret'
            : undefined;
    if (reason === undefined) return next();
    log.warn(
      { gateway, path: c.req.path, ip: ip ?? 'unknown', reason, requestId: c.get('requestId') },
      'webhook refused',
    );
    return c.json(errorBody(c, 'Unauthorized', 'this webhook needs its gateway’s credentials'), 401);
  };
}
