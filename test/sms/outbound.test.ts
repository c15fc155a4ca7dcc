/** Outbound SMS on the real stack: replies split to fit, each part sent once, delivery reports. */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { createApiContext, createApp, type AppDeps } from '../../api/app';
import { smsDeliveryRoutes } from '../../api/sms-delivery';
import { createActivities } from '../../activities';
import { createSmsRepo } from '../../lib/db/sms';
import { fitsOneSms, smsParts } from '../../lib/sms/segments';
import { SimulatedOperator } from '../../lib/telco/simulated';
import type { MessagingPort } from '../../lib/telco/types';
import { smsWorkflowId } from '../../lib/definitions';
import { openStack, withWorker, testLog, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { newSafaricomNumber, smsTo } from '../support/money';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

const LONG_REPLY =
  'Last transactions: Buy 980 TXTC; -KES 1,290.00; +150 TXTC; -KES 50,000.00 x; Buy 12.5 TXTC. ' +
  'Your TXTC wallet holds 1,142.5 TXTC and your airtime balance is KES 3,710.00. ' +
  'Send HISTORY again for older transactions, or dial *384*123# to see them page by page. ' +
  'Thank you for using TXTC.';

const appDeps = (): AppDeps => ({ ...stack.runtime, temporal: stack.client, log: testLog });

/** POST /sms/delivery as app.ts mounts it, beside the inbound webhook under /sms. */
function deliveryApp() {
  const deps = appDeps();
  return new Hono().use(requestId()).route('/sms', smsDeliveryRoutes(createApiContext(deps)));
}

function report(app: ReturnType<typeof deliveryApp>, fields: Record<string, string>) {
  return Promise.resolve(
    app.request('/sms/delivery', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: new URLSearchParams(fields),
    }),
  ).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
}

/** The simulated operator, with a send that takes the SMS and then times out when `failOn(call)` says so. */
function messagingThatTimesOut(failOn: (call: number) => boolean): MessagingPort & { calls: string[] } {
  const operator = new SimulatedOperator(stack.runtime.pool);
  const calls: string[] = [];
  return {
    name: 'times-out',
    calls,
    async sendSms(phoneNumber, message, reference) {
      calls.push(reference);
      const sent = await operator.sendSms(phoneNumber, message, reference);
      if (failOn(calls.length)) throw new Error(`timed out after the operator took ${reference}`);
      return sent;
    },
  };
}

test('a long reply goes in parts that each fit one SMS, recorded as sent and shown in the simulator inbox', async () => {
  const phone = newSafaricomNumber();
  const reference = `test-reply:${randomUUID()}`;
  const activities = createActivities({ ...stack.runtime, log: testLog });
  const expected = smsParts(LONG_REPLY);
  expect(expected.length).toBeGreaterThan(1);

  expect(await activities.sendSms(phone, LONG_REPLY, reference)).toEqual({ parts: expected.length });

  const outbox = await smsTo(stack.runtime.pool, phone);
  expect(outbox).toEqual(expected);
  expect(outbox.every(fitsOneSms)).toBe(true);
  expect(outbox.join(' ')).toBe(LONG_REPLY);
  const sent = await createSmsRepo(stack.runtime.pool).messages(phone);
  expect(sent).toEqual(
    expected.map((text, i): unknown =>
      expect.objectContaining({
        direction: 'out',
        text,
        reference: `${reference}:${i + 1}/${expected.length}`,
        part: i + 1,
        parts: expected.length,
        gatewayMessageId: expect.stringMatching(/^sim-\d+$/),
        status: 'Sent',
      }),
    ),
  );

  const inbox = await createApp(appDeps()).request(`/simulator/sms/${encodeURIComponent(phone)}`);
  const { messages } = (await inbox.json()) as { messages: { id: string; message: string; status: string }[] };
  expect(messages.map((m) => m.message)).toEqual([...expected].reverse());
  expect(messages.map((m) => `sim-${m.id}`)).toEqual(sent.map((m) => m.gatewayMessageId).reverse());
  expect(messages.every((m) => m.status === 'Sent')).toBe(true);
});

test('a reply that fits one SMS keeps its reference', async () => {
  const phone = newSafaricomNumber();
  const reference = `test-reply:${randomUUID()}`;
  const activities = createActivities({ ...stack.runtime, log: testLog });
  expect(await activities.sendSms(phone, 'Airtime balance: KES 1,234.56.', reference)).toEqual({ parts: 1 });
  expect(await createSmsRepo(stack.runtime.pool).messages(phone)).toEqual([
    expect.objectContaining({ reference, part: 1, parts: 1, text: 'Airtime balance: KES 1,234.56.' }),
  ]);
});

