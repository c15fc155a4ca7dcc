/**
 * Replays and keys: a request repeated once its movement is final answers the movement as it is now (200,
 * not "pending"); one Idempotency-Key reused on another route with another body is a 409 and starts nothing;
 * the dev top-up's reused key is a 409, not a 500, and its answer says what it credited in minor units.
 */
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';
import { settled as settledOn, withApi as withApiOn, type App } from '../support/api';
import { airtimeBalance, newSafaricomNumber, telcoOperations, topUp } from '../support/money';

let stack: TestStackHandle;
let app: App;

beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

const withApi = <T>(fn: (taskQueue: string) => Promise<T>) =>
  withApiOn(stack, (a, taskQueue) => {
    app = a;
    return fn(taskQueue);
  });

const post = (path: string, body: unknown, key?: string) =>
  Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
      body: JSON.stringify(body),
    }),
  );

const settled = (id: string) => settledOn(app, id);

test('a buy repeated after it completed answers 200 with the completed conversion; nothing moves again', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 200000n);
  const key = uniqueId('replay');
  await withApi(async () => {
    const body = { phoneNumber: phone, airtimeAmount: '645' };
    const first = await post('/api/airtime/buy', body, key);
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    await settled(id);
    const again = await post('/api/airtime/buy', body, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('Location')).toBe(`/api/transfers/${encodeURIComponent(id)}`);
    expect(await again.json()).toMatchObject({ id, status: 'completed', stage: 'completed', txtc: { display: '490' } });
  });
  expect(await telcoOperations(stack.runtime.pool, phone)).toHaveLength(1);
});

test('one Idempotency-Key on another route with another body is a 409 and starts nothing', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, from, 'safaricom-ke', 500000n);
  const key = uniqueId('cross');
  await withApi(async () => {
    const buy = await post('/api/airtime/buy', { phoneNumber: from, airtimeAmount: '645' }, key);
    expect(buy.status).toBe(202);
    const { id } = (await buy.json()) as { id: string };
    await settled(id);
    const transfer = await post(
      '/api/transfers',
      { fromPhone: from, toPhone: to, amount: '500', transferType: 'airtime' },
      key,
    );
    expect(transfer.status).toBe(409);
    expect(await transfer.json()).toMatchObject({ error: { code: 'IdempotencyKeyReused' } });
    const airtime = await post('/api/airtime/transfer', { fromPhone: from, toPhone: to, amount: '500' }, key);
    expect(airtime.status).toBe(409);
    // Nothing under the transfer id the key would have made.
    const none = await app.request(`/api/transfers/${encodeURIComponent(`transfer:api:${key}`)}`);
    expect(none.status).toBe(404);
  });
  expect(await telcoOperations(stack.runtime.pool, from)).toHaveLength(1);
  expect(await airtimeBalance(stack.runtime.pool, to)).toBe(0n);
});

test('the dev top-up: a reused key for another amount is a 409 (not a 500); the answer says what it credited in minor units', async () => {
  const phone = newSafaricomNumber();
  const key = uniqueId('topup');
  await withApi(async () => {
    const first = await post('/dev/telco/topup', { phoneNumber: phone, amount: '1000' }, key);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      credited: { currency: 'KES', amountMinor: '100000', display: 'KES 1,000.00' },
      balance: { amountMinor: '100000' },
    });
    const same = await post('/dev/telco/topup', { phoneNumber: phone, amount: '1000' }, key);
    expect(same.status).toBe(200);
    const other = await post('/dev/telco/topup', { phoneNumber: phone, amount: '2000' }, key);
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: { code: 'IdempotencyKeyReused' } });
  });
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(100000n);
});
