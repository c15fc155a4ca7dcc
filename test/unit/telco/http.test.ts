import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../../lib/log';
import {
  CachedToken,
  OperatorAuthError,
  OperatorHttp,
  OperatorRejectedError,
  basicAuth,
  retryAfterMs,
} from '../../../lib/telco/http';
import { type Clock } from '../../../lib/telco/limits';
import { TelcoTimeoutError, TelcoUnavailableError } from '../../../lib/telco/types';

/** A clock tests move by hand; sleeping moves it. */
function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void; slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms) => {
      now += ms;
    },
    slept,
  };
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** A fetch that answers from a script and records what it was asked. */
function scripted(...replies: Reply[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    return Promise.resolve(new Response(text === '' ? null : text, { status: reply.status, headers: reply.headers }));
  };
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const client = (fetch: typeof globalThis.fetch, clock: Clock = fakeClock(), limits = {}) =>
  new OperatorHttp({ operator: 'test-op', baseUrl: 'http://operator.test/', fetch, clock, limits });

test('a JSON call goes to the base URL with its headers and body, and the answer is parsed', async () => {
  const { fetch, calls } = scripted({ status: 200, body: { ok: true } });
  const answer = await client(fetch).request({
    method: 'POST',
    path: '/pay',
    headers: { 'x-reference-id': 'abc' },
    json: { amount: '100' },
  });
  expect(answer).toMatchObject({ status: 200, body: { ok: true } });
  expect(calls[0]!.url).toBe('http://operator.test/pay');
  expect(calls[0]!.init.body).toBe('{"amount":"100"}');
  expect(calls[0]!.init.headers).toMatchObject({ 'x-reference-id': 'abc', 'content-type': 'application/json' });
});

test('a form call is form-encoded', async () => {
  const { fetch, calls } = scripted({ status: 201 });
  await client(fetch).request({ method: 'POST', path: '/sms', form: { to: '+254712345678', message: 'a b&c' } });
  expect(calls[0]!.init.body).toBe('to=%2B254712345678&message=a+b%26c');
  expect(calls[0]!.init.headers).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded' });
});

test('a 5xx on a call carrying a reference leaves the outcome unknown; without one it is plain unavailability', async () => {
  const { fetch } = scripted({ status: 500 });
  const http = client(fetch);
  const err = await http.request({ method: 'POST', path: '/pay', reference: 'conv-1:debit' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TelcoTimeoutError);
  expect(err).toMatchObject({ code: 'TelcoTimeout', reference: 'conv-1:debit' });
  await expect(http.request({ method: 'GET', path: '/status' })).rejects.toThrow(TelcoUnavailableError);
});

test('a 4xx nobody reads is final (OperatorRejected) with the operator code; an accepted status is returned', async () => {
  const { fetch } = scripted({ status: 400, body: { code: 'INVALID_MSISDN', message: 'number +254712345678 bad' } });
  const http = client(fetch);
  const err = await http.request({ method: 'POST', path: '/pay', reference: 'r' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OperatorRejectedError);
  expect(err).toMatchObject({ code: 'OperatorRejected', httpStatus: 400 });
  expect((err as Error).message).toContain('INVALID_MSISDN');
  expect((err as Error).message).not.toContain('254712345678');
  expect(await http.request({ method: 'POST', path: '/pay', accept: [400] })).toMatchObject({ status: 400 });
});

test('a 429 honours Retry-After: the error says how long, and calls before then fail without reaching the operator', async () => {
  const clock = fakeClock();
  const { fetch, calls } = scripted({ status: 429, headers: { 'retry-after': '7' } }, { status: 200, body: {} });
  const http = client(fetch, clock);
  const err = await http.request({ method: 'GET', path: '/a' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TelcoUnavailableError);
  expect((err as TelcoUnavailableError).retryAfterMs).toBe(7000);
  clock.advance(3000);
  await expect(http.request({ method: 'GET', path: '/a' })).rejects.toMatchObject({ retryAfterMs: 4000 });
  expect(calls).toHaveLength(1);
  clock.advance(4000);
  expect(await http.request({ method: 'GET', path: '/a' })).toMatchObject({ status: 200 });
  expect(calls).toHaveLength(2);
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  expect(retryAfterMs('120', now)).toBe(120_000);
  expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
  expect(retryAfterMs('soon', now)).toBeUndefined();
  expect(retryAfterMs(null, now)).toBeUndefined();
});

test('a call without an answer in time: outcome unknown with a reference, unavailable without', async () => {
  const hanging = ((_url: string, init: RequestInit) =>
    new Promise((_resolve, reject) =>
      init.signal!.addEventListener('abort', () => reject(init.signal!.reason as Error)),
    )) as unknown as typeof fetch;
  const http = new OperatorHttp({ operator: 'slow', baseUrl: 'http://x', fetch: hanging, limits: { timeoutMs: 20 } });
  await expect(http.request({ method: 'POST', path: '/pay', reference: 'r-1' })).rejects.toThrow(TelcoTimeoutError);
  await expect(http.request({ method: 'GET', path: '/status' })).rejects.toThrow(TelcoUnavailableError);
});

test('an operator that refuses the connection is unavailable, nothing sent, even for a movement', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  const http = new OperatorHttp({ operator: 'gone', baseUrl: `http://127.0.0.1:${port}` });
  const err = await http.request({ method: 'POST', path: '/pay', reference: 'r' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TelcoUnavailableError);
  expect((err as Error).message).toContain('nothing sent');
});

test('the circuit opens after N retryable failures, fails fast, lets one trial through after the cool-down', async () => {
  const clock = fakeClock();
  const { fetch, calls } = scripted(
    { status: 502 },
    { status: 502 },
    { status: 502 },
    { status: 502 }, // the first trial fails: open again
    { status: 200, body: {} },
  );
  const http = client(fetch, clock, { breakerThreshold: 3, breakerCoolDownMs: 10_000 });
  for (let i = 0; i < 3; i++) await expect(http.request({ method: 'GET', path: '/s' })).rejects.toThrow();
  expect(http.breaker.state).toBe('open');
  const fast = await http.request({ method: 'GET', path: '/s' }).catch((e: unknown) => e);
  expect(fast).toBeInstanceOf(TelcoUnavailableError);
  expect((fast as Error).message).toContain('circuit open');
  expect(calls).toHaveLength(3);

  clock.advance(10_000);
  expect(http.breaker.state).toBe('half-open');
  await expect(http.request({ method: 'GET', path: '/s' })).rejects.toThrow(TelcoUnavailableError);
  expect(calls).toHaveLength(4);
  expect(http.breaker.state).toBe('open');

  clock.advance(10_000);
  expect(await http.request({ method: 'GET', path: '/s' })).toMatchObject({ status: 200 });
  expect(http.breaker.state).toBe('closed');
});

test('a final answer (4xx) does not count against the operator: the circuit stays closed', async () => {
  const { fetch } = scripted({ status: 502 }, { status: 502 }, { status: 400 }, { status: 502 }, { status: 502 });
  const http = client(fetch, fakeClock(), { breakerThreshold: 3 });
  for (let i = 0; i < 5; i++) await http.request({ method: 'GET', path: '/s' }).catch(() => undefined);
  expect(http.breaker.state).toBe('closed');
});

test('one operator with its circuit open slows nothing else: another operator still answers', async () => {
  const failing = client(scripted({ status: 503 }).fetch, fakeClock(), { breakerThreshold: 1 });
  const healthy = scripted({ status: 200, body: { ok: 1 } });
  const other = client(healthy.fetch);
  await expect(failing.request({ method: 'GET', path: '/' })).rejects.toThrow();
  expect(failing.breaker.state).toBe('open');
  expect(await other.request({ method: 'GET', path: '/' })).toMatchObject({ status: 200 });
});

test('at most maxConcurrent calls are in flight; the next starts when one ends', async () => {
  const releases: (() => void)[] = [];
  let started = 0;
  const held = (() => {
    started += 1;
    return new Promise<Response>((resolve) => releases.push(() => resolve(new Response('{}', { status: 200 }))));
  }) as unknown as typeof fetch;
  const http = new OperatorHttp({ operator: 'busy', baseUrl: 'http://x', fetch: held, limits: { maxConcurrent: 2 } });
  const all = [1, 2, 3].map(() => http.request({ method: 'GET', path: '/' }));
  await new Promise((r) => setImmediate(r));
  expect(started).toBe(2);
  releases.shift()!();
  await all[0];
  await new Promise((r) => setImmediate(r));
  expect(started).toBe(3);
  releases.forEach((release) => release());
  await Promise.all(all);
});

test('a caller waiting longer than the timeout for a slot gives up with nothing sent', async () => {
  let started = 0;
  const never = (() => {
    started += 1;
    return new Promise<Response>(() => undefined);
  }) as unknown as typeof fetch;
  const http = new OperatorHttp({
    operator: 'stuck',
    baseUrl: 'http://x',
    fetch: never,
    limits: { maxConcurrent: 1, timeoutMs: 20 },
  });
  void http.request({ method: 'GET', path: '/' }).catch(() => undefined);
  await expect(http.request({ method: 'GET', path: '/' })).rejects.toThrow(/too many calls in flight/);
  expect(started).toBe(1);
});

test('calls are started at most ratePerSecond a second: the third of three at 2/s waits half a second', async () => {
  const clock = fakeClock();
  const { fetch, calls } = scripted({ status: 200, body: {} });
  const http = client(fetch, clock, { ratePerSecond: 2 });
  for (let i = 0; i < 3; i++) await http.request({ method: 'GET', path: '/' });
  expect(calls).toHaveLength(3);
  expect(clock.slept).toEqual([500]);
});

test('a token is fetched once for concurrent callers, kept until shortly before expiry, then fetched again', async () => {
  const clock = fakeClock();
  let issued = 0;
  const tokens = new CachedToken(
    () => Promise.resolve({ token: `t${++issued}`, expiresInSeconds: 3600 }),
    clock,
    30_000,
  );
  expect(await Promise.all([tokens.get(), tokens.get(), tokens.get()])).toEqual(['t1', 't1', 't1']);
  clock.advance(3_570_000 - 1);
  expect(await tokens.get()).toBe('t1');
  clock.advance(1);
  expect(await tokens.get()).toBe('t2');
});

test('a call refused with 401 gets a fresh token and is made once more; a second 401 is the answer', async () => {
  let issued = 0;
  const tokens = new CachedToken(() => Promise.resolve({ token: `t${++issued}`, expiresInSeconds: 3600 }));
  const seen: string[] = [];
  const result = await tokens.use((token) => {
    seen.push(token);
    return token === 't1' ? Promise.reject(new OperatorAuthError('op')) : Promise.resolve('paid');
  });
  expect(result).toBe('paid');
  expect(seen).toEqual(['t1', 't2']);
  await expect(tokens.use(() => Promise.reject(new OperatorAuthError('op')))).rejects.toThrow(OperatorAuthError);
  expect(issued).toBe(3);
});

describe('against a real HTTP server', () => {
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.headers.authorization === basicAuth('user', 'key-secret-123') ? 200 : 401, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ access_token: 'tok-secret-456' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  test('a 401 is an auth error, and no log line carries a credential, a token or a full number', async () => {
    let logged = '';
    const log = createLogger('debug', 'test', {
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          logged += chunk.toString();
          done();
        },
      }),
    });
    const http = new OperatorHttp({ operator: 'real', baseUrl, log });
    const ok = await http.request({
      method: 'POST',
      path: '/token',
      headers: { authorization: basicAuth('user', 'key-secret-123') },
      json: { msisdn: '+254712345678' },
    });
    expect(ok.body).toEqual({ access_token: 'tok-secret-456' });
    await expect(
      http.request({ method: 'POST', path: '/token', headers: { authorization: basicAuth('user', 'wrong') } }),
    ).rejects.toThrow(OperatorAuthError);
    expect(logged).toContain('operator call');
    for (const secret of ['key-secret-123', 'tok-secret-456', basicAuth('user', 'key-secret-123'), '254712345678']) {
      expect(logged).not.toContain(secret);
    }
  });
});

test('an operator that said how long to wait reaches Temporal as a retryable failure with that next retry delay', async () => {
  const { createTelcoActivities } = await import('../../../activities/telco');
  const { ApplicationFailure } = await import('@temporalio/common');
  const failing = {
    name: 'op',
    checkBalance: () => Promise.reject(new TelcoUnavailableError('op answered 429', 7000)),
    debit: () => Promise.reject(new TelcoUnavailableError('op answered 503')),
    credit: () => Promise.reject(new Error('unused')),
    status: () => Promise.resolve(undefined),
  };
  const activities = createTelcoActivities({
    telco: failing,
    messaging: { name: 'm', sendSms: () => Promise.reject(new Error('unused')) },
    smsMessages: {} as never,
    log: createLogger('silent'),
  });
  const advised = await activities.checkAirtimeBalance('+256772123456', 'mtn-ug').catch((e: unknown) => e);
  expect(advised).toBeInstanceOf(ApplicationFailure);
  expect(advised).toMatchObject({ type: 'TelcoUnavailableError', nonRetryable: false, nextRetryDelay: 7000 });
  const plain = await activities
    .debitAirtime({ phoneNumber: '+256772123456', operator: 'mtn-ug', amountMinor: '1', reference: 'r' })
    .catch((e: unknown) => e);
  expect(plain).toBeInstanceOf(TelcoUnavailableError);
});
