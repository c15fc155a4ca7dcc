import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { parseUnits } from 'ethers';
import { conversionWorkflow } from '../../workflows';
import { conversionStateQuery, conversionWorkflowId, stepReference, type ConversionInput } from '../../lib/definitions';
import { createActivities } from '../../activities';
import { ChainWriter } from '../../lib/chain/writer';
import { TxtcToken } from '../../lib/chain/txtc';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { createConversionRepo } from '../../lib/db/conversions';
import { openStack, withWorker, testLog, uniqueId, type TestStackHandle } from '../support/stack';
import { airtimeBalance, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';

// Hardhat's second development account: funded with ETH, but not a TXTC minter.
const NOT_A_MINTER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const TXTC = (n: string) => parseUnits(n, 18);

let stack: TestStackHandle;
let token: TxtcToken;
beforeAll(async () => {
  stack = await openStack();
  token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
});
afterAll(async () => {
  await stack.close();
});

const activities = (overrides: Partial<Parameters<typeof createActivities>[0]> = {}) =>
  createActivities({ ...stack.runtime, log: testLog, ...overrides });

function input(phoneNumber: string, amount: { usdCents?: string; airtimeAmountMinor?: string }): ConversionInput {
  return { channel: 'api', phoneNumber, operator: 'safaricom-ke', ...amount };
}

async function runConversion(acts: ReturnType<typeof activities>, args: ConversionInput) {
  const workflowId = conversionWorkflowId('api', uniqueId('wf'));
  const run = withWorker(stack, acts, (taskQueue) =>
    stack.client.workflow.execute(conversionWorkflow, { taskQueue, workflowId, args: [args] }),
  );
  return { workflowId, run };
}

async function failureType(run: Promise<unknown>): Promise<string | undefined> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type ?? undefined;
}

test("the design's example: 10 USD of airtime from a Kenyan number mints 980 TXTC, debits KES 1,290 once, one record, one SMS", async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  const { workflowId, run } = await runConversion(activities(), input(phone, { usdCents: '1000' }));
  const state = await run;

  expect(state.status).toBe('completed');
  expect(state.quote).toMatchObject({
    airtimeAmountMinor: '129000',
    currency: 'KES',
    txtcGross: TXTC('1000').toString(),
    platformFee: TXTC('20').toString(),
    txtcNet: TXTC('980').toString(),
  });
  expect(await token.balanceOf(state.walletAddress!)).toBe(TXTC('980'));
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(500000n - 129000n);
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([
    { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 129000n, status: 'committed' },
  ]);
  const record = await createConversionRepo(stack.runtime.pool).get(workflowId);
  expect(record).toMatchObject({
    status: 'completed',
    stage: 'completed',
    txtcAmount: TXTC('980'),
    airtimeAmountMinor: 129000n,
    usdMicros: 10_000_000n,
    txHash: state.txHash,
    walletAddress: state.walletAddress,
  });
  const sms = await smsTo(stack.runtime.pool, phone);
  expect(sms).toHaveLength(1);
  expect(sms[0]).toMatch(
    /^You bought 980 TXTC with KES 1,290.00 airtime \(\$10.00\)\. Wallet: 0x[0-9a-fA-F]{4}\.\.\.[0-9a-fA-F]{4} TX: 0x/,
  );
});

test('insufficient airtime is rejected: nothing debited, nothing minted, the record and the SMS say why', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 1000n);
  const { workflowId, run } = await runConversion(activities(), input(phone, { usdCents: '1000' }));
  expect(await failureType(run)).toBe('InsufficientAirtime');

  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(1000n);
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
  expect(await token.referenceUsed(stepReference(workflowId, 'mint'))).toBe(false);
  expect(await createConversionRepo(stack.runtime.pool).get(workflowId)).toMatchObject({
    status: 'failed',
    stage: 'rejected',
    failureCode: 'InsufficientAirtime',
    walletAddress: null,
  });
  expect(await smsTo(stack.runtime.pool, phone)).toEqual([
    'TXTC purchase failed: you do not have KES 1,290.00 of airtime. Nothing was charged.',
  ]);
});

test('an amount above MAX_AIRTIME_AMOUNT is refused inside the workflow before any debit', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 10_000_000n);
  const { run } = await runConversion(activities(), input(phone, { usdCents: '15000' }));
  expect(await failureType(run)).toBe('AmountAboveMaximum');
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
  expect(await smsTo(stack.runtime.pool, phone)).toEqual([
    'TXTC purchase failed: the largest purchase is $100.00. Nothing was charged.',
  ]);
});

