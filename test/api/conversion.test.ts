import { parseUnits } from 'ethers';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { TxtcToken } from '../../lib/chain/txtc';
import { conversionWorkflowId, stepReference } from '../../lib/definitions';
import { openStack, withWorker, testLog, uniqueId, type TestStackHandle } from '../support/stack';
import { airtimeBalance, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';

let stack: TestStackHandle;
let app: ReturnType<typeof createApp>;
let token: TxtcToken;

beforeAll(async () => {
  stack = await openStack();
  token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
});
afterAll(async () => {
  await stack.close();
});

/** The API on the worker's task queue, for the duration of `fn`. */
async function withApi<T>(fn: () => Promise<T>): Promise<T> {
  return withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) => {
    app = createApp({
      ...stack.runtime,
      config: { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } },
      temporal: stack.client,
      log: testLog,
    });
    return fn();
  });
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

function buy(body: unknown, key?: string) {
  return app.request('/api/airtime/buy', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
    body: JSON.stringify(body),
  });
}

async function waitForStatus(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 120; i++) {
    const res = await app.request(`/api/transfers/${encodeURIComponent(id)}`);
    const body = (await res.json()) as Record<string, unknown>;
    if (body.status !== 'pending') return body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`transfer ${id} still pending`);
}

test('POST /api/airtime/buy answers 202 with a Location; the transfer completes with amounts, fees, rate, wallet and tx hash', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  await withApi(async () => {
    const res = await buy({ phoneNumber: phone, airtimeAmount: 10, currency: 'USD' }, uniqueId('key'));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('Location')).toBe(`/api/transfers/${encodeURIComponent(id)}`);
    const transfer = await waitForStatus(id);
    expect(transfer).toMatchObject({
      id,
      status: 'completed',
      operator: 'safaricom-ke',
      airtime: { currency: 'KES', amountMinor: '129000', display: 'KES 1,290.00' },
      usd: { display: '$10.00' },
      txtc: { gross: parseUnits('1000', 18).toString(), net: parseUnits('980', 18).toString(), display: '980' },
      fees: { platform: parseUnits('20', 18).toString(), operator: '0', gas: '0' },
      rate: { txtcPerUsdDisplay: '100', airtimeMinorPerUsd: '12900' },
      refunded: false,
      failure: null,
    });
    expect(transfer.walletAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(transfer.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(String((transfer.rate as { source: string }).source)).toMatch(/^uniswap-v2:0x/);
  });
});

test('the same request sent five times with one Idempotency-Key is one transfer: one debit, one mint, one SMS', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  const key = uniqueId('key');
  await withApi(async () => {
    const responses = await Promise.all(
      [1, 2, 3, 4, 5].map(async () => buy({ phoneNumber: phone, airtimeAmount: '1290' }, key)),
    );
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    const transfer = await waitForStatus(id);
    expect(transfer.status).toBe('completed');
    // A sixth, after completion, answers the same transfer as it is now: 200, completed.
    const again = await buy({ phoneNumber: phone, airtimeAmount: '1290' }, key);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id, status: 'completed' });

    expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([
      { reference: stepReference(id, 'debit'), kind: 'debit', amountMinor: 129000n, status: 'committed' },
    ]);
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(500000n - 129000n);
    expect(await token.balanceOf(transfer.walletAddress as string)).toBe(parseUnits('980', 18));
    expect(await smsTo(stack.runtime.pool, phone)).toHaveLength(1);
  });
});

test('an Idempotency-Key reused for a different request is a 409 and starts nothing', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  const key = uniqueId('key');
  await withApi(async () => {
    const first = await buy({ phoneNumber: phone, airtimeAmount: '1290' }, key);
    const id = ((await first.json()) as { id: string }).id;
    const second = await buy({ phoneNumber: phone, airtimeAmount: '2000' }, key);
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'IdempotencyKeyReused' } });
    await waitForStatus(id);
    expect(await telcoOperations(stack.runtime.pool, phone)).toHaveLength(1);
    // Only the first request's KES 1,290.00 (129000 minor) left the account, not the second's KES 2,000.00.
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(500000n - 129000n);
  });
});

test('insufficient airtime: the transfer fails with the reason, nothing is debited', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 50000n);
  await withApi(async () => {
    const res = await buy({ phoneNumber: phone, airtimeAmount: 10, currency: 'USD' }, uniqueId('key'));
    expect(res.status).toBe(202);
    const transfer = await waitForStatus(((await res.json()) as { id: string }).id);
    expect(transfer).toMatchObject({
      status: 'failed',
      stage: 'rejected',
      failure: { code: 'InsufficientAirtime' },
      refunded: false,
      txHash: null,
    });
    expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(50000n);
  });
});

