/**
 * API keys and scopes on the real stack (issue 12): keys created with `npm run apikey`'s own function (and once
 * through the script itself), every /api route called with no key, an unknown key, a revoked key, a key without
 * the route's scope and one with it. Refused calls are 401/403 in the usual error shape and start nothing; the
 * key's id, never the key, is in the request's log lines and on every record the key creates; a key past
 * RATE_LIMIT_PER_KEY is refused with 429 until its window ends.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { ROUTE_SCOPES } from '../../api/api-keys';
import { createActivities } from '../../activities';
import { API_KEY_SCOPES, newApiKey, type ApiKeyScope } from '../../lib/api-keys';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { createUssdRepo } from '../../lib/db/ussd';
import { createLogger } from '../../lib/log';
import { hashPin } from '../../lib/pins';
import { apiKeyCommand } from '../../scripts/apikey';
import { DEV_API_KEY_NAME, renewDevApiKey } from '../../scripts/local/dev-api-key';
import { conversionWorkflowId, transferWorkflowId } from '../../lib/definitions';
import type { Config } from '../../lib/config';
import { openStack, testLog, withWorker, type TestStackHandle } from '../support/stack';
import { newSafaricomNumber, topUp } from '../support/money';
import { gatewayHeaders } from '../support/webhooks';

const ROOT = resolve(__dirname, '..', '..');

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack({ API_KEYS_REQUIRED: 'true' });
});
afterAll(async () => {
  await stack.close();
});

type App = ReturnType<typeof createApp>;

/** Lines an app logs, kept as text and parsed. */
function capturedLog() {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return {
    log: createLogger('info', 'api', { destination }),
    raw,
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** An app requiring keys on a worker's task queue of its own; `patch` adjusts the configuration. */
function withApp<T>(
  fn: (app: App, log: ReturnType<typeof capturedLog>) => Promise<T>,
  patch: (c: Config) => Config = (c) => c,
  keysRequired = true,
): Promise<T> {
  const captured = capturedLog();
  return withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) => {
    const config = patch({ ...stack.config, temporal: { ...stack.config.temporal, taskQueue } });
    expect(config.apiKeys.required).toBe(keysRequired);
    return fn(createApp({ ...stack.runtime, config, temporal: stack.client, log: captured.log }), captured);
  });
}

/** A key made the way `npm run apikey -- create` makes one; the key as the command printed it. */
async function createKey(
  scopes: string,
  name = `test-${randomUUID().slice(0, 8)}`,
): Promise<{ id: string; key: string }> {
  const out: string[] = [];
  const code = await apiKeyCommand(
    ['create', '--name', name, '--scopes', scopes],
    createApiKeyRepo(stack.runtime.pool),
    (l) => out.push(l),
  );
  expect(code).toBe(0);
  const text = out.join('\n');
  return { id: /id:\s+(ak_\S+)/.exec(text)![1]!, key: /key:\s+(txtc_\S+)/.exec(text)![1]! };
}

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await stack.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * One concrete request per route of ROUTE_SCOPES, and how to tell that a refused one changed nothing.
 * Each call builds fresh ids, so a refused and an allowed call never share one.
 */
