/**
 * Money branches with stub activities (the workflow tier): a mint refused for good after the debit (refunded
 * once, and a refund the operator refused, retried by ops), a movement held by the fraud rules (approved or
 * rejected by ops), a debit whose outcome is unknown (settled by the operator's status, never debited again),
 * and a USSD session that keeps receiving input until its whole-session timeout. The chain writer's word is
 * the signal a test sends as the writer would. What the workflow asked of its activities, in order, is the
 * evidence.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { conversionWorkflow } from '../../workflows';
import { telcoCall } from '../../workflows/shared/activity-options';
import {
  approveHeldUpdate,
  chainWriteSettledSignal,
  conversionWorkflowId,
  hopUpdate,
  rejectHeldUpdate,
  retryRefundUpdate,
  ussdWorkflowId,
  type ChainWriteOutcome,
  type ConversionInput,
  type FraudVerdict,
} from '../../lib/definitions';
import { smsTexts } from '../../lib/messages/sms';
import { dialUssd, preparedConversion, profile, stubActivities, until, withStubWorker, type Recorder } from './support';

const PHONE = '+254712345678';
const OPERATOR = 'safaricom-ke';
const WALLET = `0x${'2'.repeat(40)}`;
const TX = `0x${'3'.repeat(64)}`;
const AIRTIME = 'KES 1,290.00';
const en = smsTexts(undefined);

const buy = (): ConversionInput => ({
  channel: 'api',
  phoneNumber: PHONE,
  operator: OPERATOR,
  airtimeAmountMinor: '129000',
});

/** The airtime movement the workflow asks for under `reference` (the debit, or its refund). */
const movement = (reference: string) => ({ phoneNumber: PHONE, operator: OPERATOR, amountMinor: '129000', reference });

const hold: FraudVerdict = {
  action: 'hold',
  rules: 'large-amount',
  reason: 'USD 10.00 is above the review threshold',
  timeoutSeconds: 60,
};

/**
 * Everything a conversion asks for on its way to a mint, answering as a healthy operator would; the mint is
 * queued for the chain writer, whose word the test signals. `overrides` change what a branch needs.
 */
function conversionStubs(updates: unknown[], overrides: Parameters<typeof stubActivities>[0] = {}) {
  return stubActivities({
    prepareConversion: () => preparedConversion(),
    updateConversion: (_id: string, update: unknown) => void updates.push(update),
    sendSms: () => ({ parts: 1 }),
    takePayerTurn: () => ({ taken: true }),
    givePayerTurn: () => undefined,
    checkAirtimeBalance: () => '500000',
    debitAirtime: (m: { reference: string }) => ({ reference: m.reference, balanceAfterMinor: '371000' }),
    recordDebit: () => WALLET,
    submitMint: () => ({ mode: 'queued', deadline: 2_000_000_000 }),
    creditAirtime: (m: { reference: string }) => ({ reference: m.reference }),
    ...overrides,
  });
}

/** A conversion the fraud rules hold for ops, its hold and the ops decision recorded. */
const heldStubs = (updates: unknown[]) =>
  conversionStubs(updates, {
    prepareConversion: () => preparedConversion(hold),
    recordHold: () => undefined,
    recordHoldDecision: () => undefined,
  });

/** Starts a conversion on the stub worker's queue. */
const startBuy = (client: Client, taskQueue: string, workflowId: string) =>
  client.workflow.start(conversionWorkflow, { taskQueue, workflowId, args: [buy()] });

/** Once the mint is handed over, the chain writer's word on it, as the writer signals it. */
async function writerSays(
  stubs: Recorder,
  handle: WorkflowHandle,
  word: Pick<ChainWriteOutcome, 'status' | 'reason'>,
): Promise<void> {
  await until(() => stubs.called('submitMint').length > 0);
  await handle.signal(chainWriteSettledSignal, {
    reference: `${handle.workflowId}:mint`,
    txHash: word.status === 'applied' ? TX : `0x${'0'.repeat(64)}`,
    blockNumber: 7,
    ...word,
  });
}