test('the daily limit counts the number’s earlier conversions', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 10_000_000n);
  const acts = activities({ config: { ...stack.config, limits: { ...stack.config.limits, dailyUsdCents: 1500n } } });
  expect((await (await runConversion(acts, input(phone, { usdCents: '1000' }))).run).status).toBe('completed');
  const second = await runConversion(acts, input(phone, { usdCents: '1000' }));
  expect(await failureType(second.run)).toBe('DailyLimitExceeded');
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(10_000_000n - 129000n);
});

test('a mint failing for good refunds the airtime, marks the record failed and refunded, and tells the person', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
  const notMinter = new TxtcToken(
    stack.runtime.addresses.txtc,
    stack.runtime.provider,
    new ChainWriter(NOT_A_MINTER_KEY, stack.runtime.provider),
  );
  const { workflowId, run } = await runConversion(activities({ token: notMinter }), input(phone, { usdCents: '1000' }));
  expect(await failureType(run)).toBe('MintRejected');

  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300000n);
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([
    { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 129000n, status: 'committed' },
    { reference: stepReference(workflowId, 'refund'), kind: 'credit', amountMinor: 129000n, status: 'committed' },
  ]);
  const record = await createConversionRepo(stack.runtime.pool).get(workflowId);
  expect(record).toMatchObject({
    status: 'failed',
    stage: 'refunded',
    failureCode: 'MintRejected',
    refundReference: stepReference(workflowId, 'refund'),
    txHash: null,
  });
  expect(record!.refundedAt).toBeInstanceOf(Date);
  expect(await token.referenceUsed(stepReference(workflowId, 'mint'))).toBe(false);
  expect(await smsTo(stack.runtime.pool, phone)).toEqual([
    'TXTC purchase failed; your KES 1,290.00 airtime has been refunded.',
  ]);
});

test('a mint retried after a transient node error (the mint landed, its answer was lost) still mints exactly once', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
  const real = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider, stack.runtime.writer);
  let calls = 0;
  const flaky = {
    findMint: (reference: string) => real.findMint(reference),
    async mintOnce(to: string, amount: bigint, reference: string, timeoutMs: number) {
      calls += 1;
      const result = await real.mintOnce(to, amount, reference, timeoutMs);
      if (calls === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return result;
    },
  };
  const { workflowId, run } = await runConversion(activities({ token: flaky }), input(phone, { usdCents: '1000' }));
  const state = await run;

  expect(state.status).toBe('completed');
  expect(calls).toBe(2);
  expect(await token.balanceOf(state.walletAddress!)).toBe(TXTC('980'));
  const mint = await token.findMint(stepReference(workflowId, 'mint'));
  expect(mint?.txHash).toBe(state.txHash);
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300000n - 129000n);
});

test('the operator timing out after committing the debit: one debit, resolved by status, conversion done', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
  const timingOut = new SimulatedOperator(stack.runtime.pool, {
    latencyMs: 0,
    errorRate: 0,
    timeoutAfterCommitRate: 1,
  });
  const { workflowId, run } = await runConversion(activities({ telco: timingOut }), input(phone, { usdCents: '1000' }));
  const state = await run;

  expect(state.status).toBe('completed');
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([
    { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 129000n, status: 'committed' },
  ]);
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300000n - 129000n);
  expect(await token.balanceOf(state.walletAddress!)).toBe(TXTC('980'));
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  // The debit activity ran twice: its second attempt followed the operator's timeout and asked for the status.
  const retried = history.events!.filter(
    (e) => e.activityTaskStartedEventAttributes?.lastFailure?.applicationFailureInfo?.type === 'TelcoTimeout',
  );
  expect(retried.map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([2]);
});

test('eight conversions at once from eight numbers: every one mints exactly its own 980 TXTC, batched by the chain writer', async () => {
  const phones = Array.from({ length: 8 }, () => newSafaricomNumber());
  for (const phone of phones) await topUp(stack.runtime.pool, phone, 'safaricom-ke', 200000n);
  const states = await withWorker(stack, activities(), (taskQueue) =>
    Promise.all(
      phones.map((phone) =>
        stack.client.workflow.execute(conversionWorkflow, {
          taskQueue,
          workflowId: conversionWorkflowId('api', uniqueId('concurrent')),
          args: [input(phone, { usdCents: '1000' })],
        }),
      ),
    ),
  );
  expect(states.map((s) => s.status)).toEqual(Array(8).fill('completed'));
  // Batched: fewer transactions than mints, and each mint's own event in the transaction the state names.
  expect(new Set(states.map((s) => s.txHash)).size).toBeLessThan(8);
  for (const [i, state] of states.entries()) {
    expect((await token.findMint(stepReference(state.id, 'mint')))?.txHash).toBe(state.txHash);
    expect(await token.balanceOf(state.walletAddress!)).toBe(TXTC('980'));
    expect(await airtimeBalance(stack.runtime.pool, phones[i]!)).toBe(200000n - 129000n);
  }
});