function routeCalls(fixture: { payer: string; receiver: string; locked: string }) {
  const json = { 'content-type': 'application/json' };
  const call = (
    method: 'GET' | 'POST',
    path: string,
    extra: { headers?: Record<string, string>; body?: unknown } = {},
  ) => ({
    method,
    path,
    init: {
      method,
      headers: { ...json, ...extra.headers },
      ...(extra.body === undefined ? {} : { body: JSON.stringify(extra.body) }),
    },
  });
  const routes: Record<string, () => { call: ReturnType<typeof call>; nothingHappened?: () => Promise<void> }> = {
    'POST /api/airtime/buy': () => {
      const key = `keys-buy-${randomUUID()}`;
      return {
        call: call('POST', '/api/airtime/buy', {
          headers: { 'Idempotency-Key': key },
          body: { phoneNumber: fixture.payer, airtimeAmount: '1', currency: 'USD' },
        }),
        nothingHappened: async () => expect(await workflowExists(conversionWorkflowId('api', key))).toBe(false),
      };
    },
    'POST /api/airtime/transfer': () => {
      const key = `keys-send-${randomUUID()}`;
      return {
        call: call('POST', '/api/airtime/transfer', {
          headers: { 'Idempotency-Key': key },
          body: { fromPhone: fixture.payer, toPhone: fixture.receiver, amount: '1', currency: 'USD' },
        }),
        nothingHappened: async () => expect(await workflowExists(transferWorkflowId('api', key))).toBe(false),
      };
    },
    'POST /api/transfers': () => {
      const key = `keys-transfer-${randomUUID()}`;
      return {
        call: call('POST', '/api/transfers', {
          headers: { 'Idempotency-Key': key },
          body: {
            fromPhone: fixture.payer,
            toPhone: fixture.receiver,
            amount: '1',
            currency: 'USD',
            transferType: 'airtime',
          },
        }),
        nothingHappened: async () => expect(await workflowExists(transferWorkflowId('api', key))).toBe(false),
      };
    },
    'GET /api/transfers/:id': () => ({ call: call('GET', '/api/transfers/conversion:api:keys-no-such') }),
    'GET /api/balance/:phone': () => ({ call: call('GET', `/api/balance/${encodeURIComponent(fixture.payer)}`) }),
    'GET /api/transactions/:phone': () => ({
      call: call('GET', `/api/transactions/${encodeURIComponent(fixture.payer)}`),
    }),
    'GET /api/airtime/rates': () => ({ call: call('GET', '/api/airtime/rates') }),
    'POST /api/vouchers': () => {
      const note = `keys-voucher-${randomUUID()}`;
      return {
        call: call('POST', '/api/vouchers', { body: { amount: '1', note } }),
        nothingHappened: async () => {
          const { rows } = await stack.runtime.pool.query('SELECT 1 FROM vouchers WHERE note = $1', [note]);
          expect(rows).toEqual([]);
        },
      };
    },
    'GET /api/vouchers/:id': () => ({ call: call('GET', '/api/vouchers/v_keys_no_such') }),
    'POST /api/vouchers/:id/revoke': () => ({ call: call('POST', '/api/vouchers/v_keys_no_such/revoke') }),
    'GET /api/pins/locked': () => ({ call: call('GET', '/api/pins/locked') }),
    'POST /api/pins/:phone/reset': () => ({
      call: call('POST', `/api/pins/${encodeURIComponent(fixture.locked)}/reset`),
      nothingHappened: async () => {
        const profile = await createUssdRepo(stack.runtime.pool).profile(fixture.locked);
        expect(profile?.pinLockedAt).toBeInstanceOf(Date);
      },
    }),
    'GET /api/reconciliations': () => ({ call: call('GET', '/api/reconciliations') }),
    'GET /api/reconciliations/:id': () => ({ call: call('GET', '/api/reconciliations/keys-no-such-run') }),
    'GET /api/ops/alerts': () => ({ call: call('GET', '/api/ops/alerts') }),
    'POST /api/ops/alerts': () => {
      const fingerprint = `keys-alert-${randomUUID()}`;
      return {
        call: call('POST', '/api/ops/alerts', {
          body: {
            alerts: [{ status: 'firing', labels: { alertname: 'TxtcKeysTest', severity: 'warning' }, fingerprint }],
          },
        }),
        nothingHappened: async () => {
          const { rows } = await stack.runtime.pool.query('SELECT 1 FROM ops_alerts WHERE fingerprint = $1', [
            fingerprint,
          ]);
          expect(rows).toEqual([]);
        },
      };
    },
    'GET /api/fraud/blocklist': () => ({ call: call('GET', '/api/fraud/blocklist') }),
    'POST /api/fraud/blocklist': () => ({
      call: call('POST', '/api/fraud/blocklist', {
        body: { phoneNumber: fixture.receiver, reason: 'keys test', by: 'test' },
      }),
      nothingHappened: async () => {
        const { rows } = await stack.runtime.pool.query('SELECT 1 FROM fraud_blocklist WHERE value = $1', [
          fixture.receiver,
        ]);
        expect(rows).toEqual([]);
      },
    }),
    'POST /api/ops/movements/:id/approve': () => {
      const id = `transfer:api:keys-no-such-${randomUUID()}`;
      return {
        call: call('POST', `/api/ops/movements/${encodeURIComponent(id)}/approve`, { body: { reason: 'keys test' } }),
        nothingHappened: async () => {
          const { rows } = await stack.runtime.pool.query('SELECT 1 FROM ops_audit WHERE target = $1', [id]);
          expect(rows).toEqual([]);
        },
      };
    },
    'POST /api/ops/movements/:id/reject': () => {
      const id = `transfer:api:keys-no-such-${randomUUID()}`;
      return {
        call: call('POST', `/api/ops/movements/${encodeURIComponent(id)}/reject`, { body: { reason: 'keys test' } }),
        nothingHappened: async () => {
          const { rows } = await stack.runtime.pool.query('SELECT 1 FROM ops_audit WHERE target = $1', [id]);
          expect(rows).toEqual([]);
        },
      };
    },
    'POST /api/ops/movements/:id/retry-refund': () => {
      const id = `transfer:api:keys-no-such-${randomUUID()}`;
      return {
        call: call('POST', `/api/ops/movements/${encodeURIComponent(id)}/retry-refund`, {
          body: { reason: 'keys test' },
        }),
        nothingHappened: async () => {
          const { rows } = await stack.runtime.pool.query('SELECT 1 FROM ops_audit WHERE target = $1', [id]);
          expect(rows).toEqual([]);
        },
      };
    },
    'POST /api/fraud/blocklist/remove': () => ({
      call: call('POST', '/api/fraud/blocklist/remove', { body: { phoneNumber: fixture.locked, by: 'test' } }),
    }),
  };
  return routes;
}

