/**
 * What every real operator adapter shares: one HTTP client per operator API with one error model.
 *
 * - Each call has its own timeout (AbortSignal). A call that carries a money movement's reference and gets
 *   no clear answer (timeout, connection lost after sending, 5xx) may have committed: TelcoTimeoutError, and
 *   the caller settles it by status on the same reference. A call the operator certainly did not act on
 *   (connection refused, 429, 503, circuit open, queue full) is TelcoUnavailableError, safe to retry,
 *   with `retryAfterMs` when the operator said how long to wait (Retry-After).
 * - A 401 or 403 the adapter does not read itself is our configuration (keys, user, environment):
 *   OperatorAuthError, final like any refusal (nothing moved), counted for an alert; token-based adapters
 *   fetch a fresh token and try once more first (CachedToken.use).
 * - A 4xx the adapter does not read itself is final: OperatorRejectedError (type OperatorRejected, never
 *   retried). Adapters read the business refusals they know (bad number, insufficient funds, not allowed)
 *   and answer a rejected TelcoResult with a person-facing message instead.
 * - Per operator API: at most `maxConcurrent` calls in flight, at most `ratePerSecond` started, and a circuit
 *   breaker that opens after `breakerThreshold` consecutive retryable failures and lets one trial call
 *   through after `breakerCoolDownMs`: while open, calls fail at once, so a failing operator holds no
 *   worker slot and slows nothing else (the breaker, the slots and the start rate are in ./limits.ts; the
 *   ids derived from a reference in ./ids.ts; waiting for a payment to be final in ./polling.ts).
 * - Secrets (keys, tokens, basic auth) travel in headers only and are never logged: a log line has the
 *   operator, method, path, status, duration and reference, never headers or bodies.
 */
import { operatorAuthFailures, trackCircuit } from '../metrics';
import type { Logger } from '../log';
import { BridgeError } from '../definitions/errors';
import { TelcoTimeoutError, TelcoUnavailableError } from './types';
import { CircuitBreaker, Slots, StartRate, systemClock, type Clock } from './limits';

export interface OperatorHttpLimits {
  /** one call's timeout, and the longest a call waits for a slot */
  timeoutMs: number;
  /** calls in flight at once */
  maxConcurrent: number;
  /** calls started per second (0: no limit) */
  ratePerSecond: number;
  /** consecutive retryable failures that open the circuit */
  breakerThreshold: number;
  /** how long an open circuit fails fast before it lets one trial call through */
  breakerCoolDownMs: number;
}

export const DEFAULT_OPERATOR_LIMITS: OperatorHttpLimits = {
  timeoutMs: 15_000,
  maxConcurrent: 16,
  ratePerSecond: 20,
  breakerThreshold: 5,
  breakerCoolDownMs: 30_000,
};

/** A 4xx no retry can change (our request or the operator's rule): nothing moved. */
export class OperatorRejectedError extends BridgeError {
  constructor(
    readonly operator: string,
    readonly httpStatus: number,
    detail: string,
  ) {
    super('OperatorRejected', `${operator} refused the request (${httpStatus}): ${detail}`);
    this.name = 'OperatorRejectedError';
  }
}

/**
 * The operator refused our credentials, token or environment (401, 403): nothing happened, and no retry
 * helps until ops fix the configuration. Final (type OperatorRejected): a debit is refused with nothing
 * taken, a credit after a debit is refunded; txtc_operator_auth_failures_total alerts ops.
 */
export class OperatorAuthError extends OperatorRejectedError {
  constructor(operator: string, httpStatus = 401) {
    super(operator, httpStatus, 'our credentials were refused: check this operator’s keys and environment');
    this.name = 'OperatorAuthError';
  }
}

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** appended to the base URL */
  path: string;
  headers?: Record<string, string>;
  /** a JSON body */
  json?: unknown;
  /** a JSON body the caller wrote itself (Africa's Talking: exact decimal amounts as JSON numbers) */
  jsonText?: string;
  /** a form-encoded body */
  form?: Record<string, string>;
  /**
   * The money movement this call may commit. With it, a call without a clear answer is TelcoTimeoutError
   * (outcome unknown, settle by status); without it, TelcoUnavailableError.
   */
  reference?: string;
  /** non-2xx statuses the adapter reads itself (e.g. 404 on a status lookup, 409 on a reused id) */
  accept?: number[];
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** the parsed JSON body, the text when it is not JSON, undefined when empty */
  body: unknown;
}