test('the conversionState query tells a running conversion’s stage, and the final state after it completes', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
  const slowTelco = new SimulatedOperator(stack.runtime.pool, {
    latencyMs: 600,
    errorRate: 0,
    timeoutAfterCommitRate: 0,
  });
  const workflowId = conversionWorkflowId('api', uniqueId('query'));
  await withWorker(stack, activities({ telco: slowTelco }), async (taskQueue) => {
    const handle = await stack.client.workflow.start(conversionWorkflow, {
      taskQueue,
      workflowId,
      args: [input(phone, { usdCents: '500' })],
    });
    let seen: string | undefined;
    for (let i = 0; i < 40 && seen !== 'quoted'; i++) {
      seen = (await handle.query(conversionStateQuery)).stage;
      if (seen !== 'quoted') await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe('quoted'); // waiting on the (slow) operator's balance check
    await handle.result();
    expect(await handle.query(conversionStateQuery)).toMatchObject({
      id: workflowId,
      stage: 'completed',
      status: 'completed',
      quote: { txtcNet: TXTC('490').toString() },
    });
  });
});

test('two conversions of one number at once cannot both pass a daily limit that fits only one', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 10_000_000n);
  const acts = activities({ config: { ...stack.config, limits: { ...stack.config.limits, dailyUsdCents: 1500n } } });
  const outcomes = await withWorker(stack, acts, (taskQueue) =>
    Promise.allSettled(
      [1, 2].map(() =>
        stack.client.workflow.execute(conversionWorkflow, {
          taskQueue,
          workflowId: conversionWorkflowId('api', uniqueId('race')),
          args: [input(phone, { usdCents: '1000' })],
        }),
      ),
    ),
  );
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
  expect(((rejected.reason as WorkflowFailedError).cause as ApplicationFailure).type).toBe('DailyLimitExceeded');
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(10_000_000n - 129000n);
});

describe('a debit whose attempts end without a clear answer is settled by the operator’s status', () => {
  /** The real simulated operator, answering a debit with a protocol error (after or instead of committing). */
  function garbledDebits(commit: boolean) {
    const real = new SimulatedOperator(stack.runtime.pool);
    return Object.assign(Object.create(real) as SimulatedOperator, {
      async debit(movement: Parameters<SimulatedOperator['debit']>[0]) {
        if (commit) await real.debit(movement);
        throw ApplicationFailure.nonRetryable('operator answered with an unreadable body', 'OperatorProtocolError');
      },
    });
  }

  test('committed at the operator: the conversion goes on, one debit, one mint', async () => {
    const phone = newSafaricomNumber();
    await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
    const { workflowId, run } = await runConversion(
      activities({ telco: garbledDebits(true) }),
      input(phone, { usdCents: '1000' }),
    );
    const state = await run;
    expect(state.status).toBe('completed');
    expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([
      { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 129000n, status: 'committed' },
    ]);
    expect(await token.balanceOf(state.walletAddress!)).toBe(TXTC('980'));
  });

  test('never seen by the operator: rejected, nothing charged, nothing minted', async () => {
    const phone = newSafaricomNumber();
    await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
    const { workflowId, run } = await runConversion(
      activities({ telco: garbledDebits(false) }),
      input(phone, { usdCents: '1000' }),
    );
    expect(await failureType(run)).toBe('OperatorProtocolError');
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300000n);
    expect(await token.referenceUsed(stepReference(workflowId, 'mint'))).toBe(false);
    expect(await createConversionRepo(stack.runtime.pool).get(workflowId)).toMatchObject({
      status: 'failed',
      stage: 'rejected',
    });
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([
      'TXTC purchase failed. Nothing was charged. Please try again later.',
    ]);
  });
});

