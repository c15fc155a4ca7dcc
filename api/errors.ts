/** The API's one error shape: { error: { code, message }, requestId }, the status from the failure list. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BridgeError, httpStatusOf, type FailureType } from '../lib/definitions/errors';

export { BridgeError };

export function errorBody(c: Context, code: string, message: string, details?: unknown) {
  return {
    error: { code, message, ...(details === undefined ? {} : { details }) },
    requestId: c.get('requestId') as string | undefined,
  };
}

/** The response for a failure type: one lookup for every route. */
export function failureResponse(c: Context, code: FailureType, message: string, details?: unknown) {
  // No price right now (the pool was pushed, or is not watched): a quote may work again in a few minutes.
  if (code === 'PriceUnavailable') c.header('Retry-After', '120');
  return c.json(errorBody(c, code, message, details), httpStatusOf(code) as ContentfulStatusCode);
}

/** Postgres refusing text it cannot store (a NUL, an untranslatable character): the request's value, not ours. */
export function isUnstorableText(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === '22021' || code === '22P05';
}

/** Postgres (or the path to it) gone for now: the caller may try again. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === '57P01';
}
