/**
 * The payer says yes (issue 23). On main c3d9141 any key with a transfer scope debited whatever `fromPhone`
 * it named, with no word from that person. Now a REST debit by a key that is not `trusted` moves nothing
 * until the payer answers YES <PIN> by SMS; NO, or silence past PAYER_CONSENT_TIMEOUT, ends it with nothing
 * moved and the caller told. A trusted key (the operator's own channels) is not asked.
 */
import { randomUUID } from 'node:crypto';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { createUssdRepo } from '../../lib/db/ussd';
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';
import { withApi as withApiOn, type App } from '../support/api';
import { gatewayHeaders } from '../support/webhooks';
import { waitFor } from '../../scripts/local/processes';
import { airtimeBalance, newSafaricomNumber, smsTo, telcoOperations, registeredPayer } from '../support/money';

let stack: TestStackHandle;
let app: App;
let partner: string;
let trusted: string;

beforeAll(async () => {
  stack = await openStack({ API_KEYS_REQUIRED: 'true', PAYER_CONSENT_TIMEOUT: '6' });
  const keys = createApiKeyRepo(stack.runtime.pool);
  partner = (await keys.create({ name: 'partner-shop', scopes: ['transfers:write', 'airtime:write', 'read'] })).key;
  trusted = (
    await keys.create({ name: 'operator-app', scopes: ['transfers:write', 'airtime:write', 'read', 'trusted'] })
  ).key;
});
afterAll(async () => {
  await stack.close();
});

const withApi = <T>(fn: (taskQueue: string) => Promise<T>) =>
  withApiOn(stack, (a, taskQueue) => {
    app = a;
    return fn(taskQueue);
  });

/** A registered number with airtime and the PIN 2468. */
const payer = () => registeredPayer(stack.runtime.pool);

async function send(key: string, from: string, to: string): Promise<string> {
  const res = await app.request('/api/airtime/transfer', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'Idempotency-Key': uniqueId('consent'),
      authorization: `Bearer ${key}`,
    },
    body: JSON.stringify({ fromPhone: from, toPhone: to, amount: '500' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const view = async (id: string) =>
  (await (
    await app.request(`/api/transfers/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${trusted}` } })
  ).json()) as { status: string; stage: string; failure: { code: string } | null };

async function until(id: string, done: (v: Awaited<ReturnType<typeof view>>) => boolean) {
  for (let i = 0; i < 200; i++) {
    const v = await view(id);
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${id} never got there: ${JSON.stringify(await view(id))}`);
}

async function sms(from: string, text: string) {
  const res = await app.request('/sms/inbound', {
    method: 'POST',
    headers: gatewayHeaders(stack.config, 'sms'),
    body: new URLSearchParams({ from, to: '12345', text, date: '2026-12-06 10:00:00', id: `ATXid_${randomUUID()}` }),
  });
  expect(res.status).toBe(200);
}

test('a partner key’s transfer moves nothing until the payer replies YES <PIN>; then it moves once', async () => {
  const [from, to] = [await payer(), newSafaricomNumber()];
  await withApi(async () => {
    const id = await send(partner, from, to);
    expect(await until(id, (v) => v.stage === 'awaiting_payer')).toMatchObject({ status: 'pending' });
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
    const prompt = (await smsTo(stack.runtime.pool, from)).find((m) => /reply YES and your PIN/.test(m));
    expect(prompt).toMatch(/send KES 500\.00 \(\$3\.87\) airtime to \+254\d+ \(asked by partner-shop\)/);
    await sms(from, 'YES 2468');
    expect(await until(id, (v) => v.status !== 'pending')).toMatchObject({ status: 'completed', failure: null });
  });
  expect(await telcoOperations(stack.runtime.pool, from)).toHaveLength(1);
  expect(await airtimeBalance(stack.runtime.pool, to)).toBe(50000n);
});

test('NO, or no answer within PAYER_CONSENT_TIMEOUT, ends it with nothing moved; a wrong PIN counts toward the lock', async () => {
  const [declines, silent, to] = [await payer(), await payer(), newSafaricomNumber()];
  await withApi(async () => {
    const refused = await send(partner, declines, to);
    const expired = await send(partner, silent, to);
    await until(refused, (v) => v.stage === 'awaiting_payer');
    await sms(declines, 'YES 1111'); // wrong: counted, told, still waiting
    // Told before the NO is sent: each message has a workflow of its own, and a NO that overtook the YES
    // would end the wait before the YES was read.
    await waitFor('the reply to the wrong PIN', async () =>
      (await smsTo(stack.runtime.pool, declines)).some((text) => /Wrong PIN\. 2 tries left/.test(text)),
    );
    await sms(declines, 'NO');
    expect(await until(refused, (v) => v.status !== 'pending')).toMatchObject({
      status: 'failed',
      failure: { code: 'ConsentRefused' },
    });
    expect(await until(expired, (v) => v.status !== 'pending')).toMatchObject({
      status: 'failed',
      failure: { code: 'ConsentExpired' },
    });
  });
  for (const phone of [declines, silent]) {
    expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(500000n);
  }
  expect(await airtimeBalance(stack.runtime.pool, to)).toBe(0n);
  const profile = await createUssdRepo(stack.runtime.pool).profile(declines);
  expect(profile?.pinFailedAttempts).toBe(1);
  expect(await smsTo(stack.runtime.pool, declines)).toContainEqual(expect.stringMatching(/Wrong PIN\. 2 tries left/));
});

test('a trusted key (the operator’s own channel) is not asked', async () => {
  const [from, to] = [await payer(), newSafaricomNumber()];
  await withApi(async () => {
    const id = await send(trusted, from, to);
    expect(await until(id, (v) => v.status !== 'pending')).toMatchObject({ status: 'completed' });
  });
  expect((await smsTo(stack.runtime.pool, from)).some((m) => /reply YES/.test(m))).toBe(false);
});

test('while one request waits for the payer, a second is refused: a YES can only approve the request it was asked for', async () => {
  const [from, to, other] = [await payer(), newSafaricomNumber(), newSafaricomNumber()];
  await withApi(async () => {
    const first = await send(partner, from, to);
    await until(first, (v) => v.stage === 'awaiting_payer');
    // Another request (a second partner, say) arrives before the payer answers: refused, nothing asked.
    const second = await send(partner, from, other);
    expect(await until(second, (v) => v.status !== 'pending')).toMatchObject({
      status: 'failed',
      failure: { code: 'PayerBusy' },
    });
    await sms(from, 'YES 2468');
    expect(await until(first, (v) => v.status !== 'pending')).toMatchObject({ status: 'completed' });
  });
  expect(await airtimeBalance(stack.runtime.pool, to)).toBe(50000n);
  expect(await airtimeBalance(stack.runtime.pool, other)).toBe(0n);
  expect(await telcoOperations(stack.runtime.pool, from)).toHaveLength(1);
});