test('a send retried after the operator took a part but timed out sends no part twice', async () => {
  const phone = newSafaricomNumber();
  const reference = `test-reply:${randomUUID()}`;
  const parts = smsParts(LONG_REPLY);
  const messaging = messagingThatTimesOut((call) => call === 2);
  const activities = createActivities({ ...stack.runtime, messaging, log: testLog });
  const repo = createSmsRepo(stack.runtime.pool);

  await expect(activities.sendSms(phone, LONG_REPLY, reference)).rejects.toThrow(/timed out/);
  expect(await smsTo(stack.runtime.pool, phone)).toEqual(parts.slice(0, 2));
  expect((await repo.messages(phone)).map((m) => m.part)).toEqual([1]);

  // The retry skips the part recorded; the operator answers the part it took with its first id.
  expect(await activities.sendSms(phone, LONG_REPLY, reference)).toEqual({ parts: parts.length });
  expect(messaging.calls.slice(2)).toEqual(parts.slice(1).map((_, i) => `${reference}:${i + 2}/${parts.length}`));
  // And a third attempt sends nothing at all.
  await activities.sendSms(phone, LONG_REPLY, reference);
  expect(messaging.calls).toHaveLength(2 + parts.length - 1);

  expect(await smsTo(stack.runtime.pool, phone)).toEqual(parts);
  const recorded = await repo.messages(phone);
  expect(recorded.map((m) => m.text)).toEqual(parts);
  const { rows } = await stack.runtime.pool.query<{ id: string }>(
    'SELECT id::text FROM sim_telco_sms WHERE phone_number = $1 ORDER BY id',
    [phone],
  );
  expect(recorded.map((m) => m.gatewayMessageId)).toEqual(rows.map((r) => `sim-${r.id}`));
});

test('delivery reports move the status of the part they name; an unknown id is ignored; a malformed one is a 400', async () => {
  const phone = newSafaricomNumber();
  const reference = `test-reply:${randomUUID()}`;
  await createActivities({ ...stack.runtime, log: testLog }).sendSms(phone, LONG_REPLY, reference);
  const repo = createSmsRepo(stack.runtime.pool);
  const [first, second] = await repo.messages(phone);
  const app = deliveryApp();

  expect(
    await report(app, { id: first!.gatewayMessageId!, status: 'Success', phoneNumber: phone, retryCount: '0' }),
  ).toEqual({ status: 200, body: { status: 'updated' } });
  expect(
    await report(app, {
      id: second!.gatewayMessageId!,
      status: 'Failed',
      phoneNumber: phone,
      networkCode: '63902',
      failureReason: 'DeliveryFailure',
      retryCount: '2',
    }),
  ).toEqual({ status: 200, body: { status: 'updated' } });
  // A late report of an earlier stage does not undo a final one.
  expect((await report(app, { id: first!.gatewayMessageId!, status: 'Sent' })).body).toEqual({ status: 'updated' });

  expect(await report(app, { id: `ATXid_${randomUUID()}`, status: 'Success', phoneNumber: phone })).toEqual({
    status: 200,
    body: { status: 'ignored' },
  });

  const before = await repo.messages(phone);
  const malformed: Record<string, string>[] = [
    { status: 'Success', phoneNumber: phone },
    { id: first!.gatewayMessageId!, phoneNumber: phone },
    { id: first!.gatewayMessageId!, status: 'Failed; DROP TABLE sms_messages' },
    { id: first!.gatewayMessageId!, status: 'Failed', retryCount: 'many' },
  ];
  for (const bad of malformed) {
    const res = await report(app, bad);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'InvalidRequest' } });
  }
  const after = await repo.messages(phone);
  expect(after).toEqual(before);
  expect(after.slice(0, 2)).toEqual([
    expect.objectContaining({ status: 'Success', failureReason: null }),
    expect.objectContaining({ status: 'Failed', failureReason: 'DeliveryFailure', networkCode: '63902' }),
  ]);
  expect(after.slice(2).every((m) => m.status === 'Sent')).toBe(true);
});

test('the reply to an inbound SMS is recorded as sent under the message reference', async () => {
  const phone = newSafaricomNumber();
  const id = `ATXid_${randomUUID()}`;
  await withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) => {
    const app = createApp({
      ...appDeps(),
      config: { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } },
    });
    const res = await app.request('/sms/inbound', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: new URLSearchParams({ from: phone, to: '12345', text: 'HELP', id, networkCode: '63902' }),
    });
    expect(res.status).toBe(200);
    await stack.client.workflow.getHandle(smsWorkflowId(id)).result();
  });
  const [reply] = await createSmsRepo(stack.runtime.pool)
    .messages(phone)
    .then((ms) => ms.filter((m) => m.direction === 'out'));
  expect(reply).toMatchObject({ reference: `sms:${id}:reply`, part: 1, parts: 1, status: 'Sent' });
  expect(await smsTo(stack.runtime.pool, phone)).toEqual([reply!.text]);
});