/** A number with airtime, another to send to, and a registered number whose PIN is locked. */
async function fixture() {
  const payer = newSafaricomNumber();
  const receiver = newSafaricomNumber();
  const locked = newSafaricomNumber();
  await topUp(stack.runtime.pool, payer, 'safaricom-ke', 1_000_000n);
  const ussd = createUssdRepo(stack.runtime.pool);
  await ussd.setPin(locked, await hashPin('2468'));
  await ussd.completeRegistration(locked, 'en');
  await stack.runtime.pool.query(
    'UPDATE ussd_profiles SET pin_locked_at = now(), pin_failed_attempts = 3 WHERE phone_number = $1',
    [locked],
  );
  return { payer, receiver, locked };
}

test('the scope table names routes the app serves, and this file calls each of them', async () => {
  await withApp(async (app) => {
    const served = new Set(app.routes.map((r) => `${r.method} ${r.path}`));
    const table = ROUTE_SCOPES.map(([m, p]) => `${m} ${p}`);
    expect(table.filter((route) => !served.has(route))).toEqual([]);
    expect(Object.keys(routeCalls({ payer: '', receiver: '', locked: '' })).sort()).toEqual([...table].sort());
  });
});

test('every /api route: no key, an unknown key, a revoked key 401; another scope 403; nothing happens; its own scope passes', async () => {
  const f = await fixture();
  const routes = routeCalls(f);
  const keys = Object.fromEntries(
    await Promise.all(API_KEY_SCOPES.map(async (scope) => [scope, await createKey(scope)] as const)),
  ) as Record<ApiKeyScope, { id: string; key: string }>;
  const revoked = await createKey(API_KEY_SCOPES.join(','));
  expect(await createApiKeyRepo(stack.runtime.pool).revoke(revoked.id)).toMatchObject({ revokedAt: expect.any(Date) });
  const unknown = newApiKey().key;

  await withApp(async (app) => {
    for (const [method, path, scope] of ROUTE_SCOPES) {
      const route = routes[`${method} ${path}`]!;
      const refusals: [string, Record<string, string>, number, string][] = [
        ['no key', {}, 401, 'Unauthorized'],
        ['an unknown key', bearer(unknown), 401, 'Unauthorized'],
        ['a malformed key', bearer('not-a-key'), 401, 'Unauthorized'],
        ['a revoked key', bearer(revoked.key), 401, 'Unauthorized'],
        ...API_KEY_SCOPES.filter((s) => s !== scope).map(
          (other) =>
            [`a ${other} key`, bearer(keys[other].key), 403, 'Forbidden'] as [
              string,
              Record<string, string>,
              number,
              string,
            ],
        ),
      ];
      for (const [what, headers, status, code] of refusals) {
        const { call, nothingHappened } = route();
        const res = await app.request(call.path, { ...call.init, headers: { ...call.init.headers, ...headers } });
        const body = (await res.json()) as { error: { code: string; message: string }; requestId: string };
        expect({ route: `${method} ${path}`, what, status: res.status, code: body.error.code }).toEqual({
          route: `${method} ${path}`,
          what,
          status,
          code,
        });
        expect(body.requestId).toEqual(expect.any(String));
        if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
        else expect(body.error.message).toContain(`"${scope}"`);
        await nothingHappened?.();
      }
      // The route's own scope, through either header: past the key check (whatever the route then answers).
      const { call } = route();
      const allowed = await app.request(call.path, {
        ...call.init,
        headers: { ...call.init.headers, 'x-api-key': keys[scope].key },
      });
      const refused = allowed.status === 401 || allowed.status === 403;
      expect({ route: `${method} ${path}`, refused }).toEqual({ route: `${method} ${path}`, refused: false });
    }
  });
});

