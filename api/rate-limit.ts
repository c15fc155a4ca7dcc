/**
 * Rate limits, counted in Postgres (rate_limit_counters) so every API process shares them: per client
 * address on /api and /dev (429 with Retry-After), per phone number on the USSD and SMS webhooks (a polite
 * END screen, or one polite SMS per window, and the gateway still gets its 2xx). `rateLimit` takes any key,
 * so a per-API-key limit is one more `app.use` with the key's id.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { createRateLimitRepo, type RateLimitRepo } from '../lib/db/rate-limits';
import { clientIp } from './client-ip';
import { errorBody } from './errors';
import type { Logger } from '../lib/log';
import type { AppDeps } from './app';

export type Verdict =
  | { limited: false }
  | { limited: true; bucket: string; windowStart: Date; retryAfterSeconds: number };

/** Counts one hit for `key` under `name` (e.g. ip:203.0.113.9); over `limit` in the window it is limited. 0: off. */
export function createLimiter(repo: RateLimitRepo, name: string, limit: number, windowSeconds: number) {
  return async (key: string): Promise<Verdict> => {
    if (limit === 0) return { limited: false };
    const bucket = `${name}:${key}`;
    const hit = await repo.hit(bucket, windowSeconds);
    if (hit.hits <= limit) return { limited: false };
    return { limited: true, bucket, windowStart: hit.windowStart, retryAfterSeconds: hit.retryAfterSeconds };
  };
}

/** The limits of one app: one repository, the configured windows. */
export function createRateLimits(deps: AppDeps) {
  const repo = createRateLimitRepo(deps.pool);
  const { windowSeconds, perIp, perPhone } = deps.config.rateLimits;
  return {
    repo,
    /** USSD hops and inbound SMS of one number */
    phone: createLimiter(repo, 'phone', perPhone, windowSeconds),
    /** REST requests of one client address; a request without one is not counted (see client-ip.ts) */
    ip: rateLimit(deps.log, createLimiter(repo, 'ip', perIp, windowSeconds), (c) =>
      clientIp(c, deps.config.http.trustProxyHops),
    ),
    /** True once per limited bucket and window: the one caller that tells the person. */
    claimNotice: (v: Extract<Verdict, { limited: true }>) => repo.claimNotice(v.bucket, v.windowStart),
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
