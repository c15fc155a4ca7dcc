import { parseUnits } from 'ethers';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { stepReference, transferWorkflowId } from '../../lib/definitions';
import { openStack, withWorker, testLog, uniqueId, type TestStackHandle } from '../support/stack';
import { airtimeBalance, fundTxtc, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';

let stack: TestStackHandle;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

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

const post = (path: string, body: unknown, key?: string) =>
  Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
      body: JSON.stringify(body),
    }),
  );

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await stack.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

async function settled(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 120; i++) {
    const body = (await (await app.request(`/api/transfers/${encodeURIComponent(id)}`)).json()) as Record<
      string,
      unknown
    >;
    if (body.status !== 'pending') return body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`transfer ${id} still pending`);
}

test('POST /api/airtime/transfer (the description’s route): 202 with a Location, then the transfer with both parties and amounts', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, from, 'safaricom-ke', 200000n);
  await withApi(async () => {
    const res = await post(
      '/api/airtime/transfer',
      { fromPhone: from, toPhone: to, amount: 5, currency: 'USD' },
      uniqueId('key'),
    );
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^transfer:api:/);
    expect(res.headers.get('Location')).toBe(`/api/transfers/${encodeURIComponent(id)}`);
    expect(await settled(id)).toMatchObject({
      id,
      type: 'transfer',
      transferType: 'airtime',
      status: 'completed',
      from: { phoneNumber: from, operator: 'safaricom-ke' },
      to: { phoneNumber: to, operator: 'safaricom-ke' },
      airtime: { currency: 'KES', amountMinor: '64500', display: 'KES 645.00' },
      usd: { display: '$5.00' },
      references: { transfer: stepReference(id, 'transfer') },
      failure: null,
    });
    expect(await airtimeBalance(stack.runtime.pool, to)).toBe(64500n);
  });
});

test('POST /api/transfers with transferType txtc and hybrid: TXTC to the receiver, the hybrid buying only what is short', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await fundTxtc(stack.runtime, from, parseUnits('200', 18));
  await topUp(stack.runtime.pool, from, 'safaricom-ke', 500000n);
  await withApi(async () => {
    const txtc = await post(
      '/api/transfers',
      { fromPhone: from, toPhone: to, amount: '150', transferType: 'txtc' },
      uniqueId('key'),
    );
    expect(txtc.status).toBe(202);
    expect(await settled(((await txtc.json()) as { id: string }).id)).toMatchObject({
      transferType: 'txtc',
      status: 'completed',
      txtc: { amount: parseUnits('150', 18).toString(), display: '150' },
    });
    const hybrid = await post(
      '/api/transfers',
      { fromPhone: from, toPhone: to, amount: 10, currency: 'USD', transferType: 'hybrid' },
      uniqueId('key'),
    );
    const hybridId = ((await hybrid.json()) as { id: string }).id;
    const view = await settled(hybridId);
    expect(view).toMatchObject({
      transferType: 'hybrid',
      status: 'completed',
      txtc: { display: '980' },
      txtcFromBalance: parseUnits('50', 18).toString(),
      conversionId: `${hybridId}:convert`,
    });
    // The leg is a conversion of its own, readable at the same route.
    expect(await settled(`${hybridId}:convert`)).toMatchObject({
      type: 'conversion',
      status: 'completed',
      txtc: { display: '930' },
    });
  });
});

test('the same transfer sent five times at once with one Idempotency-Key is one transfer; the key with another body is a 409', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, from, 'safaricom-ke', 500000n);
  const key = uniqueId('key');
  await withApi(async () => {
    const body = { fromPhone: from, toPhone: to, amount: '500' };
    const responses = await Promise.all([1, 2, 3, 4, 5].map(() => post('/api/airtime/transfer', body, key)));
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    expect((await settled(id)).status).toBe('completed');
    const other = await post('/api/airtime/transfer', { ...body, amount: '600' }, key);
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: { code: 'IdempotencyKeyReused' } });
    expect(await telcoOperations(stack.runtime.pool, from)).toHaveLength(1);
    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(450000n);
    expect(await smsTo(stack.runtime.pool, to)).toHaveLength(1);
  });
});

