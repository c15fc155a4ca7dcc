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
 *   worker slot and slows nothing else.
 * - Secrets (keys, tokens, basic auth) travel in headers only and are never logged: a log line has the
 *   operator, method, path, status, duration and reference, never headers or bodies.
 */
import { operatorAuthFailures, trackCircuit } from '../metrics';
import { createHash } from 'node:crypto';
import type { Logger } from '../log';
import { BridgeError } from '../definitions/errors';
import { TelcoPendingError, TelcoTimeoutError, TelcoUnavailableError } from './types';

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

/** Time, injectable so tests move it instead of waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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

/** Opens after N consecutive retryable failures; half-open (one trial call) after the cool-down. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly threshold: number,
    private readonly coolDownMs: number,
    private readonly clock: Clock,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.clock.now() - this.openedAt >= this.coolDownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go now; in half-open state only one trial call at a time. */
  tryPass(): { pass: true; trial: boolean } | { pass: false; retryAfterMs: number } {
    const state = this.state;
    if (state === 'closed') return { pass: true, trial: false };
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return { pass: true, trial: true };
    }
    const waited = this.clock.now() - (this.openedAt ?? 0);
    return { pass: false, retryAfterMs: Math.max(1000, this.coolDownMs - waited) };
  }

  succeeded(trial: boolean): void {
    if (trial) this.trialInFlight = false;
    this.failures = 0;
    this.openedAt = undefined;
  }

  /** A trial call that never reached the operator: the next call may try. */
  release(): void {
    this.trialInFlight = false;
  }

  failed(trial: boolean): void {
    if (trial) this.trialInFlight = false;
    this.failures += 1;
    if (trial || this.failures >= this.threshold) this.openedAt = this.clock.now();
  }
}

/** At most `max` holders at once; a waiter gives up at its deadline. */
class Slots {
  private inUse = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly max: number) {}

  acquire(deadlineMs: number, clock: Clock): Promise<boolean> {
    if (this.inUse < this.max) {
      this.inUse += 1;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const granted = () => {
        clearTimeout(timer);
        this.waiting.delete(granted);
        this.inUse += 1;
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          this.waiting.delete(granted);
          resolve(false);
        },
        Math.max(0, deadlineMs - clock.now()),
      );
      this.waiting.add(granted);
    });
  }

  release(): void {
    this.inUse -= 1;
    const next = this.waiting.values().next();
    if (!next.done) next.value();
  }
}

/** A token bucket: `perSecond` calls a second, bursts up to one second's worth. */
class StartRate {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {
    this.tokens = perSecond;
    this.last = clock.now();
  }

  /** Waits for a token; false when none comes before the deadline. */
  async take(deadlineMs: number): Promise<boolean> {
    if (this.perSecond <= 0) return true;
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return true;
      }
      const wait = Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
      if (now + wait > deadlineMs) return false;
      await this.clock.sleep(wait);
    }
  }
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

/** The namespace of txtc-bridge's derived ids (a fixed random UUID). */
const REFERENCE_NAMESPACE = Buffer.from('5b0c2f9e6d4a4e1b8c3f7a9d2e6b1c40', 'hex');

function uuidOf(bytes: Buffer, version: 4 | 5): string {
  bytes[6] = (bytes[6]! & 0x0f) | (version << 4);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A UUID derived from a movement's reference (the version 5 construction: SHA-1 of a namespace and the
 * name), so every retry of a movement sends the operator the same id (Airtel's transaction id) and the
 * operator refuses or finds a repeat. MoMo asks for version 4: see uuidV4FromReference.
 */
export function uuidFromReference(reference: string): string {
  return uuidOf(createHash('sha1').update(REFERENCE_NAMESPACE).update(reference, 'utf8').digest().subarray(0, 16), 5);
}

/**
 * A version 4 UUID for a movement (MoMo's X-Reference-Id: its docs and the mtn-momo client accept only v4).
 * Its 122 free bits come from SHA-256 of a namespace and the reference instead of a random source, so a
 * retry, another worker or a replay sends the same id, with nothing to store first; to MoMo it is an
 * ordinary v4 id, as unpredictable without the reference as a random one.
 */
export function uuidV4FromReference(reference: string): string {
  return uuidOf(
    createHash('sha256').update(REFERENCE_NAMESPACE).update('v4:').update(reference, 'utf8').digest().subarray(0, 16),
    4,
  );
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

/**
 * Reads a payment's state until it is final (a person approving on the handset takes minutes), waiting
 * `initialMs` doubling up to `maxMs` between reads, for at most `waitMs`; still not final then, the movement
 * is pending (TelcoPendingError), settled later by status on the same reference.
 *
 * With `wake` (the operator's callback), the pause between reads is cut short: `woken` is asked every
 * `checkMs`, and when it says a callback came the state is read at once. The read decides, never the
 * callback; and a pause may then run to the deadline, since a callback can still end it.
 */
export async function pollUntilFinal<T>(p: {
  read: () => Promise<T | undefined>;
  isFinal: (state: T) => boolean;
  reference: string;
  operator: string;
  clock: Clock;
  waitMs: number;
  initialMs: number;
  maxMs: number;
  wake?: { woken: () => Promise<boolean>; checkMs: number };
}): Promise<T> {
  const deadline = p.clock.now() + p.waitMs;
  let pause = p.initialMs;
  for (;;) {
    const state = await p.read();
    if (state !== undefined && p.isFinal(state)) return state;
    const next = p.clock.now() + pause;
    if (!p.wake) {
      if (next > deadline) throw new TelcoPendingError(p.reference, p.operator);
      await p.clock.sleep(pause);
    } else if (!(await untilWoken(p.wake, Math.min(next, deadline), p.clock)) && next > deadline) {
      throw new TelcoPendingError(p.reference, p.operator);
    }
    pause = Math.min(pause * 2, p.maxMs);
  }
}

/** Waits until `until`, asking `woken` every `checkMs`; whether it said yes before then. */
async function untilWoken(
  wake: { woken: () => Promise<boolean>; checkMs: number },
  until: number,
  clock: Clock,
): Promise<boolean> {
  for (;;) {
    if (await wake.woken()) return true;
    const left = until - clock.now();
    if (left <= 0) return false;
    await clock.sleep(Math.min(wake.checkMs, left));
  }
}

/**
 * A poll's wake-up from the operator's callbacks (`latest`: the newest callback naming the payment, 0n for
 * none): true once one came that the wait has not seen. One already there when the wait begins does not
 * count, since the first read comes after it; a database error only means waiting for the next poll.
 */
export async function callbackWake(
  latest: () => Promise<bigint>,
  checkMs: number,
): Promise<{ woken: () => Promise<boolean>; checkMs: number }> {
  let seen = await latest().catch(() => 0n);
  return {
    checkMs,
    woken: async () => {
      const newest = await latest().catch(() => seen);
      if (newest <= seen) return false;
      seen = newest;
      return true;
    },
  };
}
