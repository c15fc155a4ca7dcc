/**
 * Rate limits, counted in Postgres (rate_limit_counters) so every API process shares them: per client
 * address on /api and /dev (429 with Retry-After), per phone number on the USSD and SMS webhooks (a polite
 * END screen, or one polite SMS per window, and the gateway still gets its 2xx), and per API key on /api
 * (429 with Retry-After, counted once the key is known to be live and in scope).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { createRateLimitRepo, type RateLimitHit, type RateLimitRepo } from '../lib/db/rate-limits';
import { clientIp, ipAllowlist } from './client-ip';
import { BridgeError, errorBody } from './errors';
import { maskPhone, type Logger } from '../lib/log';
import type { Pool } from 'pg';
import type { Config } from '../lib/config';

export type Verdict =
  | { limited: false }
  | { limited: true; bucket: string; windowStart: Date; retryAfterSeconds: number };

/** A counted hit against its limit: over `limit` in the window it is limited. */
export function verdictOf(hit: RateLimitHit, limit: number, bucket: string): Verdict {
  if (hit.hits <= limit) return { limited: false };
  return { limited: true, bucket, windowStart: hit.windowStart, retryAfterSeconds: hit.retryAfterSeconds };
}

/** Counts one hit for `key` under `name` (e.g. ip:203.0.113.9); over `limit` in the window it is limited. 0: off. */
export function createLimiter(repo: RateLimitRepo, name: string, limit: number, windowSeconds: number) {
  return async (key: string): Promise<Verdict> => {
    if (limit === 0) return { limited: false };
    const bucket = `${name}:${key}`;
    return verdictOf(await repo.hit(bucket, windowSeconds), limit, bucket);
  };
}

/** The limits of one app: one repository, the configured windows. */
export function createRateLimits(deps: { pool: Pool; config: Config; log: Logger }) {
  const repo = createRateLimitRepo(deps.pool);
  const { windowSeconds, perIp, perPhone, perKey } = deps.config.rateLimits;
  const proxies = ipAllowlist(deps.config.http.trustedProxies);
  return {
    repo,
    /** USSD hops and inbound SMS of one number */
    phone: createLimiter(repo, 'phone', perPhone, windowSeconds),
    /** the same limit as a rule, for a USSD hop that counts itself in the statement that reads its session */
    phoneRule: { bucketOf: (phoneNumber: string) => `phone:${phoneNumber}`, limit: perPhone, windowSeconds },
    /** REST money requests paid by one number: apart from its USSD and SMS, so no API client uses those up */
    payer: createLimiter(repo, 'api-phone', perPhone, windowSeconds),
    /** REST requests of one client address; a request without one is not counted (see client-ip.ts) */
    ip: rateLimit(deps.log, createLimiter(repo, 'ip', perIp, windowSeconds), (c) => clientIp(c, proxies)),
    /** REST requests of one API key (its id); a request without one (keys off) is not counted */
    key: rateLimit(deps.log, createLimiter(repo, 'api-key', perKey, windowSeconds), (c) => c.get('apiKey')?.id),
    /** True once per limited bucket and window: the one caller that tells the person. */
    claimNotice: (v: Extract<Verdict, { limited: true }>) => repo.claimNotice(v.bucket, v.windowStart),
  };
}

/**
 * The REST money routes' per-number limit: counts one request paid by `phoneNumber` (normalised, so 0712... and
 * +254712... are one number) and, past RATE_LIMIT_PER_PHONE in the window, throws RateLimited: 429 with
 * Retry-After through the app's error handler, before anything starts.
 */
export function payerLimit(limits: RateLimits, log: Logger) {
  const { payer } = limits;
  return async (c: Context, phoneNumber: string): Promise<void> => {
    const verdict = await payer(phoneNumber);
    if (!verdict.limited) return;
    log.info(
      { phoneNumber: maskPhone(phoneNumber), path: c.req.path, requestId: c.get('requestId') },
      'rate limited: requests paid by one number',
    );
    c.header('Retry-After', String(verdict.retryAfterSeconds));
    throw new BridgeError(
      'RateLimited',
      `too many requests paid by this number; try again in ${verdict.retryAfterSeconds} s`,
    );
  };
}

/** Middleware: 429 with Retry-After once `keyOf`'s key is over its limit. */
export function rateLimit(
  log: Logger,
  limiter: (key: string) => Promise<Verdict>,
  keyOf: (c: Context) => string | undefined,
): MiddlewareHandler {
  return async (c, next) => {
    const key = keyOf(c);
    if (key === undefined) return next();
    const verdict = await limiter(key);
    if (!verdict.limited) return next();
    log.info({ bucket: verdict.bucket, path: c.req.path, requestId: c.get('requestId') }, 'rate limited');
    c.header('Retry-After', String(verdict.retryAfterSeconds));
    return c.json(errorBody(c, 'RateLimited', `too many requests; try again in ${verdict.retryAfterSeconds} s`), 429);
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