describe('bad transfer requests are a 400 with a JSON error and start nothing', () => {
  const from = '+254712000222';
  test.each([
    ['no Idempotency-Key', { fromPhone: from, toPhone: '+254798765432', amount: 100 }, undefined, 'InvalidRequest'],
    [
      'to oneself',
      { fromPhone: from, toPhone: '0712000222'.replace(/^0/, '+254'), amount: 100 },
      'tkey-0000001',
      'SelfTransfer',
    ],
    [
      'an invalid receiver',
      { fromPhone: from, toPhone: '+254000000000', amount: 100 },
      'tkey-0000002',
      'InvalidPhoneNumber',
    ],
    [
      'an unsupported country',
      { fromPhone: from, toPhone: '+14155550100', amount: 100 },
      'tkey-0000003',
      'UnsupportedCountry',
    ],
    [
      'airtime across currencies',
      { fromPhone: from, toPhone: '+256772123456', amount: 100 },
      'tkey-0000004',
      'UnsupportedTransfer',
    ],
    [
      'below the minimum',
      { fromPhone: from, toPhone: '+254798765432', amount: '0.50', currency: 'USD' },
      'tkey-0000005',
      'AmountBelowMinimum',
    ],
    [
      'above the maximum',
      { fromPhone: from, toPhone: '+254798765432', amount: '20000' },
      'tkey-0000006',
      'AmountAboveMaximum',
    ],
    [
      'another currency than the sender’s',
      { fromPhone: from, toPhone: '+254798765432', amount: 1, currency: 'NGN' },
      'tkey-0000007',
      'InvalidRequest',
    ],
  ])('%s', async (_name, body, key, code) => {
    await withApi(async () => {
      const res = await post('/api/airtime/transfer', body, key);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    });
    // Nothing started: no debit of the sender, no key claimed, no transfer under the key.
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(0n);
    if (key !== undefined) {
      const claimed = await stack.runtime.pool.query('SELECT 1 FROM api_idempotency_keys WHERE key = $1', [key]);
      expect(claimed.rows).toEqual([]);
      expect(await workflowExists(transferWorkflowId('api', key))).toBe(false);
    }
  });

  test('a transferType that does not exist', async () => {
    await withApi(async () => {
      const res = await post(
        '/api/transfers',
        { fromPhone: from, toPhone: '+254798765432', amount: 1, transferType: 'gift' },
        'tkey-0000008',
      );
      expect(res.status).toBe(400);
    });
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
    expect(await workflowExists(transferWorkflowId('api', 'tkey-0000008'))).toBe(false);
  });
});

test('GET /api/transactions/:phone gives the last movements newest first: kind, direction, masked counterparty, amounts, status', async () => {
  const [me, friend] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, me, 'safaricom-ke', 1_000_000n);
  await topUp(stack.runtime.pool, friend, 'safaricom-ke', 1_000_000n);
  await withApi(async () => {
    const steps: [string, unknown][] = [
      ['/api/airtime/buy', { phoneNumber: me, airtimeAmount: 2, currency: 'USD' }],
      ['/api/airtime/transfer', { fromPhone: me, toPhone: friend, amount: '300' }],
      ['/api/airtime/transfer', { fromPhone: friend, toPhone: me, amount: '400' }],
      ['/api/transfers', { fromPhone: me, toPhone: friend, amount: 2, currency: 'USD', transferType: 'hybrid' }],
    ];
    for (const [path, body] of steps) {
      const res = await post(path, body, uniqueId('key'));
      await settled(((await res.json()) as { id: string }).id);
    }
    const res = await app.request(`/api/transactions/${encodeURIComponent(me)}?limit=3`);
    expect(res.status).toBe(200);
    const { transactions } = (await res.json()) as { transactions: Record<string, unknown>[] };
    const masked = `${friend.slice(0, 5)}${'*'.repeat(friend.length - 8)}${friend.slice(-3)}`;
    expect(transactions).toEqual([
      expect.objectContaining({
        kind: 'hybrid',
        direction: 'out',
        counterparty: masked,
        status: 'completed',
        txtc: expect.objectContaining({ display: '196' }),
      }),
      expect.objectContaining({
        kind: 'airtime',
        direction: 'in',
        counterparty: masked,
        airtime: expect.objectContaining({ display: 'KES 400.00' }),
      }),
      expect.objectContaining({
        kind: 'airtime',
        direction: 'out',
        counterparty: masked,
        airtime: expect.objectContaining({ display: 'KES 300.00' }),
      }),
    ]);
    const all = (await (await app.request(`/api/transactions/${encodeURIComponent(me)}`)).json()) as {
      transactions: { kind: string }[];
    };
    expect(all.transactions.map((t) => t.kind)).toEqual(['hybrid', 'airtime', 'airtime', 'conversion']);
    expect((await app.request('/api/transactions/12')).status).toBe(400);
  });
});