test('a right-scope key moves money as before; the key is used, its id (never the key) in the log; revoked, it stops at once', async () => {
  const f = await fixture();
  // trusted: this test is about the key, not the payer's consent (test/security/consent.test.ts)
  const writer = await createKey('airtime:write,read,trusted');
  await withApp(async (app, captured) => {
    const idempotencyKey = `keys-ok-${randomUUID()}`;
    const res = await app.request('/api/airtime/buy', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': idempotencyKey, ...bearer(writer.key) },
      body: JSON.stringify({ phoneNumber: f.payer, airtimeAmount: '5', currency: 'USD' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(await stack.client.workflow.getHandle(id).result()).toMatchObject({ status: 'completed' });
    const status = await app.request(`/api/transfers/${id}`, { headers: bearer(writer.key) });
    expect(await status.json()).toMatchObject({ id, status: 'completed' });

    const listed = (await createApiKeyRepo(stack.runtime.pool).list()).find((k) => k.id === writer.id);
    expect(listed).toMatchObject({
      scopes: ['airtime:write', 'read', 'trusted'],
      revokedAt: null,
      lastUsedAt: expect.any(Date),
    });

    // A line logged inside a request carries the key's id from the log scope; the key itself is nowhere.
    await app.request('/api/airtime/rates?operator=no-such-operator', { headers: bearer(writer.key) });
    const forbidden = await app.request('/api/reconciliations', { headers: bearer(writer.key) });
    expect(forbidden.status).toBe(403);
    const lines = captured.lines();
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'API key lacks scope', apiKeyId: writer.id, scope: 'ops' }),
    );
    expect(captured.raw.join('\n')).not.toContain(writer.key);

    const out: string[] = [];
    expect(await apiKeyCommand(['revoke', writer.id], createApiKeyRepo(stack.runtime.pool), (l) => out.push(l))).toBe(
      0,
    );
    expect(out.join('\n')).toMatch(new RegExp(`^revoked ${writer.id} .*revoked=\\d{4}-`));
    const after = await app.request(`/api/transfers/${id}`, { headers: bearer(writer.key) });
    expect(after.status).toBe(401);
    expect(captured.lines()).toContainEqual(
      expect.objectContaining({
        msg: 'API key refused',
        reason: 'unknown or revoked key',
        path: `/api/transfers/${id}`,
      }),
    );
    expect(captured.raw.join('\n')).not.toContain(writer.key);
  });
});