/** Retry-After in milliseconds (seconds or an HTTP date), undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whether the connection was never made, so nothing can have reached the operator. */
function neverConnected(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } } | undefined)?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH';
}

export interface OperatorHttpOptions {
  /** the operator API's name in errors, logs and metrics, e.g. "momo" */
  operator: string;
  baseUrl: string;
  limits?: Partial<OperatorHttpLimits>;
  log?: Logger;
  clock?: Clock;
  fetch?: typeof fetch;
}

/** One operator API: its base URL, limits, circuit breaker and error model. */
export class OperatorHttp {
  readonly operator: string;
  readonly breaker: CircuitBreaker;
  private readonly limits: OperatorHttpLimits;
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly fetch: typeof fetch;
  private readonly slots: Slots;
  private readonly rate: StartRate;
  /** until when the operator asked us to hold off (429/503 with Retry-After) */
  private holdUntil = 0;

  constructor(private readonly options: OperatorHttpOptions) {
    this.operator = options.operator;
    this.limits = { ...DEFAULT_OPERATOR_LIMITS, ...options.limits };
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
    this.fetch = options.fetch ?? fetch;
    this.breaker = new CircuitBreaker(this.limits.breakerThreshold, this.limits.breakerCoolDownMs, this.clock);
    trackCircuit(this.operator, this.breaker);
    this.slots = new Slots(this.limits.maxConcurrent);
    this.rate = new StartRate(this.limits.ratePerSecond, this.clock);
  }

  async request(call: HttpCall): Promise<HttpAnswer> {
    const now = this.clock.now();
    if (now < this.holdUntil) {
      throw new TelcoUnavailableError(`${this.operator} asked us to wait (rate limited)`, this.holdUntil - now);
    }
    const gate = this.breaker.tryPass();
    if (!gate.pass) {
      throw new TelcoUnavailableError(`${this.operator} is failing; circuit open`, gate.retryAfterMs);
    }
    let outcome: 'ok' | 'retryable' | 'not sent' = 'not sent';
    try {
      // Waiting for a slot or a start is ours, not the operator's failing: it does not count against it.
      const deadline = now + (call.timeoutMs ?? this.limits.timeoutMs);
      if (!(await this.slots.acquire(deadline, this.clock))) {
        throw new TelcoUnavailableError(`${this.operator}: too many calls in flight; nothing sent`);
      }
      try {
        if (!(await this.rate.take(deadline))) {
          throw new TelcoUnavailableError(`${this.operator}: call rate limit reached; nothing sent`);
        }
        outcome = 'retryable';
        const answer = await this.send(call);
        outcome = 'ok';
        return answer;
      } catch (err) {
        // a final answer (a 4xx) proves the operator up
        if (outcome === 'retryable' && !(err instanceof TelcoTimeoutError || err instanceof TelcoUnavailableError)) {
          outcome = 'ok';
        }
        throw err;
      } finally {
        this.slots.release();
      }
    } finally {
      if (outcome === 'ok') this.breaker.succeeded(gate.trial);
      else if (outcome === 'retryable') this.breaker.failed(gate.trial);
      else if (gate.trial) this.breaker.release(); // the trial never reached the operator: let another try
    }
  }

