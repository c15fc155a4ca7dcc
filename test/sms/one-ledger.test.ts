/**
 * One person, one ledger, tried across doors: every movement in one history (SWAP, voucher redemption, a
 * hybrid's airtime leg, a refund), each readable by id; a locked PIN stops every channel's money; a listed
 * number neither redeems nor swaps. Each test failed on main c3d9141.
 */
import { randomUUID } from 'node:crypto';
import { parseUnits } from 'ethers';
import { withApi, type App } from '../support/api';
import { smsWorkflowId, swapWorkflowId, voucherWorkflowId, type SmsMessageResult } from '../../lib/definitions';
import { TxtcToken } from '../../lib/chain/txtc';
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { airtimeBalance, fundTxtc, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';

const TXTC = (n: string) => parseUnits(n, 18);

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

const withApp = <T>(fn: (app: App) => Promise<T>) => withApi(stack, (app) => fn(app));

async function inbound(app: App, from: string, text: string): Promise<SmsMessageResult & { id: string }> {
  const id = `ATXid_${randomUUID()}`;
  const res = await app.request('/sms/inbound', {
    method: 'POST',
    headers: gatewayHeaders(stack.config, 'sms'),
    body: new URLSearchParams({ from, to: '12345', text, date: '2026-11-24 10:00:00', id, networkCode: '63902' }),
  });
  expect(res.status).toBe(200);
  const result = (await stack.client.workflow.getHandle(smsWorkflowId(id)).result()) as SmsMessageResult;
  return { ...result, id };
}

const ended = (workflowId: string) =>
  stack.client.workflow
    .getHandle(workflowId)
    .result()
    .catch(() => undefined);

async function issueVoucher(app: App, amount: string): Promise<{ id: string; code: string }> {
  const res = await app.request('/api/vouchers', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount, note: 'one-ledger' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { vouchers: { id: string; code: string }[] }).vouchers[0]!;
}

const lockPin = (phone: string) =>
  stack.runtime.pool.query(
    `INSERT INTO ussd_profiles (phone_number, language, pin_hash, pin_failed_attempts, pin_locked_at)
     VALUES ($1, 'en', 'scrypt$locked', 3, now())
     ON CONFLICT (phone_number) DO UPDATE SET pin_failed_attempts = 3, pin_locked_at = now()`,
    [phone],
  );

const blocklist = (phone: string) =>
  stack.runtime.pool.query(
    `INSERT INTO fraud_blocklist (kind, value, reason, added_by) VALUES ('phone', $1, 'test', 'test')`,
    [phone],
  );

test('one history: a SWAP, a voucher, a hybrid and its airtime leg each show, and each reads back by id', async () => {
  const [phone, friend] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  await fundTxtc(stack.runtime, phone, TXTC('200'));
  await withApp(async (app) => {
    const swap = await inbound(app, phone, 'SWAP 150');
    const swapId = swapWorkflowId('sms', swap.id);
    expect(swap.startedWorkflowId).toBe(swapId);
    await ended(swapId);

    const voucher = await issueVoucher(app, '25');
    const redeemed = await inbound(app, phone, `REDEEM ${voucher.code}`);
    expect(redeemed.startedWorkflowId).toBe(voucherWorkflowId(voucher.id));
    await ended(voucherWorkflowId(voucher.id));

    // 98 TXTC for $1: the 50 the number holds, the rest bought with airtime (the leg).
    const hybridRes = await app.request('/api/transfers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': uniqueId('ledger') },
      body: JSON.stringify({ fromPhone: phone, toPhone: friend, amount: 1, currency: 'USD', transferType: 'hybrid' }),
    });
    const hybridId = ((await hybridRes.json()) as { id: string }).id;
    await ended(hybridId);

    const historyRes = await app.request(`/api/transactions/${encodeURIComponent(phone)}?limit=20`);
    const history = (await historyRes.json()) as {
      transactions: { id: string; kind: string; direction: string; status: string }[];
    };
    expect(historyRes.status).toBe(200);
    const kinds = history.transactions.map((t) => `${t.kind}:${t.direction}:${t.status}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'swap:out:completed',
        'voucher:in:completed',
        'hybrid:out:completed',
        'conversion:out:completed',
      ]),
    );
    const leg = history.transactions.find((t) => t.kind === 'conversion')!;
    expect(leg.id).toBe(`${hybridId}:convert`);
    // Each line reads back by its id.
    for (const t of history.transactions) {
      const res = await app.request(`/api/transfers/${encodeURIComponent(t.id)}`);
      expect({ id: t.id, status: res.status }).toEqual({ id: t.id, status: 200 });
    }
    expect(await (await app.request(`/api/transfers/${encodeURIComponent(swapId)}`)).json()).toMatchObject({
      type: 'swap',
      status: 'completed',
      txtc: { display: '150' },
    });

    // SMS HISTORY tells the same list.
    const asked = await inbound(app, phone, 'HISTORY');
    expect(asked.replied).toBe(true);
    const reply = (await smsTo(stack.runtime.pool, phone)).find((m) => /Swap 150 TXTC/.test(m));
    expect(reply).toMatch(/Voucher \+25 TXTC/);
  });
});

test('a PIN locked after wrong tries stops SMS BUY, SMS SEND and a REST buy of that number: nothing moves', async () => {
  const [phone, friend] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  await lockPin(phone);
  await withApp(async (app) => {
    const buy = await inbound(app, phone, 'BUY 200');
    const send = await inbound(app, phone, `SEND 120 TO ${friend}`);
    for (const started of [buy.startedWorkflowId, send.startedWorkflowId]) {
      if (started) await ended(started);
    }
    const res = await app.request('/api/airtime/buy', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': uniqueId('locked') },
      body: JSON.stringify({ phoneNumber: phone, airtimeAmount: '645' }),
    });
    const { id } = (await res.json()) as { id: string };
    await ended(id);
    const view = (await (await app.request(`/api/transfers/${encodeURIComponent(id)}`)).json()) as Record<
      string,
      unknown
    >;
    expect(view).toMatchObject({ status: 'failed', failure: { code: 'PinLocked' } });
    if (send.startedWorkflowId) {
      const sent = await app.request(`/api/transfers/${encodeURIComponent(send.startedWorkflowId)}`);
      expect(await sent.json()).toMatchObject({ status: 'failed', failure: { code: 'PinLocked' } });
    }
  });
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(500000n);
  expect((await smsTo(stack.runtime.pool, phone)).filter((m) => /PIN is locked/.test(m)).length).toBeGreaterThanOrEqual(
    2,
  );
  expect(await smsTo(stack.runtime.pool, friend)).toEqual([]);
});

test('a listed number neither redeems a voucher (the code stays unspent) nor swaps', async () => {
  const phone = newSafaricomNumber();
  const wallet = await fundTxtc(stack.runtime, phone, TXTC('200'));
  await blocklist(phone);
  await withApp(async (app) => {
    const voucher = await issueVoucher(app, '25');
    const redeemed = await inbound(app, phone, `REDEEM ${voucher.code}`);
    expect(redeemed.startedWorkflowId).toBeUndefined();
    const view = (await (await app.request(`/api/vouchers/${voucher.id}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'issued' });

    const swap = await inbound(app, phone, 'SWAP 150');
    expect(swap.startedWorkflowId).toBe(swapWorkflowId('sms', swap.id));
    const failure = await stack.client.workflow
      .getHandle(swap.startedWorkflowId!)
      .result()
      .then(
        () => undefined,
        (e: { cause?: { type?: string } }) => e.cause?.type,
      );
    expect(failure).toBe('NumberBlocked');
  });
  expect(await new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider).balanceOf(wallet)).toBe(TXTC('200'));
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
  expect((await smsTo(stack.runtime.pool, phone)).every((m) => !/Voucher redeemed|Swapped/.test(m))).toBe(true);
});