test('a line a handler logs carries the key id from the request log scope', async () => {
  const f = await fixture();
  const writer = await createKey('airtime:write,trusted');
  await withApp(
    async (app, captured) => {
      const buy = () =>
        app.request('/api/airtime/buy', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'Idempotency-Key': `keys-scope-${randomUUID()}`,
            ...bearer(writer.key),
          },
          body: JSON.stringify({ phoneNumber: f.payer, airtimeAmount: '1', currency: 'USD' }),
        });
      expect((await buy()).status).toBe(202);
      expect((await buy()).status).toBe(429);
      // Logged by the per-number limit inside the handler: the scope added the key id (the call site did not).
      expect(captured.lines()).toContainEqual(
        expect.objectContaining({ msg: 'rate limited: requests paid by one number', apiKeyId: writer.id }),
      );
    },
    (c) => ({ ...c, rateLimits: { ...c.rateLimits, perPhone: 1, windowSeconds: 3600 } }),
  );
});

test('health, metrics and the webhooks need no API key (the webhooks keep their own secret)', async () => {
  await withApp(async (app) => {
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/metrics')).status).toBe(200);
    const res = await app.request('/sms/inbound', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: new URLSearchParams({ from: '+14155550123', to: '12345', text: 'HELP', id: `ATXid_${randomUUID()}` }),
    });
    expect(res.status).toBe(200);
    const forged = await app.request('/sms/inbound', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer((await createKey('ops')).key) },
      body: new URLSearchParams({ from: '+14155550123', to: '12345', text: 'HELP', id: `ATXid_${randomUUID()}` }),
    });
    expect(forged.status).toBe(401);
  });
});

test("a conversion, a transfer and a hybrid's conversion leg started with a key carry its id on their records and in GET /api/transfers/:id", async () => {
  const f = await fixture();
  const partner = await createKey('transfer,read,trusted');
  const other = await createKey('read');
  await withApp(async (app) => {
    const post = async (path: string, body: unknown) => {
      const res = await app.request(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'Idempotency-Key': `keys-record-${randomUUID()}`,
          ...bearer(partner.key),
        },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      expect(await stack.client.workflow.getHandle(id).result()).toMatchObject({ status: 'completed' });
      return id;
    };
    const conversion = await post('/api/airtime/buy', { phoneNumber: f.payer, airtimeAmount: '2', currency: 'USD' });
    const transfer = await post('/api/airtime/transfer', {
      fromPhone: f.payer,
      toPhone: f.receiver,
      amount: '1',
      currency: 'USD',
    });
    // $5 of TXTC is 500; the payer holds the 196 its buy minted, so a conversion leg buys the rest.
    const hybrid = await post('/api/transfers', {
      fromPhone: f.payer,
      toPhone: f.receiver,
      amount: '5',
      currency: 'USD',
      transferType: 'hybrid',
    });

    const { rows } = await stack.runtime.pool.query<{ id: string; api_key_id: string | null }>(
      `SELECT id, api_key_id FROM airtime_transactions WHERE id = ANY($1)
       UNION ALL SELECT id, api_key_id FROM p2p_transfers WHERE id = ANY($1) ORDER BY id`,
      [[conversion, transfer, hybrid, `${hybrid}:convert`]],
    );
    expect(rows).toEqual(
      [conversion, transfer, hybrid, `${hybrid}:convert`].sort().map((id) => ({ id, api_key_id: partner.id })),
    );
    // Shown to any reader of the movement (the id names the key; the key itself is never stored or shown).
    for (const id of [conversion, transfer, hybrid]) {
      const res = await app.request(`/api/transfers/${encodeURIComponent(id)}`, { headers: bearer(other.key) });
      expect(await res.json()).toMatchObject({ id, apiKeyId: partner.id });
    }
  });
});

