/** The SMS channel through its webhook, as the gateway posts inbound messages, on the real stack. */
import { randomUUID } from 'node:crypto';
import { parseUnits } from 'ethers';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { conversionWorkflowId, smsWorkflowId, transferWorkflowId } from '../../lib/definitions';
import { createUssdRepo } from '../../lib/db/ussd';
import { openStack, withWorker, testLog, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import {
  airtimeBalance,
  fundTxtc,
  newSafaricomNumber,
  smsTo,
  telcoOperations,
  topUp,
  txtcBalance,
} from '../support/money';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

type App = ReturnType<typeof createApp>;

async function withSms<T>(fn: (app: App) => Promise<T>): Promise<T> {
  return withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) =>
    fn(
      createApp({
        ...stack.runtime,
        config: { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } },
        temporal: stack.client,
        log: testLog,
      }),
    ),
  );
}

function inbound(app: App, from: string, text: string, id = `ATXid_${randomUUID()}`) {
  return Promise.resolve(
    app.request('/sms/inbound', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: new URLSearchParams({
        from,
        to: '12345',
        text,
        date: '2026-11-24 10:00:00',
        id,
        linkId: 'link-1',
        networkCode: '63902',
      }),
    }),
  ).then(async (res) => ({ status: res.status, body: (await res.json()) as { status: string; id?: string }, id }));
}

const done = (workflowId: string) => stack.client.workflow.getHandle(workflowId).result();

test('BUY $10 delivered three times (twice at once, once late) buys once and the person gets one SMS', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  await withSms(async (app) => {
    const id = `ATXid_${randomUUID()}`;
    const [a, b] = await Promise.all([inbound(app, phone, 'buy  $10', id), inbound(app, phone, 'buy  $10', id)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.status, b.body.status].sort()).toEqual(['accepted', 'duplicate']);
    expect(await done(smsWorkflowId(id))).toMatchObject({
      command: 'buy',
      startedWorkflowId: conversionWorkflowId('sms', id),
    });
    expect(await done(conversionWorkflowId('sms', id))).toMatchObject({ status: 'completed' });
    expect((await inbound(app, phone, 'buy  $10', id)).body.status).toBe('duplicate');
  });
  expect(await telcoOperations(stack.runtime.pool, phone)).toHaveLength(1);
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(500000n - 129000n);
  expect(await smsTo(stack.runtime.pool, phone)).toEqual([expect.stringMatching(/^You bought 980 TXTC/)]);
});

test('BALANCE, AIRTIME, HISTORY and HELP are answered by SMS; anything else gets a short help', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 123456n);
  await withSms(async (app) => {
    for (const text of ['BALANCE', 'airtime', 'History', 'help', 'gimme money']) {
      const { id } = await inbound(app, phone, text);
      await done(smsWorkflowId(id));
    }
  });
  const replies = await smsTo(stack.runtime.pool, phone);
  expect(replies).toEqual([
    'Balance: airtime KES 1,234.56, TXTC 0.',
    'Airtime balance: KES 1,234.56.',
    'No transactions yet.',
    // Every example in HELP works: an amount above the minimum, in USD so it reads the same in every currency.
    'TXTC: BUY $2 | BALANCE | AIRTIME | SEND $2 TO 07.. | TRANSFER $2 TO 07.. | SWAP $2 | REDEEM code | HISTORY. Or dial *123*456#',
    expect.stringMatching(/^Sorry, we did not understand\. Send HELP/),
  ]);
});

test('TRANSFER 500 TO 07.. moves airtime; SEND 150 TXTC TO .. sends the 100 TXTC owned plus 50 bought with airtime (hybrid)', async () => {
  const [phone, friend] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  await fundTxtc(stack.runtime, phone, parseUnits('100', 18));
  await withSms(async (app) => {
    const transfer = await inbound(app, phone, `TRANSFER 500 TO ${friend.replace('+254', '0')}`);
    await done(smsWorkflowId(transfer.id));
    expect(await done(transferWorkflowId('sms', transfer.id))).toMatchObject({ status: 'completed', kind: 'airtime' });
    const send = await inbound(app, phone, `send 150 txtc to ${friend.replace('+', '')}`);
    await done(smsWorkflowId(send.id));
    expect(await done(transferWorkflowId('sms', send.id))).toMatchObject({ status: 'completed', kind: 'hybrid' });
  });
  expect(await airtimeBalance(stack.runtime.pool, friend)).toBe(50000n);
  expect((await smsTo(stack.runtime.pool, friend)).at(-1)).toMatch(/^Received 150 TXTC from/);
  // On chain: the friend holds exactly the 150 TXTC; the sender's own 100 went with it, nothing left over.
  expect(await txtcBalance(stack.runtime, friend)).toBe(parseUnits('150', 18));
  expect(await txtcBalance(stack.runtime, phone)).toBe(0n);
});

test('a Swahili speaker is answered in Swahili; a malformed post is a 400 and starts nothing', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 100000n);
  await createUssdRepo(stack.runtime.pool).saveLanguage(phone, 'sw');
  await withSms(async (app) => {
    await done(smsWorkflowId((await inbound(app, phone, 'SALIO')).id));
    const bad = await app.request('/sms/inbound', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: new URLSearchParams({ from: phone, text: 'BUY 10' }),
    });
    expect(bad.status).toBe(400);
  });
  expect(await smsTo(stack.runtime.pool, phone)).toEqual(['Salio: muda wa maongezi KES 1,000.00, TXTC 0.']);
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
});
