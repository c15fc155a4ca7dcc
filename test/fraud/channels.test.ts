/**
 * A blocklisted number cannot move money through any channel (issue 12): listed by ops through the admin API,
 * it tries to buy TXTC through REST (POST /api/airtime/buy), USSD (the menu walked through the gateway's
 * webhook, PIN and all) and SMS (BUY through the inbound webhook), and a friend tries to send it airtime by SMS.
 * Each request is refused inside its workflow with NumberBlocked: no operator debit or credit, no wallet, no
 * TXTC, the balance untouched; the person is told by SMS each time, and the REST caller reads the refusal.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { conversionWorkflowId, smsWorkflowId, transferWorkflowId } from '../../lib/definitions';
import { createUssdRepo } from '../../lib/db/ussd';
import { hashPin } from '../../lib/pins';
import { failureType } from '../support/temporal-ops';
import { openStack, testLog, withWorker, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { airtimeBalance, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

type App = ReturnType<typeof createApp>;
const pool = () => stack.runtime.pool;
const REFUSAL = 'This request is not allowed. Nothing was taken. Please contact support.';

/** How the workflow failed; one that a USSD or SMS workflow starts may not exist for a moment yet. */
async function refusedWith(workflowId: string): Promise<string | undefined> {
  const handle = stack.client.workflow.getHandle(workflowId);
  for (let attempt = 0; ; attempt++) {
    try {
      await handle.describe();
      break;
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError) || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return failureType(handle.result());
}

/** One USSD hop as the gateway posts it: the cumulative text of the session so far. */
async function ussdHop(app: App, sessionId: string, phoneNumber: string, text: string): Promise<string> {
  const res = await app.request('/ussd', {
    method: 'POST',
    headers: gatewayHeaders(stack.config, 'ussd'),
    body: new URLSearchParams({ sessionId, serviceCode: '*123*456#', phoneNumber, networkCode: '63902', text }),
  });
  expect(res.status).toBe(200);
  return res.text();
}

/** An inbound SMS as the gateway posts it; the message id names its workflow. */
async function sms(app: App, from: string, text: string): Promise<string> {
  const id = `ATXid_${randomUUID()}`;
  const res = await app.request('/sms/inbound', {
    method: 'POST',
    headers: gatewayHeaders(stack.config, 'sms'),
    body: new URLSearchParams({ from, to: '12345', text, date: '2026-11-24 10:00:00', id, networkCode: '63902' }),
  });
  expect(res.status).toBe(200);
  return id;
}

test('a blocklisted number buys nothing through REST, USSD or SMS and receives nothing by SMS; each time it is told, nothing moves', async () => {
  const [blocked, friend] = [newSafaricomNumber(), newSafaricomNumber()];
  for (const n of [blocked, friend]) await topUp(pool(), n, 'safaricom-ke', 500000n);
  // Registered for USSD with a PIN, so the menu reaches the buy's confirmation.
  const ussd = createUssdRepo(pool());
  await ussd.setPin(blocked, await hashPin('7391'));
  await ussd.completeRegistration(blocked, 'en');

  await withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) => {
    const app = createApp({
      ...stack.runtime,
      config: { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } },
      temporal: stack.client,
      log: testLog,
    });
    const listed = await app.request('/api/fraud/blocklist', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: blocked, reason: 'reported stolen', by: 'alice' }),
    });
    expect(listed.status).toBe(201);

    // REST: accepted, then refused by the conversion; the caller reads why.
    const restKey = `blocked-rest-${randomUUID()}`;
    const rest = await app.request('/api/airtime/buy', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': restKey },
      body: JSON.stringify({ phoneNumber: blocked, airtimeAmount: '10', currency: 'USD' }),
    });
    expect(rest.status).toBe(202);
    const restId = conversionWorkflowId('api', restKey);
    expect(await refusedWith(restId)).toBe('NumberBlocked');
    expect(await (await app.request(`/api/transfers/${restId}`)).json()).toMatchObject({
      status: 'failed',
      stage: 'rejected',
      failure: { code: 'NumberBlocked' },
    });

    // USSD: Buy, KES 1,290 ($10), confirm with the PIN; the conversion it starts is refused.
    const sessionId = `ATUid_${randomUUID()}`;
    expect(await ussdHop(app, sessionId, blocked, '')).toMatch(/Buy/);
    expect(await ussdHop(app, sessionId, blocked, '1')).toMatch(/^CON [\s\S]*KES/);
    expect(await ussdHop(app, sessionId, blocked, '1*1290')).toContain('KES 1,290.00');
    expect(await ussdHop(app, sessionId, blocked, '1*1290*7391')).toMatch(/^END [\s\S]*SMS/);
    expect(await refusedWith(conversionWorkflowId('ussd', sessionId))).toBe('NumberBlocked');

    // SMS: BUY $10 from the listed number, and airtime sent to it by a friend.
    const buy = await sms(app, blocked, 'BUY $10');
    expect(await refusedWith(conversionWorkflowId('sms', buy))).toBe('NumberBlocked');
    const gift = await sms(app, friend, `TRANSFER 500 TO ${blocked.replace('+254', '0')}`);
    expect(await refusedWith(transferWorkflowId('sms', gift))).toBe('NumberBlocked');
    await stack.client.workflow.getHandle(smsWorkflowId(gift)).result();
  });

  // Nothing moved: no operator operation of either number, balances as they were, no wallet for the TXTC.
  expect(await telcoOperations(pool(), blocked)).toEqual([]);
  expect(await telcoOperations(pool(), friend)).toEqual([]);
  expect(await airtimeBalance(pool(), blocked)).toBe(500000n);
  expect(await airtimeBalance(pool(), friend)).toBe(500000n);
  const { rows: wallets } = await pool().query('SELECT 1 FROM wallets WHERE phone_number = $1', [blocked]);
  expect(wallets).toEqual([]);
  const { rows: records } = await pool().query<{ channel: string; status: string; failure_code: string }>(
    `SELECT channel::text AS channel, status, failure_code FROM airtime_transactions WHERE phone_number = $1
     UNION ALL SELECT channel::text, status, failure_code FROM p2p_transfers WHERE to_phone = $1 ORDER BY channel`,
    [blocked],
  );
  expect(records).toEqual(
    ['api', 'sms', 'sms', 'ussd'].map((channel) => ({ channel, status: 'failed', failure_code: 'NumberBlocked' })),
  );
  // The person is told each time it tried, in words; the friend is told its send was not allowed.
  expect(await smsTo(pool(), blocked)).toEqual([REFUSAL, REFUSAL, REFUSAL]);
  expect(await smsTo(pool(), friend)).toEqual([REFUSAL]);
});
