/**
 * The Africa's Talking adapter against a local AT (test/support/protocol/africastalking-server.ts) and our API
 * served on a port for AT's callbacks, on the real Postgres: airtime credits settle by the status callback,
 * once per reference whatever fails in between; SMS and their delivery reports.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ApplicationFailure } from '@temporalio/activity';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { createTelcoActivities } from '../../activities/telco';
import { withTypedFailures } from '../../activities/shared';
import { createAtAirtimeRepo } from '../../lib/db/at-airtime';
import { createSmsRepo } from '../../lib/db/sms';
import { createTelco } from '../../lib/telco/factory';
import { AfricasTalkingOperator, type AfricasTalkingSettings } from '../../lib/telco/africastalking';
import {
  TelcoPendingError,
  TelcoReferenceConflictError,
  TelcoTimeoutError,
  type TelcoOperator,
} from '../../lib/telco/types';
import { airtimeTransferWorkflow } from '../../workflows';
import { stepReference, transferWorkflowId, type TransferInput } from '../../lib/definitions';
import { createTransferRepo } from '../../lib/db/transfers';
import { openStack, testConfig, testLog, uniqueId, withWorker, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { airtimeBalance, newAirtelKeNumber, newSafaricomNumber, telcoOperations, topUp } from '../support/money';
import { startAfricasTalking, type AfricasTalkingServer } from '../support/protocol/africastalking-server';

let stack: TestStackHandle;
let api: ReturnType<typeof serve>;
let apiUrl: string;
let at: AfricasTalkingServer;

beforeAll(async () => {
  stack = await openStack();
  const app = createApp({ ...stack.runtime, temporal: stack.client, log: testLog });
  const port = await new Promise<number>((resolve) => {
    api = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
  });
  apiUrl = `http://127.0.0.1:${port}`;
  // AT's dashboard takes callback URLs only: the secrets ride in them as Basic auth.
  at = await startAfricasTalking(apiUrl, stack.config, { senderIds: ['TXTC'], accountMinor: { KES: 10_000_000n } });
});

afterAll(async () => {
  await at?.stop();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await stack?.close();
});

const settings = (overrides: Partial<AfricasTalkingSettings> = {}): AfricasTalkingSettings => ({
  username: at.username,
  apiKey: at.apiKey,
  baseUrl: at.baseUrl,
  senderId: 'TXTC',
  httpTimeoutMs: 2000,
  statusWaitMs: 15000,
  pollMs: 20,
  ...overrides,
});

const adapter = (overrides: Partial<AfricasTalkingSettings> = {}) =>
  new AfricasTalkingOperator(stack.runtime.pool, settings(overrides));

/** The telco activities on the adapter, typed failures as the worker has them. */
const activitiesOn = (operator: AfricasTalkingOperator) =>
  withTypedFailures(
    createTelcoActivities({
      telco: operator,
      messaging: operator,
      smsMessages: createSmsRepo(stack.runtime.pool),
      log: testLog,
    }),
  );

const credit = (phoneNumber: string, amountMinor: bigint, reference = `test-at:${randomUUID()}:credit`) => ({
  phoneNumber,
  operator: 'safaricom-ke',
  amountMinor,
  reference,
});

const record = (reference: string) => createAtAirtimeRepo(stack.runtime.pool).find(reference);
const sendsOf = (reference: string) =>
  at.calls.filter((c) => c.path === '/version1/airtime/send' && c.idempotencyKey === reference);