  private async send(call: HttpCall): Promise<HttpAnswer> {
    const timeoutMs = call.timeoutMs ?? this.limits.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    let body: string | undefined;
    if (call.jsonText !== undefined) {
      headers['content-type'] = 'application/json';
      body = call.jsonText;
    } else if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(call.form).toString();
    }
    const started = this.clock.now();
    const where = { operator: this.operator, method: call.method, path: call.path, reference: call.reference };
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(`${this.baseUrl}${call.path}`, {
        method: call.method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const timedOut = (err as Error | undefined)?.name === 'TimeoutError';
      this.options.log?.warn({ ...where, timedOut, ms: this.clock.now() - started }, 'operator call without answer');
      if (neverConnected(err)) throw new TelcoUnavailableError(`${this.operator} unreachable; nothing sent`);
      const what = timedOut ? `no answer in ${timeoutMs} ms` : 'connection lost';
      if (call.reference) throw new TelcoTimeoutError(call.reference, `${this.operator}: ${what}; outcome unknown`);
      throw new TelcoUnavailableError(`${this.operator}: ${what}`);
    }
    this.options.log?.debug({ ...where, status: response.status, ms: this.clock.now() - started }, 'operator call');
    const answer: HttpAnswer = { status: response.status, headers: response.headers, body: parseBody(text) };
    if (response.ok || call.accept?.includes(response.status)) return answer;
    const status = response.status;
    if (status === 401 || status === 403) {
      operatorAuthFailures.inc({ operator: this.operator, status: String(status) });
      this.options.log?.error({ ...where, status }, 'operator refused our credentials: check its configuration');
      throw new OperatorAuthError(this.operator, status);
    }
    if (status === 429 || status === 503) {
      const wait = retryAfterMs(response.headers.get('retry-after'), this.clock.now());
      if (wait !== undefined) this.holdUntil = Math.max(this.holdUntil, this.clock.now() + wait);
      throw new TelcoUnavailableError(`${this.operator} answered ${status}; nothing done`, wait);
    }
    if (status >= 500) {
      if (call.reference) {
        throw new TelcoTimeoutError(call.reference, `${this.operator} answered ${status}; outcome unknown`);
      }
      throw new TelcoUnavailableError(`${this.operator} answered ${status}`);
    }
    throw new OperatorRejectedError(this.operator, status, errorCodeOf(answer.body) ?? 'no reason given');
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** An operator's error code from a JSON error body (`code`, `reason`, `errorCode`), short and without values. */
export function errorCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['code', 'reason', 'errorCode', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && /^[\w.-]{1,64}$/.test(value)) return value;
  }
  return undefined;
}

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * An access token kept until shortly before it expires, fetched once however many calls wait for it, and
 * fetched anew when the operator refuses it (401) before one repeat of the call.
 */
export class CachedToken {
  private current: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<{ token: string; expiresInSeconds: number }>,
    private readonly clock: Clock = systemClock,
    /** refresh this long before the operator's expiry */
    private readonly marginMs = 30_000,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.clock.now() < this.current.expiresAt) return this.current.token;
    this.pending ??= this.fetchToken()
      .then(({ token, expiresInSeconds }) => {
        const lifetime = Math.max(0, expiresInSeconds * 1000 - this.marginMs);
        this.current = { token, expiresAt: this.clock.now() + lifetime };
        return token;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  invalidate(): void {
    this.current = undefined;
  }

  /** Runs `call` with the token; on a 401 fetches a new token and runs it once more. */
  async use<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.get();
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof OperatorAuthError)) throw err;
      if (this.current?.token === token) this.invalidate();
      return call(await this.get());
    }
  }
}

/** Minor-unit digits of an ISO 4217 currency (UGX 0, KES 2), for operators that take amounts as decimals. */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An OAuth-style token answer (`access_token`, `expires_in` in seconds, as a number or a string). */
export function tokenFrom(answer: HttpAnswer, operator: string): { token: string; expiresInSeconds: number } {
  const body = answer.body as { access_token?: unknown; expires_in?: unknown } | undefined;
  if (typeof body?.access_token !== 'string')
    throw new TelcoUnavailableError(`${operator} answered a token without one`);
  const expiresIn = Number(body.expires_in);
  return { token: body.access_token, expiresInSeconds: Number.isFinite(expiresIn) ? expiresIn : 0 };
}
