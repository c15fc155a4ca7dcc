/**
 * Who may call what on /api/* (issue 12): a key from `npm run apikey` in `Authorization: Bearer <key>` or
 * `X-Api-Key`, looked up by its hash, holding the scope of the route (ROUTE_SCOPES). No key, an unknown or a
 * revoked one: 401; a live key without the scope: 403; both in the usual error shape, before any handler
 * runs, so nothing else happens. The key's id (never the key) joins the request's log scope and the context
 * (`c.get('apiKey')`). With API_KEYS_REQUIRED off (local mode's default) every route is open as before.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Actor } from '../lib/ops/actions';
import { TrieRouter } from 'hono/router/trie-router';
import { presentedApiKey, type ApiKeyScope } from '../lib/api-keys';
import { createApiKeyRepo } from '../lib/db/api-keys';
import { logScope } from '../lib/log';
import { failureResponse } from './errors';
import { opsNote, optionalJson } from './validation';
import type { ApiContext } from './context';

/** The key that authorised a request: its id and scopes, for handlers and logs. */
export interface ApiKeyIdentity {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  tenant: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    apiKey?: ApiKeyIdentity;
  }
}

/**
 * Each /api route and the scope it needs, in Hono's path syntax (docs/api.md lists the same). A route missing
 * here needs `ops`: a new route is never open to every key by accident.
 */
export const ROUTE_SCOPES: readonly (readonly ['GET' | 'POST', string, ApiKeyScope])[] = [
  ['POST', '/api/airtime/buy', 'airtime:write'],
  ['POST', '/api/airtime/transfer', 'airtime:write'],
  ['POST', '/api/transfers', 'transfers:write'],
  ['GET', '/api/transfers/:id', 'read'],
  ['GET', '/api/balance/:phone', 'read'],
  ['GET', '/api/transactions/:phone', 'read'],
  ['GET', '/api/airtime/rates', 'read'],
  ['POST', '/api/vouchers', 'vouchers:admin'],
  ['GET', '/api/vouchers/:id', 'vouchers:admin'],
  ['POST', '/api/vouchers/:id/revoke', 'vouchers:admin'],
  ['GET', '/api/pins/locked', 'ops'],
  ['POST', '/api/pins/:phone/reset', 'ops'],
  ['GET', '/api/reconciliations', 'ops'],
  ['GET', '/api/reconciliations/:id', 'ops'],
  ['GET', '/api/ops/alerts', 'ops'],
  ['POST', '/api/ops/alerts', 'ops'],
  ['GET', '/api/fraud/blocklist', 'ops'],
  ['POST', '/api/fraud/blocklist', 'ops'],
  ['POST', '/api/fraud/blocklist/remove', 'ops'],
  ['POST', '/api/ops/movements/:id/approve', 'ops'],
  ['POST', '/api/ops/movements/:id/reject', 'ops'],
  ['POST', '/api/ops/movements/:id/retry-refund', 'ops'],
];

const router = new TrieRouter<ApiKeyScope>();
for (const [method, path, scope] of ROUTE_SCOPES) router.add(method, path, scope);

/** The scope a request needs (HEAD as GET); `ops` for a route ROUTE_SCOPES does not list. */
export function requiredScope(method: string, path: string): ApiKeyScope {
  const [matches] = router.match(method === 'HEAD' ? 'GET' : method, path);
  return matches[0]?.[0] ?? 'ops';
}

/** Middleware for /api/*: the key and its scope, or 401/403 before anything else runs. */
export function apiKeyAuth(ctx: ApiContext): MiddlewareHandler {
  const { config, log, pool } = ctx.deps;
  if (!config.apiKeys.required) return (_c, next) => next();
  const keys = createApiKeyRepo(pool);
  return async (c, next) => {
    const presented = presentedApiKey((name) => c.req.header(name));
    const key = presented === undefined ? undefined : await keys.authenticate(presented);
    const requestId = c.get('requestId');
    if (!key) {
      const reason = presented === undefined ? 'no key' : 'unknown or revoked key';
      log.info({ path: c.req.path, method: c.req.method, reason, requestId }, 'API key refused');
      c.header('WWW-Authenticate', 'Bearer');
      return failureResponse(c, 'Unauthorized', 'this route needs an API key: Authorization: Bearer <key>');
    }
    const scope = requiredScope(c.req.method, c.req.path);
    if (!key.scopes.includes(scope)) {
      log.info({ path: c.req.path, method: c.req.method, apiKeyId: key.id, scope, requestId }, 'API key lacks scope');
      return failureResponse(c, 'Forbidden', `this API key does not have the "${scope}" scope this route needs`);
    }
    c.set('apiKey', { id: key.id, name: key.name, scopes: key.scopes, tenant: key.tenant });
    return logScope.run({ ...logScope.getStore(), apiKeyId: key.id }, next);
  };
}

/** Who an ops REST call acts as: the `by` its body names, else the key's name ('api' with keys off). */
export function restActor(c: Context, by?: string): Actor {
  const key = c.get('apiKey');
  return { name: by?.trim() || key?.name || 'api', ...(key ? { apiKeyId: key.id } : {}), channel: 'api' };
}

/** An ops REST call with an optional body (`{"reason", "by"}`): who acts, and why (`fallback` when unsaid). */
export async function restNote(c: Context, fallback: string): Promise<{ actor: Actor; reason: string }> {
  const body = await optionalJson(c, opsNote);
  return { actor: restActor(c, body.by), reason: body.reason || fallback };
}