describe('paths where something fails after money moved, and cancellation', () => {
  const notMinterToken = () =>
    new TxtcToken(
      stack.runtime.addresses.txtc,
      stack.runtime.provider,
      new ChainWriter(NOT_A_MINTER_KEY, stack.runtime.provider),
    );

  test('a refund the operator refuses for good is surfaced: record refund_failed, the person told, airtime owed, the workflow waiting for ops (test/ops/console.test.ts retries it)', async () => {
    const phone = newSafaricomNumber();
    await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
    const real = new SimulatedOperator(stack.runtime.pool);
    const refusingCredits = Object.assign(Object.create(real) as SimulatedOperator, {
      credit: (m: { reference: string }) =>
        Promise.resolve({ reference: m.reference, status: 'rejected' as const, reason: 'SubscriberBarred' }),
    });
    const workflowId = conversionWorkflowId('api', uniqueId('wf'));
    const record = await withWorker(
      stack,
      activities({ token: notMinterToken(), telco: refusingCredits }),
      async (taskQueue) => {
        const handle = await stack.client.workflow.start(conversionWorkflow, {
          taskQueue,
          workflowId,
          args: [input(phone, { usdCents: '1000' })],
        });
        const conversions = createConversionRepo(stack.runtime.pool);
        const deadline = Date.now() + 60_000;
        // The record, then the SMS: the workflow has told the person and waits.
        while ((await smsTo(stack.runtime.pool, phone)).length === 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 200));
        // Still running: waiting, durably, for ops to retry the refund.
        expect((await handle.describe()).status.name).toBe('RUNNING');
        expect(await handle.query(conversionStateQuery)).toMatchObject({ stage: 'refund_failed', status: 'failed' });
        await handle.terminate('test done');
        return conversions.get(workflowId);
      },
    );

    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300000n - 129000n);
    expect(record).toMatchObject({
      status: 'failed',
      stage: 'refund_failed',
      failureCode: 'MintRejected',
      refundedAt: null,
    });
    expect(record!.failureMessage).toMatch(/refund failed: operator rejected the credit: SubscriberBarred/);
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([
      'TXTC purchase failed; the refund of your KES 1,290.00 airtime is delayed. Support has been alerted.',
    ]);
  });

  test('an SMS gateway that is down does not undo money: debited once, minted once, completed after five SMS attempts', async () => {
    const phone = newSafaricomNumber();
    await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
    let attempts = 0;
    const downGateway = {
      name: 'down',
      sendSms: () => {
        attempts += 1;
        return Promise.reject(new Error('SMS gateway unavailable'));
      },
    };
    const { run } = await runConversion(activities({ messaging: downGateway }), input(phone, { usdCents: '1000' }));
    const state = await run;

    expect(state.status).toBe('completed');
    expect(await token.balanceOf(state.walletAddress!)).toBe(TXTC('980'));
    expect(await telcoOperations(stack.runtime.pool, phone)).toHaveLength(1);
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([]);
    // The SMS (a local activity) was tried five times, then given up: the workflow completed anyway.
    expect(attempts).toBe(5);
  });

  test('a conversion cancelled before its debit ends cancelled: nothing charged, record and SMS say so', async () => {
    const phone = newSafaricomNumber();
    await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
    const slowTelco = new SimulatedOperator(stack.runtime.pool, {
      latencyMs: 1500,
      errorRate: 0,
      timeoutAfterCommitRate: 0,
    });
    const workflowId = conversionWorkflowId('api', uniqueId('cancel'));
    await withWorker(stack, activities({ telco: slowTelco }), async (taskQueue) => {
      const handle = await stack.client.workflow.start(conversionWorkflow, {
        taskQueue,
        workflowId,
        args: [input(phone, { usdCents: '1000' })],
      });
      for (let i = 0; i < 50 && (await handle.query(conversionStateQuery)).stage !== 'quoted'; i++)
        await new Promise((r) => setTimeout(r, 50));
      await handle.cancel();
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    });
    expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300000n);
    expect(await createConversionRepo(stack.runtime.pool).get(workflowId)).toMatchObject({
      status: 'failed',
      stage: 'rejected',
      failureCode: 'Cancelled',
    });
    expect(await smsTo(stack.runtime.pool, phone)).toEqual(['TXTC purchase cancelled. Nothing was charged.']);
  });

  test('a cancel that arrives once the debit is under way is too late: the conversion finishes, one debit, one mint', async () => {
    const phone = newSafaricomNumber();
    await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
    const real = new SimulatedOperator(stack.runtime.pool);
    let debitStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (debitStarted = resolve));
    const slowDebits = Object.assign(Object.create(real) as SimulatedOperator, {
      async debit(m: Parameters<SimulatedOperator['debit']>[0]) {
        debitStarted();
        await new Promise((r) => setTimeout(r, 1000));
        return real.debit(m);
      },
    });
    const workflowId = conversionWorkflowId('api', uniqueId('late-cancel'));
    const state = await withWorker(stack, activities({ telco: slowDebits }), async (taskQueue) => {
      const handle = await stack.client.workflow.start(conversionWorkflow, {
        taskQueue,
        workflowId,
        args: [input(phone, { usdCents: '1000' })],
      });
      await started;
      await handle.cancel();
      return handle.result();
    });
    expect(state.status).toBe('completed');
    expect(await telcoOperations(stack.runtime.pool, phone)).toHaveLength(1);
    expect(await token.balanceOf(state.walletAddress!)).toBe(TXTC('980'));
  });
});
