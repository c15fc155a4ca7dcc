/**
 * Tenants (issue 23). On main c3d9141 Idempotency-Keys were shared by every key (one partner could pre-claim
 * another's) and a `read` key read any transfer by its predictable id. Now every key belongs to a tenant:
 * two tenants' order-0001 are two transfers, and a tenant reads only its own (404 otherwise; ops read all).
 */
import { randomUUID } from 'node:crypto';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { gatewayHeaders } from '../support/webhooks';
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';
import { withApi as withApiOn, type App } from '../support/api';
import { newSafaricomNumber, smsTo, telcoOperations, topUp, registeredPayer } from '../support/money';

let stack: TestStackHandle;
let app: App;
const keys: Record<'acme' | 'globex' | 'other' | 'ops', string> = { acme: '', globex: '', other: '', ops: '' };

beforeAll(async () => {
  stack = await openStack({ API_KEYS_REQUIRED: 'true' });
  const repo = createApiKeyRepo(stack.runtime.pool);
  // trusted: these movements need no payer's consent (test/security/consent.test.ts covers that)
  const money = ['transfers:write', 'airtime:write', 'read', 'trusted'];
  keys.acme = (await repo.create({ name: 'acme-shop', tenant: 'acme', scopes: money })).key;
  keys.globex = (await repo.create({ name: 'globex-shop', tenant: 'globex', scopes: money })).key;
  keys.other = (await repo.create({ name: 'default-reader', scopes: ['read'] })).key;
  keys.ops = (await repo.create({ name: 'ops-desk', tenant: 'operator', scopes: ['ops', 'read'] })).key;
});
afterAll(async () => {
  await stack.close();
});

const withApi = <T>(fn: (taskQueue: string) => Promise<T>) =>
  withApiOn(stack, (a, taskQueue) => {
    app = a;
    return fn(taskQueue);
  });

const as = (who: keyof typeof keys) => ({ authorization: `Bearer ${keys[who]}` });

test('two tenants’ order-0001 are two transfers; each reads its own, neither the other’s; ops read both', async () => {
  const [a, g, to] = [newSafaricomNumber(), newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, a, 'safaricom-ke', 500000n);
  await topUp(stack.runtime.pool, g, 'safaricom-ke', 500000n);
  const key = uniqueId('order-0001');
  await withApi(async () => {
    const send = async (who: 'acme' | 'globex', from: string) => {
      const res = await app.request('/api/airtime/transfer', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': key, ...as(who) },
        body: JSON.stringify({ fromPhone: from, toPhone: to, amount: '500' }),
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const [acmeId, globexId] = [await send('acme', a), await send('globex', g)];
    expect(acmeId).toBe(`transfer:api:acme~${key}`);
    expect(globexId).toBe(`transfer:api:globex~${key}`);
    for (const id of [acmeId, globexId]) await stack.client.workflow.getHandle(id).result();

    const read = async (who: keyof typeof keys, id: string) =>
      (await app.request(`/api/transfers/${encodeURIComponent(id)}`, { headers: as(who) })).status;
    expect(await read('acme', acmeId)).toBe(200);
    expect(await read('globex', globexId)).toBe(200);
    expect(await read('globex', acmeId)).toBe(404);
    expect(await read('acme', globexId)).toBe(404);
    expect(await read('other', acmeId)).toBe(404);
    expect(await read('ops', acmeId)).toBe(200);
    expect(await read('ops', globexId)).toBe(200);
  });
  // Both moved, once each.
  expect(await telcoOperations(stack.runtime.pool, a)).toHaveLength(1);
  expect(await telcoOperations(stack.runtime.pool, g)).toHaveLength(1);
});

test('a number is read only by ops and by tenants it approved a payment for, until it sends STOP <tenant>', async () => {
  const repo = createApiKeyRepo(stack.runtime.pool);
  const shop = (
    await repo.create({ name: 'acme-till', tenant: 'acme', scopes: ['transfers:write', 'airtime:write', 'read'] })
  ).key;
  const payer = await registeredPayer(stack.runtime.pool);
  await withApi(async () => {
    const read = async (key: string, path: string) =>
      (await app.request(path, { headers: { authorization: `Bearer ${key}` } })).status;
    const balance = `/api/balance/${encodeURIComponent(payer)}`;
    const history = `/api/transactions/${encodeURIComponent(payer)}`;
    expect(await read(shop, balance)).toBe(404);
    expect(await read(shop, history)).toBe(404);
    expect(await read(keys.ops, balance)).toBe(200);

    // The payer approves one of acme's payments with YES <PIN>: acme may read the number from then on.
    const res = await app.request('/api/airtime/transfer', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'Idempotency-Key': uniqueId('approve'),
        authorization: `Bearer ${shop}`,
      },
      body: JSON.stringify({ fromPhone: payer, toPhone: newSafaricomNumber(), amount: '500' }),
    });
    const { id } = (await res.json()) as { id: string };
    await waitForSms(payer, /reply YES and your PIN/);
    await sms(payer, 'YES 2468');
    await stack.client.workflow.getHandle(id).result();
    expect(await read(shop, balance)).toBe(200);
    expect(await read(shop, history)).toBe(200);
    // Another tenant still may not.
    expect(await read(keys.globex, balance)).toBe(404);

    await sms(payer, 'STOP acme');
    await waitForSms(payer, /Done: acme can no longer see your balance or history/);
    expect(await read(shop, balance)).toBe(404);
  });
});

async function sms(from: string, text: string) {
  const res = await app.request('/sms/inbound', {
    method: 'POST',
    headers: gatewayHeaders(stack.config, 'sms'),
    body: new URLSearchParams({ from, to: '12345', text, date: '2026-12-06 10:00:00', id: `ATXid_${randomUUID()}` }),
  });
  expect(res.status).toBe(200);
}

async function waitForSms(phone: string, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await smsTo(stack.runtime.pool, phone)).some((m) => pattern.test(m))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no SMS to ${phone} matched ${pattern}`);
}
