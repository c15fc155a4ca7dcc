/**
 * A conversion whose operator keeps the wallet's balance to itself (MTN MoMo, against the local MoMo):
 * the workflow skips its own balance check, asks the person to approve on the phone, waits for the
 * approval and debits once; a declined payment moves nothing and says why. The simulated operator still
 * serves every other operator (and the SMS).
 */
import { randomInt } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { conversionWorkflow } from '../../workflows';
import { conversionWorkflowId, stepReference } from '../../lib/definitions';
import { createActivities } from '../../activities';
import { TelcoRouter } from '../../lib/telco/factory';
import { MomoOperator } from '../../lib/telco/momo';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { createConversionRepo } from '../../lib/db/conversions';
import { openStack, testLog, uniqueId, withWorker, type TestStackHandle } from '../support/stack';
import { smsTo } from '../support/money';
import { MomoServer, type MomoPayer } from '../support/protocol/momo-server';

const credentials = {
  collection: { subscriptionKey: 'coll-sub-key', apiUser: 'coll-user', apiKey: 'coll-api-key' },
  disbursement: { subscriptionKey: 'disb-sub-key', apiUser: 'disb-user', apiKey: 'disb-api-key' },
};

let stack: TestStackHandle;
let server: MomoServer;
beforeAll(async () => {
  stack = await openStack();
  server = await new MomoServer({ currency: 'UGX', digits: 0, targetEnvironment: 'mtnuganda', ...credentials }).start();
});
afterAll(async () => {
  await server.stop();
  await stack.close();
});

function activities() {
  const momo = new MomoOperator({
    baseUrl: server.url,
    targetEnvironment: 'mtnuganda',
    currency: 'UGX',
    ...credentials,
    approvalTimeoutMs: 20_000,
    pollInitialMs: 50,
    pollMaxMs: 200,
  });
  const telco = new TelcoRouter(new Map([['mtn-ug', momo]]), new SimulatedOperator(stack.runtime.pool));
  return createActivities({ ...stack.runtime, log: testLog, telco });
}

function newPayer(payer: MomoPayer): string {
  const phone = `+25677${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  server.payer(phone, payer);
  return phone;
}

async function convert(phoneNumber: string) {
  const workflowId = conversionWorkflowId('api', uniqueId('momo'));
  const run = withWorker(stack, activities(), (taskQueue) =>
    stack.client.workflow.execute(conversionWorkflow, {
      taskQueue,
      workflowId,
      args: [{ channel: 'api', phoneNumber, operator: 'mtn-ug', usdCents: '500' }],
    }),
  );
  return { workflowId, run };
}

test('the person is asked to approve on the phone, approves after a while, and is debited once and minted', async () => {
  const phone = newPayer({ balanceMinor: 10_000_000n, approval: { afterPolls: 3 } });
  const { workflowId, run } = await convert(phone);
  const state = await run;
  expect(state.status).toBe('completed');
  // Worked by hand from the seeded rate: $5.00 at UGX 3,700 per USD = UGX 18,500 (no minor digits) = 18500 minor.
  const debited = 18500n;
  expect(BigInt(state.quote!.airtimeAmountMinor)).toBe(debited);
  expect(server.movementsOf(phone)).toEqual([expect.objectContaining({ product: 'collection', amountMinor: debited })]);
  expect(server.balance(phone)).toBe(10_000_000n - debited);
  const sms = await smsTo(stack.runtime.pool, phone);
  expect(sms).toHaveLength(2);
  expect(sms[0]).toMatch(/^Approve the payment of UGX .+ on your phone/);
  expect(sms[1]).toMatch(/^You bought /);
  expect(await createConversionRepo(stack.runtime.pool).get(workflowId)).toMatchObject({
    status: 'completed',
    debitReference: stepReference(workflowId, 'debit'),
  });
});

test('a payment declined on the phone moves nothing: the conversion fails with MoMo’s reason', async () => {
  const phone = newPayer({ balanceMinor: 10_000_000n, approval: 'reject' });
  const { workflowId, run } = await convert(phone);
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('OperatorRejected');
  expect(cause.message).toContain('the payment was declined on the phone');
  expect(server.movementsOf(phone)).toEqual([]);
  expect(await createConversionRepo(stack.runtime.pool).get(workflowId)).toMatchObject({
    status: 'failed',
    failureCode: 'OperatorRejected',
  });
});

test('not enough money in the wallet is InsufficientAirtime, decided by the debit itself', async () => {
  const phone = newPayer({ balanceMinor: 10n });
  const { run } = await convert(phone);
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('InsufficientAirtime');
  expect(server.balance(phone)).toBe(10n);
});