const names = (stubs: Recorder) => stubs.calls.map((c) => c.name);
const texts = (stubs: Recorder) => stubs.called('sendSms').map((args) => [args[1], args[2]]);

test('a mint the contract refuses for good after the debit refunds the airtime once, under the refund reference', async () => {
  const updates: unknown[] = [];
  const stubs = conversionStubs(updates);
  const id = conversionWorkflowId('api', `tier-${Date.now()}-refund`);
  const failure = await withStubWorker(stubs.activities, async (client, taskQueue) => {
    const handle = await startBuy(client, taskQueue, id);
    await writerSays(stubs, handle, { status: 'skipped', reason: 'Reverted' });
    return handle.result().catch((e: unknown) => e);
  });
  expect(failure).toMatchObject({ cause: { type: 'MintRejected' } });
  expect(names(stubs)).toEqual([
    'prepareConversion',
    'takePayerTurn',
    'checkAirtimeBalance',
    'debitAirtime',
    'recordDebit',
    'submitMint',
    'creditAirtime',
    'updateConversion',
    'sendSms',
    'givePayerTurn',
  ]);
  expect(stubs.called('debitAirtime')).toEqual([[movement(`${id}:debit`)]]);
  expect(stubs.called('creditAirtime')).toEqual([[movement(`${id}:refund`)]]);
  // A Reverted batch is final for a conversion's mint: the chain is not asked again before the refund.
  expect(stubs.called('mintOutcome')).toEqual([]);
  expect(updates).toEqual([
    {
      stage: 'refunded',
      status: 'failed',
      refundReference: `${id}:refund`,
      refunded: true,
      failure: { type: 'MintRejected', message: 'mint refused by the TXTC contract' },
    },
  ]);
  expect(texts(stubs)).toEqual([[en.buyRefunded(AIRTIME), `${id}:sms-failure`]]);
});

test('a refund the operator refuses waits for ops with the payer turn given back; their retry refunds it under the same reference', async () => {
  const updates: unknown[] = [];
  let credits = 0;
  const stubs = conversionStubs(updates, {
    creditAirtime: (m: { reference: string }) => {
      if (++credits === 1) throw ApplicationFailure.nonRetryable('account barred', 'OperatorRejected');
      return { reference: m.reference };
    },
  });
  const id = conversionWorkflowId('api', `tier-${Date.now()}-refund-retry`);
  const { failure, retried, before } = await withStubWorker(stubs.activities, async (client, taskQueue) => {
    const handle = await startBuy(client, taskQueue, id);
    await writerSays(stubs, handle, { status: 'skipped', reason: 'Reverted' });
    await until(() => stubs.called('givePayerTurn').length > 0);
    const waiting = names(stubs);
    const result = await handle.executeUpdate(retryRefundUpdate, { args: [] });
    return { retried: result, before: waiting, failure: await handle.result().catch((e: unknown) => e) };
  });
  // While it waits for ops, the number's turn is free: other movements from it go on.
  expect(before.slice(-5)).toEqual(['submitMint', 'creditAirtime', 'updateConversion', 'sendSms', 'givePayerTurn']);
  expect(retried).toEqual({ refunded: true });
  expect(failure).toMatchObject({ cause: { type: 'MintRejected' } });
  expect(names(stubs).slice(before.length)).toEqual(['creditAirtime', 'updateConversion', 'sendSms']);
  expect(stubs.called('creditAirtime')).toEqual([[movement(`${id}:refund`)], [movement(`${id}:refund`)]]);
  expect(stubs.called('debitAirtime')).toHaveLength(1);
  expect(stubs.called('givePayerTurn')).toHaveLength(1);
  expect(updates).toEqual([
    expect.objectContaining({ stage: 'refund_failed', status: 'failed' }),
    expect.objectContaining({ stage: 'refunded', refundReference: `${id}:refund`, refunded: true }),
  ]);
  expect(texts(stubs)).toEqual([
    [en.buyRefundDelayed(AIRTIME), `${id}:sms-failure`],
    [en.buyRefunded(AIRTIME), `${id}:sms-refund`],
  ]);
});