function postCallback(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { ...gatewayHeaders(stack.config, 'africastalking'), 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
}

describe('airtime credits', () => {
  test('a credit is Sent, then committed once the status callback says Success; AT moved it once, to the cent', async () => {
    const phone = newSafaricomNumber();
    const movement = credit(phone, 12345n);
    const before = at.accountMinor.get('KES')!;

    expect(await adapter().credit(movement)).toEqual({ reference: movement.reference, status: 'committed' });

    expect(at.movementsTo(phone)).toEqual([
      expect.objectContaining({ amountMinor: 12345n, currency: 'KES', status: 'Success' }),
    ]);
    expect(at.accountMinor.get('KES')).toBe(before - 12345n);
    expect(sendsOf(movement.reference)).toHaveLength(1);
    expect(await record(movement.reference)).toMatchObject({
      status: 'success',
      requestId: at.movementsTo(phone)[0]!.requestId,
      amountMinor: 12345n,
      currency: 'KES',
    });
    // AT asked us first, and we recognised our own send.
    const validation = at.callbacks.find(
      (c) => c.kind === 'validation' && (c.body as { phoneNumber: string }).phoneNumber === phone,
    );
    expect(validation).toMatchObject({ httpStatus: 200, answer: { status: 'Validated' } });
  });

  test('a Failed status callback rejects the credit with what AT said, as a final OperatorRejected; AT refunds its account', async () => {
    const phone = newSafaricomNumber();
    const before = at.accountMinor.get('KES')!;
    at.outcome = (n) => (n === phone ? 'Failed' : 'Success');
    try {
      const movement = credit(phone, 5000n);
      const failure = await activitiesOn(adapter())
        .creditAirtime({ ...movement, amountMinor: '5000' })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'OperatorRejected', nonRetryable: true });
      expect((failure as Error).message).toMatch(/Delivery failed/);
      expect(await record(movement.reference)).toMatchObject({ status: 'failed', reason: 'Delivery failed' });
      expect(at.movementsTo(phone).map((m) => m.status)).toEqual(['Failed']);
      expect(at.accountMinor.get('KES')).toBe(before);
    } finally {
      at.outcome = () => 'Success';
    }
  });

  test('an invalid number is refused by AT ("Invalid phone number") and nothing moves', async () => {
    const movement = credit('+2547000', 1000n);
    expect(await adapter().credit(movement)).toEqual({
      reference: movement.reference,
      status: 'rejected',
      reason: 'Invalid phone number',
    });
    expect(at.movementsTo('+2547000')).toEqual([]);
    expect(await record(movement.reference)).toMatchObject({ status: 'failed', requestId: null });
    // Repeating it asks AT nothing more: the refusal stands for the reference.
    expect(await adapter().credit(movement)).toMatchObject({ status: 'rejected' });
    expect(sendsOf(movement.reference)).toHaveLength(1);
  });

  test('more than our AT account holds is refused ("Insufficient Credit") and nothing moves', async () => {
    // Nothing in UGX on this account.
    const phone = `+256772${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    const movement = { ...credit(phone, 5000n), operator: 'mtn-ug' };
    expect(await adapter().credit(movement)).toEqual({
      reference: movement.reference,
      status: 'rejected',
      reason: 'Insufficient Credit',
    });
    expect(at.movementsTo(phone)).toEqual([]);
  });

  test('a 5xx leaves the outcome unknown; the retry under the same Idempotency-Key moves the airtime once', async () => {
    const phone = newSafaricomNumber();
    const movement = credit(phone, 2000n);
    at.failNext(1, 500);
    await expect(adapter().credit(movement)).rejects.toThrow(TelcoTimeoutError);
    expect(at.movementsTo(phone)).toEqual([]);

    expect(await activitiesOn(adapter()).creditAirtime({ ...movement, amountMinor: '2000' })).toMatchObject({
      reference: movement.reference,
    });
    expect(at.movementsTo(phone)).toEqual([expect.objectContaining({ amountMinor: 2000n, status: 'Success' })]);
    expect(sendsOf(movement.reference)).toHaveLength(2);
  });

  test('a timeout after AT committed: the retry finds the first send by its key and nothing moves twice', async () => {
    const phone = newSafaricomNumber();
    const movement = credit(phone, 3000n);
    at.hangNextAfterCommit();
    await expect(adapter({ httpTimeoutMs: 300 }).credit(movement)).rejects.toThrow(TelcoTimeoutError);
    expect(await record(movement.reference)).toMatchObject({ status: 'requested', requestId: null });
    // AT delivered meanwhile and its status callback came before we ever read its answer.
    await at.idle();

    // The activity's retry asks status first: AT answers the repeated key with its first response.
    expect(await activitiesOn(adapter()).creditAirtime({ ...movement, amountMinor: '3000' })).toMatchObject({
      reference: movement.reference,
    });
    expect(at.movementsTo(phone)).toEqual([expect.objectContaining({ amountMinor: 3000n, status: 'Success' })]);
    expect(sendsOf(movement.reference)).toHaveLength(2);
    expect(await record(movement.reference)).toMatchObject({
      status: 'success',
      requestId: at.movementsTo(phone)[0]!.requestId,
    });
  });

  test('a reference reused for the same credit returns the first result without asking AT; for another amount it is a conflict', async () => {
    const phone = newSafaricomNumber();
    const movement = credit(phone, 1500n);
    const operator = adapter();
    expect(await operator.credit(movement)).toMatchObject({ status: 'committed' });
    expect(await operator.credit(movement)).toMatchObject({ status: 'committed' });
    expect(await operator.status({ reference: movement.reference, operator: 'safaricom-ke', kind: 'credit' })).toEqual({
      reference: movement.reference,
      status: 'committed',
    });
    await expect(operator.credit({ ...movement, amountMinor: 1600n })).rejects.toThrow(TelcoReferenceConflictError);
    expect(sendsOf(movement.reference)).toHaveLength(1);
    expect(at.movementsTo(phone)).toHaveLength(1);
    expect(
      await operator.status({ reference: `test-at:${randomUUID()}:credit`, operator: 'safaricom-ke', kind: 'credit' }),
    ).toBeUndefined();
  });

  test('AT cannot take airtime or read a balance: refused for good, with what to configure', async () => {
    const operator = adapter();
    const debit = await operator.debit().catch((e: unknown) => e);
    expect(debit).toMatchObject({ code: 'OperatorRejected' });
    expect((debit as Error).message).toMatch(/not supported, configure a collection adapter/);
    await expect(operator.checkBalance()).rejects.toMatchObject({ code: 'OperatorRejected' });
    expect((operator as TelcoOperator).transfer).toBeUndefined();
  });
});

describe('the status and validation callbacks', () => {
  test('Sent without a callback yet is pending (retryable); the callback settles it and the first word stands', async () => {
    const phone = newSafaricomNumber();
    const movement = credit(phone, 2500n);
    at.outcome = (n) => (n === phone ? 'hold' : 'Success');
    try {
      await expect(adapter({ statusWaitMs: 100 }).credit(movement)).rejects.toThrow(TelcoPendingError);
      const lookup = { reference: movement.reference, operator: 'safaricom-ke', kind: 'credit' as const };
      await expect(adapter({ statusWaitMs: 0 }).status(lookup)).rejects.toThrow(TelcoPendingError);

      const requestId = at.movementsTo(phone)[0]!.requestId;
      expect(await at.complete(requestId, 'Success')).toMatchObject({
        httpStatus: 200,
        answer: { status: 'recorded' },
      });
      expect(await adapter().status(lookup)).toEqual({ reference: movement.reference, status: 'committed' });

      // A late contradicting callback changes nothing.
      const late = await postCallback('/at/airtime/status', { requestId, status: 'Failed', phoneNumber: phone });
      expect(late).toMatchObject({ status: 200, body: { status: 'recorded' } });
      expect(await adapter().status(lookup)).toMatchObject({ status: 'committed' });
      expect(sendsOf(movement.reference)).toHaveLength(1);
    } finally {
      at.outcome = () => 'Success';
    }
  });

  test('callbacks need AT’s secret (401), a well-formed body (400); a non-final status is acknowledged and ignored', async () => {
    const forged = await postCallback(
      '/at/airtime/status',
      { requestId: 'ATQid_x', status: 'Success' },
      { 'x-webhook-secret': 'not-the-secret-at-all' },
    );
    expect(forged).toMatchObject({ status: 401, body: { error: { code: 'Unauthorized' } } });
    const smsSecret = await postCallback(
      '/at/airtime/validation',
      { transactionId: 't', phoneNumber: '+254712345678', currencyCode: 'KES', amount: 10 },
      { 'x-webhook-secret': stack.config.webhooks.smsSecret },
    );
    expect(smsSecret.status).toBe(401);

    expect(await postCallback('/at/airtime/status', { status: 'Success' })).toMatchObject({
      status: 400,
      body: { error: { code: 'InvalidRequest', message: expect.stringMatching(/^requestId/) as unknown } },
    });
    expect(await postCallback('/at/airtime/status', { requestId: 'ATQid_unknown1', status: 'Queued' })).toMatchObject({
      status: 200,
      body: { status: 'ignored' },
    });
    const { rowCount } = await stack.runtime.pool.query(
      'SELECT 1 FROM at_airtime_status_reports WHERE request_id = $1',
      ['ATQid_unknown1'],
    );
    expect(rowCount).toBe(0);
  });

  test('validation answers Validated only for an unsettled send of ours of that number, currency and amount', async () => {
    const phone = newSafaricomNumber();
    const movement = credit(phone, 4550n);
    at.outcome = (n) => (n === phone ? 'hold' : 'Success');
    try {
      await expect(adapter({ statusWaitMs: 0 }).credit(movement)).rejects.toThrow(TelcoPendingError);
      const ask = (fields: Record<string, unknown>) =>
        postCallback('/at/airtime/validation', {
          transactionId: `ATPid_${randomUUID()}`,
          phoneNumber: phone,
          sourceIpAddress: '127.0.0.1',
          currencyCode: 'KES',
          amount: 45.5,
          ...fields,
        });
      expect((await ask({})).body).toEqual({ status: 'Validated' });
      expect((await ask({ amount: '45.5000' })).body).toEqual({ status: 'Validated' });
      // Not ours: another amount, currency or number.
      expect((await ask({ amount: 45.51 })).body).toEqual({ status: 'Failed' });
      expect((await ask({ currencyCode: 'UGX', amount: 4550 })).body).toEqual({ status: 'Failed' });
      expect((await ask({ phoneNumber: newSafaricomNumber() })).body).toEqual({ status: 'Failed' });

      // Once settled it is no longer ours to validate (a replay cannot spend our balance).
      await at.complete(at.movementsTo(phone)[0]!.requestId, 'Success');
      expect((await ask({})).body).toEqual({ status: 'Failed' });
    } finally {
      at.outcome = () => 'Success';
    }
  });
});

describe('SMS', () => {
  test('an SMS goes from our sender id and is recorded with AT’s message id; its delivery report reaches POST /sms/delivery', async () => {
    const phone = newSafaricomNumber();
    const reference = `test-at-sms:${randomUUID()}`;
    expect(await activitiesOn(adapter()).sendSms(phone, 'Your TXTC balance: 12.5 TXTC.', reference)).toEqual({
      parts: 1,
    });
    const sent = at.sms.filter((s) => s.to === phone);
    expect(sent).toEqual([
      expect.objectContaining({
        message: 'Your TXTC balance: 12.5 TXTC.',
        from: 'TXTC',
        messageId: expect.any(String),
      }),
    ]);
    const messageId = sent[0]!.messageId;
    const sms = createSmsRepo(stack.runtime.pool);
    expect(await sms.messages(phone)).toEqual([
      expect.objectContaining({ reference, gatewayMessageId: messageId, status: 'Success' }),
    ]);

    expect(await at.reportDelivery(messageId, 'Failed', 'AbsentSubscriber')).toMatchObject({
      httpStatus: 200,
      answer: { status: 'updated' },
    });
    expect(await sms.messages(phone)).toEqual([
      expect.objectContaining({ status: 'Failed', failureReason: 'AbsentSubscriber' }),
    ]);
  });

  test('a recipient AT refuses (blacklisted, invalid) fails for good and nothing is sent or recorded', async () => {
    const phone = newSafaricomNumber();
    at.blacklist.add(phone);
    const reference = `test-at-sms:${randomUUID()}`;
    const failure = await activitiesOn(adapter())
      .sendSms(phone, 'hello', reference)
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'OperatorRejected', nonRetryable: true });
    expect((failure as Error).message).toMatch(/UserInBlacklist/);
    await expect(adapter().sendSms('+2547000', 'hello')).rejects.toMatchObject({ code: 'OperatorRejected' });
    expect(at.sms.filter((s) => s.to === phone)).toEqual([]);
    expect(await createSmsRepo(stack.runtime.pool).messages(phone)).toEqual([]);
  });

  test('a wrong API key is AT’s 401: a configuration error, final at once (never retried), nothing sent', async () => {
    const phone = newSafaricomNumber();
    const wrong = adapter({ apiKey: 'atsk_wrong_key_0000000000' });
    await expect(wrong.sendSms(phone, 'hi')).rejects.toMatchObject({
      name: 'OperatorAuthError',
      code: 'OperatorRejected',
    });
    // Through the activity: a non-retryable failure, so Temporal tries it once.
    const failure = await activitiesOn(wrong)
      .sendSms(phone, 'hi', `test-at-sms:${randomUUID()}`)
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'OperatorRejected', nonRetryable: true });
    expect((failure as Error).message).toMatch(/credentials were refused/);
    expect(at.sms.filter((s) => s.to === phone)).toEqual([]);
  });
});

test('configuration routes SMS and an operator’s airtime to Africa’s Talking', async () => {
  const config = testConfig({
    SMS_ADAPTER: 'africastalking',
    TELCO_OPERATOR_ADAPTERS: 'airtel-ke=africastalking',
    ...at.env(),
  });
  const telco = createTelco(config, stack.runtime.pool);
  expect(telco.messaging.name).toBe('africastalking');
  expect(telco.airtime.adapterFor('airtel-ke').name).toBe('africastalking');
  expect(telco.airtime.adapterFor('safaricom-ke').name).toBe('simulated');

  const phone = newSafaricomNumber();
  expect(await telco.messaging.sendSms(phone, 'routed', `test-at-route:${randomUUID()}`)).toMatchObject({
    status: 'Success',
  });
  expect(at.sms.filter((s) => s.to === phone)).toHaveLength(1);
});

describe('through Temporal: Airtel Kenya served by Africa’s Talking, Safaricom by the simulated operator', () => {
  // No float reading of another file's AT stands in the way (the payouts here are not about the float).
  beforeAll(async () => {
    await stack.runtime.pool.query("DELETE FROM operator_floats WHERE adapter = 'africastalking'");
  });

  /** The worker's activities with airtel-ke routed to the local AT; a credit attempt waits briefly for the callback. */
  const routedActivities = () =>
    createActivities({
      ...stack.runtime,
      config: testConfig({
        TELCO_OPERATOR_ADAPTERS: 'airtel-ke=africastalking',
        ...at.env(),
        AT_STATUS_WAIT_MS: '200',
      }),
      log: testLog,
    });

  const airtimeTransfer = (fromPhone: string, toPhone: string, amountMinor: string): TransferInput => ({
    channel: 'api',
    kind: 'airtime',
    fromPhone,
    fromOperator: 'safaricom-ke',
    toPhone,
    toOperator: 'airtel-ke',
    amountMinor,
  });

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 600; i++) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  test('the receiver’s credit stays pending across Temporal retries until AT’s status callback says Success; AT moves it once', async () => {
    const [from, to] = [newSafaricomNumber(), newAirtelKeNumber()];
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 200000n);
    at.outcome = (n) => (n === to ? 'hold' : 'Success');
    try {
      const workflowId = transferWorkflowId('api', uniqueId('at-credit'));
      const state = await withWorker(stack, routedActivities(), async (taskQueue) => {
        const handle = await stack.client.workflow.start(airtimeTransferWorkflow, {
          taskQueue,
          workflowId,
          args: [airtimeTransfer(from, to, '50000')],
        });
        // The credit was sent, and an attempt already ended pending and was retried.
        const requestId = await until('AT to take the credit', () => Promise.resolve(at.movementsTo(to)[0]?.requestId));
        await until('a retried credit attempt', async () => {
          const { raw } = await handle.describe();
          return raw.pendingActivities?.some((a) => a.activityType?.name === 'creditAirtime' && (a.attempt ?? 0) >= 2)
            ? true
            : undefined;
        });
        await at.complete(requestId, 'Success');
        return handle.result();
      });

      expect(state.status).toBe('completed');
      expect(await airtimeBalance(stack.runtime.pool, from)).toBe(150000n);
      expect(at.movementsTo(to)).toEqual([expect.objectContaining({ amountMinor: 50000n, status: 'Success' })]);
      const reference = stepReference(workflowId, 'credit');
      expect(sendsOf(reference)).toHaveLength(1);
      expect(await record(reference)).toMatchObject({ status: 'success', operator: 'airtel-ke' });
      expect(await createTransferRepo(stack.runtime.pool).get(workflowId)).toMatchObject({ status: 'completed' });
    } finally {
      at.outcome = () => 'Success';
    }
  });

  test('a Failed status callback refunds the sender on the simulated operator, and AT moved nothing', async () => {
    const [from, to] = [newSafaricomNumber(), newAirtelKeNumber()];
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 200000n);
    at.outcome = (n) => (n === to ? 'Failed' : 'Success');
    try {
      const workflowId = transferWorkflowId('api', uniqueId('at-credit'));
      const failure = await withWorker(stack, routedActivities(), (taskQueue) =>
        stack.client.workflow.execute(airtimeTransferWorkflow, {
          taskQueue,
          workflowId,
          args: [airtimeTransfer(from, to, '50000')],
        }),
      ).catch((e: unknown) => e);
      expect(failure).toMatchObject({ cause: { type: 'OperatorRejected' } });

      expect(await airtimeBalance(stack.runtime.pool, from)).toBe(200000n);
      expect((await telcoOperations(stack.runtime.pool, from)).map((o) => o.reference)).toEqual([
        stepReference(workflowId, 'debit'),
        stepReference(workflowId, 'refund'),
      ]);
      expect(at.movementsTo(to).map((m) => m.status)).toEqual(['Failed']);
      expect(await createTransferRepo(stack.runtime.pool).get(workflowId)).toMatchObject({
        status: 'failed',
        stage: 'refunded',
        failureCode: 'OperatorRejected',
      });
    } finally {
      at.outcome = () => 'Success';
    }
  });
});