describe('bad input is a 400 with a JSON error and changes nothing', () => {
  const phone = '+254712000111';
  test.each([
    ['no Idempotency-Key', { phoneNumber: phone, airtimeAmount: 100 }, undefined, 'InvalidRequest'],
    ['a missing amount', { phoneNumber: phone }, 'key-00000001', 'InvalidRequest'],
    ['a negative amount', { phoneNumber: phone, airtimeAmount: -5 }, 'key-00000002', 'InvalidRequest'],
    ['a zero amount', { phoneNumber: phone, airtimeAmount: '0' }, 'key-00000003', 'InvalidRequest'],
    ['three decimals of KES', { phoneNumber: phone, airtimeAmount: '100.005' }, 'key-00000004', 'InvalidAmount'],
    ['an invalid number', { phoneNumber: '+2547', airtimeAmount: 100 }, 'key-00000005', 'InvalidRequest'],
    [
      'a number that is not a phone',
      { phoneNumber: '+254000000000', airtimeAmount: 100 },
      'key-00000006',
      'InvalidPhoneNumber',
    ],
    [
      'an unsupported country',
      { phoneNumber: '+14155550100', airtimeAmount: 100 },
      'key-00000007',
      'UnsupportedCountry',
    ],
    [
      'an operator that does not serve the number',
      { phoneNumber: phone, airtimeAmount: 100, operator: 'glo' },
      'key-00000008',
      'UnknownOperator',
    ],
    [
      'another currency than the number’s',
      { phoneNumber: phone, airtimeAmount: 100, currency: 'NGN' },
      'key-00000009',
      'InvalidRequest',
    ],
    [
      'below the minimum',
      { phoneNumber: phone, airtimeAmount: '0.50', currency: 'USD' },
      'key-00000010',
      'AmountBelowMinimum',
    ],
    ['above the maximum', { phoneNumber: phone, airtimeAmount: '20000' }, 'key-00000011', 'AmountAboveMaximum'],
  ])('%s', async (_name, body, key, code) => {
    await withApi(async () => {
      const res = await buy(body, key);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe(code);
      expect(json.error.message).not.toMatch(/at .*\.ts/);
    });
    // Nothing changed: no debit of the number, no key claimed, no conversion started under the key.
    expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(0n);
    if (key !== undefined) {
      const claimed = await stack.runtime.pool.query('SELECT 1 FROM api_idempotency_keys WHERE key = $1', [key]);
      expect(claimed.rows).toEqual([]);
      expect(await workflowExists(conversionWorkflowId('api', key))).toBe(false);
    }
  });

  test('a body that is not JSON', async () => {
    await withApi(async () => {
      const res = await app.request('/api/airtime/buy', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': 'key-00000012' },
        body: '{not json',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'InvalidRequest' } });
      expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
    });
  });
});

test('GET /api/transfers/:id is 404 for an unknown id', async () => {
  await withApi(async () => {
    const res = await app.request(`/api/transfers/${encodeURIComponent('conversion:api:nope-nope-nope')}`);
    expect(res.status).toBe(404);
    expect((await app.request('/api/transfers/anything')).status).toBe(404);
  });
});

test('GET /api/airtime/rates gives the quote inputs: 100 TXTC per USD from the pair, 2% fee, KES rate, the design example', async () => {
  await withApi(async () => {
    const res = await app.request('/api/airtime/rates?operator=safaricom-ke');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      txtc: { perUsd: parseUnits('100', 18).toString(), perUsdDisplay: '100' },
      fees: { platformFeePercent: '2', platformFeeBps: '200', gasFeeTxtc: '0' },
      limits: { minUsd: '1.00', maxUsd: '100.00' },
      operators: [
        {
          operator: 'safaricom-ke',
          currency: 'KES',
          airtimeMinorPerUsd: '12900',
          example: { usd: '10.00', airtime: 'KES 1,290.00', txtcGross: '1000', txtcNet: '980' },
        },
      ],
    });
    expect((await app.request('/api/airtime/rates?operator=nope')).status).toBe(404);
  });
});

test('GET /api/balance/:phone gives airtime from the operator and TXTC from the wallet', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 123456n);
  await withApi(async () => {
    const res = await app.request(`/api/balance/${encodeURIComponent(phone)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      phoneNumber: phone,
      operator: 'safaricom-ke',
      airtime: { currency: 'KES', amountMinor: '123456', display: 'KES 1,234.56' },
      txtc: { walletAddress: null, amount: '0', display: '0' },
    });
    expect((await app.request('/api/balance/12')).status).toBe(400);
  });
});

test('POST /dev/telco/topup credits a simulated account in local mode only', async () => {
  const phone = newSafaricomNumber();
  await withApi(async () => {
    const res = await app.request('/dev/telco/topup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: phone, amount: '250.50' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ balance: { amountMinor: '25050', display: 'KES 250.50' } });
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(25050n);
    const prod = createApp({
      ...stack.runtime,
      config: { ...stack.config, appEnv: 'production' },
      temporal: stack.client,
      log: testLog,
    });
    expect(
      (
        await prod.request('/dev/telco/topup', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phoneNumber: phone, amount: '1' }),
        })
      ).status,
    ).toBe(404);
  });
});

test('when Temporal does not answer, a buy is a 503 the gateway can retry with the same key, and nothing moves', async () => {
  const { Client, Connection } = await import('@temporalio/client');
  const { freePort } = await import('../../scripts/local/processes');
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  const down = createApp({
    ...stack.runtime,
    temporal: new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }) }),
    log: testLog,
  });
  const res = await down.request('/api/airtime/buy', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Idempotency-Key': uniqueId('key') },
    body: JSON.stringify({ phoneNumber: phone, airtimeAmount: '1290' }),
  });
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ error: { code: 'Unavailable' } });
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
});