test('a held conversion waits for ops without the payer turn; approveHeld lets it debit and mint', async () => {
  const updates: unknown[] = [];
  const stubs = heldStubs(updates);
  const id = conversionWorkflowId('api', `tier-${Date.now()}-hold-approve`);
  const { decision, whileHeld, state } = await withStubWorker(stubs.activities, async (client, taskQueue) => {
    const handle = await startBuy(client, taskQueue, id);
    await until(() => stubs.called('sendSms').length > 0);
    const held = names(stubs);
    const decided = await handle.executeUpdate(approveHeldUpdate, {
      args: [{ operator: 'ops-amina', reason: 'known customer' }],
    });
    await writerSays(stubs, handle, { status: 'applied' });
    return { decision: decided, whileHeld: held, state: await handle.result() };
  });
  // Held before the turn is taken: a wait for ops keeps no other movement of the number waiting.
  expect(whileHeld).toEqual(['prepareConversion', 'recordHold', 'updateConversion', 'sendSms']);
  expect(stubs.called('recordHold')).toEqual([
    [
      expect.objectContaining({
        workflowId: id,
        kind: 'conversion',
        rules: 'large-amount',
        timeoutSeconds: 60,
      }),
    ],
  ]);
  expect(decision).toEqual({ decision: 'approved', operator: 'ops-amina', reason: 'known customer' });
  expect(names(stubs).slice(whileHeld.length)).toEqual([
    'recordHoldDecision',
    'updateConversion',
    'sendSms',
    'takePayerTurn',
    'checkAirtimeBalance',
    'debitAirtime',
    'recordDebit',
    'submitMint',
    'updateConversion',
    'sendSms',
    'givePayerTurn',
  ]);
  expect(stubs.called('recordHoldDecision')).toEqual([[id, decision]]);
  expect(updates).toEqual([
    { stage: 'held' },
    { stage: 'quoted' },
    expect.objectContaining({ stage: 'completed', status: 'completed', txHash: TX, mintReference: `${id}:mint` }),
  ]);
  expect(texts(stubs).slice(0, 2)).toEqual([
    [en.heldForReview({ amount: AIRTIME, hours: 1 }), `${id}:sms-held`],
    [en.holdApproved(AIRTIME), `${id}:sms-approved`],
  ]);
  expect(state).toMatchObject({
    stage: 'completed',
    status: 'completed',
    txHash: TX,
    hold: { rules: 'large-amount', decision: 'approved', decidedBy: 'ops-amina' },
  });
});

test('a held conversion that ops reject ends HoldRejected: nothing moved, no turn taken', async () => {
  const updates: unknown[] = [];
  const stubs = heldStubs(updates);
  const id = conversionWorkflowId('api', `tier-${Date.now()}-hold-reject`);
  const { decision, failure } = await withStubWorker(stubs.activities, async (client, taskQueue) => {
    const handle = await startBuy(client, taskQueue, id);
    await until(() => stubs.called('recordHold').length > 0);
    const decided = await handle.executeUpdate(rejectHeldUpdate, {
      args: [{ operator: 'ops-amina', reason: 'number reported stolen' }],
    });
    return { decision: decided, failure: await handle.result().catch((e: unknown) => e) };
  });
  expect(decision).toEqual({ decision: 'rejected', operator: 'ops-amina', reason: 'number reported stolen' });
  expect(failure).toMatchObject({ cause: { type: 'HoldRejected' } });
  expect(names(stubs)).toEqual([
    'prepareConversion',
    'recordHold',
    'updateConversion',
    'sendSms',
    'recordHoldDecision',
    'updateConversion',
    'sendSms',
  ]);
  expect(updates).toEqual([
    { stage: 'held' },
    expect.objectContaining({
      stage: 'rejected',
      status: 'failed',
      failure: expect.objectContaining({ type: 'HoldRejected' }),
    }),
  ]);
  expect(texts(stubs)[1]).toEqual([en.holdRejected(AIRTIME), `${id}:sms-failure`]);
});