test('with keys off the API starts movements with no key id, as USSD and SMS do', async () => {
  const f = await fixture();
  await withApp(
    async (app) => {
      const res = await app.request('/api/airtime/buy', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': `keys-off-${randomUUID()}` },
        body: JSON.stringify({ phoneNumber: f.payer, airtimeAmount: '1', currency: 'USD' }),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      expect(await stack.client.workflow.getHandle(id).result()).toMatchObject({ status: 'completed' });
      expect(await (await app.request(`/api/transfers/${id}`)).json()).toMatchObject({ id, apiKeyId: null });
    },
    (c) => ({ ...c, apiKeys: { required: false } }),
    false,
  );
});

test('past RATE_LIMIT_PER_KEY a key gets 429 with Retry-After, another key does not, and it recovers after the window', async () => {
  const perKey = 3;
  const [busy, calm] = [await createKey('read'), await createKey('read')];
  await withApp(
    async (app) => {
      const get = (key: string) => app.request('/api/transfers/conversion:api:keys-no-such', { headers: bearer(key) });
      // A fixed window may turn between two requests: within 2 * limit + 1 the limit trips for sure.
      let limited: Response | undefined;
      for (let i = 0; i < 2 * perKey + 1 && !limited; i++) {
        const res = await get(busy.key);
        if (res.status === 429) limited = res;
        else expect(res.status).toBe(404);
      }
      expect(limited).toBeDefined();
      const retryAfter = Number(limited!.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(2);
      expect(await limited!.json()).toMatchObject({ error: { code: 'RateLimited' }, requestId: expect.any(String) });
      expect((await get(calm.key)).status).toBe(404);
      await sleep(retryAfter * 1000 + 100);
      expect((await get(busy.key)).status).toBe(404);
    },
    (c) => ({ ...c, rateLimits: { ...c.rateLimits, perKey, windowSeconds: 2 } }),
  );
});

test("npm start's development key: every scope, and each start revokes the last one and makes a fresh one", async () => {
  const first = await renewDevApiKey(stack.config.databaseUrl);
  const second = await renewDevApiKey(stack.config.databaseUrl);
  expect(second.revoked).toEqual([first.id]);
  expect(second.key).not.toBe(first.key);
  const live = (await createApiKeyRepo(stack.runtime.pool).list()).filter(
    (k) => k.name === DEV_API_KEY_NAME && k.revokedAt === null,
  );
  expect(live).toEqual([expect.objectContaining({ id: second.id, scopes: [...API_KEY_SCOPES] })]);
  await withApp(async (app) => {
    expect((await app.request('/api/pins/locked', { headers: bearer(first.key) })).status).toBe(401);
    expect((await app.request('/api/pins/locked', { headers: bearer(second.key) })).status).toBe(200);
  });
});

test('npm run apikey itself: create prints the key once, list never shows it, the key works, revoke stops it', async () => {
  const run = (...args: string[]) =>
    new Promise<{ code: number | null; out: string }>((done) => {
      let out = '';
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/apikey.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: stack.config.databaseUrl, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => done({ code, out }));
    });
  const name = `cli-${randomUUID().slice(0, 8)}`;
  const created = await run('create', '--name', name, '--scopes', 'read,ops');
  expect(created.code).toBe(0);
  const key = /key:\s+(txtc_\S+)/.exec(created.out)![1]!;
  const id = /id:\s+(ak_\S+)/.exec(created.out)![1]!;
  const listed = await run('list');
  expect(listed.code).toBe(0);
  expect(listed.out).toContain(`${id}  "${name}"  scopes=read,ops`);
  expect(listed.out).not.toContain(key);
  const { rows } = await stack.runtime.pool.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [
    id,
  ]);
  expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(JSON.stringify(rows)).not.toContain(key);
  expect((await run('create', '--name', 'x', '--scopes', 'root')).code).toBe(2);
  // The spelling: --scope, and the shorthand transfer (both money scopes), expanded when created.
  const shorthand = await run('create', '--name', `${name}-t`, '--scope', 'transfer');
  expect(shorthand.code).toBe(0);
  expect(shorthand.out).toContain('scopes: airtime:write,transfers:write');

  await withApp(async (app) => {
    expect((await app.request('/api/pins/locked', { headers: bearer(key) })).status).toBe(200);
    expect((await run('revoke', id)).code).toBe(0);
    expect((await app.request('/api/pins/locked', { headers: bearer(key) })).status).toBe(401);
  });
});