test('a debit whose attempts end without an answer is settled by one status lookup: committed, minted, never debited again', async () => {
  const updates: unknown[] = [];
  const stubs = conversionStubs(updates, {
    // Every attempt times out after the operator may have committed (retried at once, not after backoff).
    debitAirtime: () => {
      throw ApplicationFailure.create({
        message: 'operator did not answer in time',
        type: 'TelcoTimeout',
        nextRetryDelay: '10 ms',
      });
    },
    airtimeMovementStatus: () => ({ status: 'committed', balanceAfterMinor: '371000' }),
  });
  const id = conversionWorkflowId('api', `tier-${Date.now()}-unknown-debit`);
  const state = await withStubWorker(stubs.activities, async (client, taskQueue) => {
    const handle = await startBuy(client, taskQueue, id);
    await writerSays(stubs, handle, { status: 'applied' });
    return handle.result();
  });
  expect(state).toMatchObject({ stage: 'completed', status: 'completed', txHash: TX, walletAddress: WALLET });
  // The activity's own attempts (its retry policy's), all under the one debit reference; then one lookup.
  const attempts = telcoCall.retry!.maximumAttempts!;
  expect(stubs.called('debitAirtime')).toEqual(Array.from({ length: attempts }, () => [movement(`${id}:debit`)]));
  expect(names(stubs).slice(3 + attempts)).toEqual([
    'airtimeMovementStatus',
    'recordDebit',
    'submitMint',
    'updateConversion',
    'sendSms',
    'givePayerTurn',
  ]);
  expect(stubs.called('airtimeMovementStatus')).toEqual([
    [{ reference: `${id}:debit`, operator: OPERATOR, kind: 'debit', phoneNumber: PHONE, amountMinor: '129000' }],
  ]);
  expect(stubs.called('creditAirtime')).toEqual([]);
  expect(updates).toEqual([expect.objectContaining({ stage: 'completed', status: 'completed' })]);
});

test('a USSD session that keeps receiving input still ends at its whole-session timeout', async () => {
  const stubs = stubActivities({ endUssdSession: () => undefined });
  const sessionId = `ATUid_tier_${Date.now()}_busy`;
  const workflowId = ussdWorkflowId(sessionId);
  const { screens, state, seconds } = await withStubWorker(stubs.activities, async (client, taskQueue) => {
    const began = Date.now();
    const first = await dialUssd(client, taskQueue, sessionId, { timeoutSeconds: 4, idleSeconds: 2 });
    const handle = client.workflow.getHandle(workflowId);
    let ended = false;
    const result = handle.result().finally(() => (ended = true));
    const replies = [first];
    // A hop every second: never 2 s without input, so only the whole-session limit can end it.
    for (let seq = 1; seq <= 10 && !ended; seq++) {
      await new Promise((r) => setTimeout(r, 1000));
      if (ended) break;
      const reply = await handle
        .executeUpdate(hopUpdate, {
          args: [{ seq, input: { text: '9' }, phoneNumber: profile.phoneNumber }],
          updateId: `${sessionId}:${seq}`,
        })
        .catch(() => undefined); // refused once the session has ended
      if (reply) replies.push(reply.text);
    }
    return { screens: replies, state: await result, seconds: (Date.now() - began) / 1000 };
  });
  expect(state).toMatchObject({ phase: 'ended', endReason: 'timeout' });
  expect(state.hops).toBeGreaterThanOrEqual(3);
  expect(state.hops).toBe(screens.length);
  for (const screen of screens) expect(screen).toMatch(/^CON /);
  expect(seconds).toBeLessThan(8);
  expect(stubs.called('endUssdSession')).toEqual([
    [{ sessionId, phoneNumber: profile.phoneNumber, workflowId, resumable: null }],
  ]);
});
