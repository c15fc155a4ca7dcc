/**
 * Fraud rules inside the money workflows, on the real stack: a blocked number (or wallet) is refused with
 * nothing moved; a number past the velocity limit is refused; a held transfer waits before any debit for
 * ops, who approve it (the README's temporal CLI commands) and it completes exactly once, or reject it and
 * nothing moves; a hold nobody decides is rejected at its timeout with nothing moved.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { parseUnits } from 'ethers';
import { createApp } from '../../api/app';
import {
  airtimeTransferWorkflow,
  conversionWorkflow,
  hybridTransferWorkflow,
  txtcTransferWorkflow,
} from '../../workflows';
import {
  approveHeldUpdate,
  conversionWorkflowId,
  rejectHeldUpdate,
  stepReference,
  transferWorkflowId,
  type ConversionInput,
  type TransferInput,
} from '../../lib/definitions';
import { createActivities } from '../../activities';
import { createTransferRepo } from '../../lib/db/transfers';
import { createConversionRepo } from '../../lib/db/conversions';
import { createHoldRepo } from '../../lib/db/fraud';
import { createRecordMetrics } from '../../lib/record-metrics';
import { TxtcToken } from '../../lib/chain/txtc';
import { findTemporalCli } from '../../scripts/local/temporal-cli';
import { failureType, temporalCli, visibleWorkflowIds } from '../support/temporal-ops';
import { openStack, withWorker, testLog, uniqueId, type TestStackHandle } from '../support/stack';
import { airtimeBalance, fundTxtc, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';

// Held above $30; three movements per number in the window; the timeout stack decides nothing for 2 s.
const RULES = { FRAUD_HOLD_ABOVE_USD: '30', FRAUD_VELOCITY_MAX_MOVEMENTS: '3' };

let stack: TestStackHandle;
let quick: TestStackHandle;
beforeAll(async () => {
  stack = await openStack(RULES);
  quick = await openStack({ ...RULES, FRAUD_HOLD_TIMEOUT: '2' });
});
afterAll(async () => {
  await stack.close();
  await quick.close();
});

const pool = () => stack.runtime.pool;
const acts = (s: TestStackHandle = stack) => createActivities({ ...s.runtime, log: testLog });

const transferInput = (kind: TransferInput['kind'], from: string, to: string, usdCents: string): TransferInput => ({
  channel: 'api',
  kind,
  fromPhone: from,
  fromOperator: 'safaricom-ke',
  toPhone: to,
  toOperator: 'safaricom-ke',
  usdCents,
});
const conversionInput = (phoneNumber: string, usdCents: string): ConversionInput => ({
  channel: 'api',
  phoneNumber,
  operator: 'safaricom-ke',
  usdCents,
});
const WORKFLOWS = { airtime: airtimeTransferWorkflow, txtc: txtcTransferWorkflow, hybrid: hybridTransferWorkflow };

/** A workflow's stage as its record says, polled until it is `stage` (the hold is recorded before it waits). */
async function recordReaches(id: string, stage: string, table: 'transfer' | 'conversion'): Promise<void> {
  const repo = table === 'transfer' ? createTransferRepo(pool()) : createConversionRepo(pool());
  for (let i = 0; i < 200; i++) {
    if ((await repo.get(id))?.stage === stage) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await repo.get(id))?.stage).toBe(stage);
}

/** Polls until `phone` has been sent `n` SMS (the workflow sends them after the stage it records). */
async function smsArrives(phone: string, n: number): Promise<void> {
  for (let i = 0; i < 200 && (await smsTo(pool(), phone)).length < n; i++) await new Promise((r) => setTimeout(r, 100));
}

test('a blocked number can neither send nor receive, a blocked wallet receives no TXTC, nothing moves; unlisted, it may again', async () => {
  const [blocked, friend, other] = [newSafaricomNumber(), newSafaricomNumber(), newSafaricomNumber()];
  for (const n of [blocked, friend]) await topUp(pool(), n, 'safaricom-ke', 500000n);
  const app = createApp({ ...stack.runtime, temporal: stack.client, log: testLog });
  const post = (path: string, body: unknown) =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  // Bad input is refused in one line and lists nothing.
  for (const bad of [
    { phoneNumber: blocked, reason: '', by: 'alice' },
    { phoneNumber: blocked, reason: 'x' },
    { phoneNumber: blocked, wallet: `0x${'1'.repeat(40)}`, reason: 'x', by: 'alice' },
    { phoneNumber: '+14155550100', reason: 'x', by: 'alice' },
  ]) {
    const res = await post('/api/fraud/blocklist', bad);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^Invalid|Unsupported/);
  }
  const listed = async () =>
    ((await (await app.request('/api/fraud/blocklist')).json()) as { entries: { value: string }[] }).entries.filter(
      (e) => e.value === blocked,
    );
  expect(await listed()).toEqual([]);

  // Listed with who and why; listing it again changes nothing.
  const added = await post('/api/fraud/blocklist', { phoneNumber: blocked, reason: 'reported stolen', by: 'alice' });
  expect(added.status).toBe(201);
  expect(await added.json()).toMatchObject({ added: true, entry: { kind: 'phone', value: blocked, addedBy: 'alice' } });
  expect((await post('/api/fraud/blocklist', { phoneNumber: blocked, reason: 'again', by: 'bob' })).status).toBe(200);
  expect(await listed()).toHaveLength(1);

  await withWorker(stack, acts(), async (taskQueue) => {
    const refused = async (kind: 'conversion' | TransferInput['kind'], input: ConversionInput | TransferInput) => {
      const workflowId =
        kind === 'conversion'
          ? conversionWorkflowId('api', uniqueId('blk'))
          : transferWorkflowId('api', uniqueId('blk'));
      const run =
        kind === 'conversion'
          ? stack.client.workflow.execute(conversionWorkflow, {
              taskQueue,
              workflowId,
              args: [input as ConversionInput],
            })
          : stack.client.workflow.execute(WORKFLOWS[kind], { taskQueue, workflowId, args: [input as TransferInput] });
      expect(await failureType(run)).toBe('NumberBlocked');
      return workflowId;
    };
    const sent = await refused('airtime', transferInput('airtime', blocked, friend, '500'));
    await refused('airtime', transferInput('airtime', friend, blocked, '500'));
    await refused('conversion', conversionInput(blocked, '1000'));
    expect(await createTransferRepo(pool()).get(sent)).toMatchObject({
      status: 'failed',
      stage: 'rejected',
      failureCode: 'NumberBlocked',
    });

    // A wallet on the list (given in mixed case) receives no TXTC.
    await fundTxtc(stack.runtime, friend, parseUnits('500', 18));
    const otherWallet = await fundTxtc(stack.runtime, other, 1n);
    expect(
      (
        await post('/api/fraud/blocklist', {
          wallet: otherWallet.toUpperCase().replace('0X', '0x'),
          reason: 'mule',
          by: 'alice',
        })
      ).status,
    ).toBe(201);
    await refused('txtc', {
      ...transferInput('txtc', friend, other, '100'),
      usdCents: undefined,
      txtcAmount: parseUnits('200', 18).toString(),
    });
    const token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
    expect(await token.balanceOf(otherWallet)).toBe(1n);

    // Nothing moved: no operator movement of either number, every balance as it was.
    expect(await telcoOperations(pool(), blocked)).toEqual([]);
    expect(await telcoOperations(pool(), friend)).toEqual([]);
    expect(await airtimeBalance(pool(), blocked)).toBe(500000n);
    expect(await smsTo(pool(), blocked)).toEqual([
      'This request is not allowed. Nothing was taken. Please contact support.',
      'This request is not allowed. Nothing was taken. Please contact support.',
    ]);

    // Taken off the list (kept, with who removed it), the number moves money again.
    const removed = await post('/api/fraud/blocklist/remove', { phoneNumber: blocked, by: 'carol' });
    expect(await removed.json()).toMatchObject({ entry: { value: blocked, removedBy: 'carol' } });
    expect((await post('/api/fraud/blocklist/remove', { phoneNumber: blocked, by: 'carol' })).status).toBe(404);
    const again = await stack.client.workflow.execute(airtimeTransferWorkflow, {
      taskQueue,
      workflowId: transferWorkflowId('api', uniqueId('unblocked')),
      args: [transferInput('airtime', blocked, friend, '500')],
    });
    expect(again.status).toBe('completed');
  });
});

test('past FRAUD_VELOCITY_MAX_MOVEMENTS in the window the next movement is refused, whatever its kind, and moves nothing', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(pool(), from, 'safaricom-ke', 1000000n);
  await withWorker(stack, acts(), async (taskQueue) => {
    const transfer = (key: string) =>
      stack.client.workflow.execute(airtimeTransferWorkflow, {
        taskQueue,
        workflowId: transferWorkflowId('api', uniqueId(key)),
        args: [transferInput('airtime', from, to, '500')],
      });
    expect((await transfer('v1')).status).toBe('completed');
    expect((await transfer('v2')).status).toBe('completed');
    const buy = await stack.client.workflow.execute(conversionWorkflow, {
      taskQueue,
      workflowId: conversionWorkflowId('api', uniqueId('v3')),
      args: [conversionInput(from, '500')],
    });
    expect(buy.status).toBe('completed');
    expect(await failureType(transfer('v4'))).toBe('VelocityExceeded');
  });
  // Three movements on the ledger, the fourth none.
  expect((await telcoOperations(pool(), from)).map((o) => o.kind)).toEqual(['transfer', 'transfer', 'debit']);
  expect((await smsTo(pool(), from)).at(-1)).toBe(
    'Too many requests from your number in a short time. Nothing was taken. Please try again later.',
  );
});

test('a held transfer waits before any debit; ops find it and approve it with the temporal CLI; it completes exactly once', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(pool(), from, 'safaricom-ke', 1000000n);
  await withWorker(stack, acts(), async (taskQueue) => {
    const workflowId = transferWorkflowId('api', uniqueId('held'));
    const handle = await stack.client.workflow.start(airtimeTransferWorkflow, {
      taskQueue,
      workflowId,
      args: [transferInput('airtime', from, to, '4000')],
    });
    await recordReaches(workflowId, 'held', 'transfer');
    expect(await createHoldRepo(pool()).get(workflowId)).toMatchObject({ decision: null });
    expect((await createHoldRepo(pool()).get(workflowId))?.rules).toContain('large-amount');
    expect(await telcoOperations(pool(), from)).toEqual([]);
    // The SMS goes after the stage is recorded: waited for, then checked to be the one.
    await smsArrives(from, 1);
    expect(await smsTo(pool(), from)).toEqual([
      'Your request of KES 5,160.00 ($40.00) is being reviewed. You will get an SMS within 24 hours. Nothing has been taken yet.',
    ]);
    // The metric ops alert on counts it.
    const metrics = await createRecordMetrics({ pool: pool(), cacheTtlMs: 0 }).metrics();
    expect(metrics).toMatch(/txtc_held_transactions\{kind="transfer_airtime"\} [1-9]/);

    // An update without a reason is refused by the validator and changes nothing.
    await expect(
      handle.executeUpdate(approveHeldUpdate, { args: [{ operator: 'alice', reason: ' ' }] }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const cli = findTemporalCli();
    if (cli) {
      const query = "TransferStage='held' AND ExecutionStatus='Running'";
      expect(await visibleWorkflowIds(stack.client, query, [workflowId])).toContain(workflowId);
      const listed = await temporalCli(cli, ['workflow', 'list', '--query', query, '--output', 'json']);
      expect(listed).toContain(workflowId);
      const approved = await temporalCli(cli, [
        'workflow',
        'update',
        'execute',
        '--workflow-id',
        workflowId,
        '--name',
        'approveHeld',
        '--input',
        '{"operator": "alice", "reason": "called the sender: genuine"}',
      ]);
      expect(approved).toMatch(/approved/);
    } else {
      expect(
        await handle.executeUpdate(approveHeldUpdate, {
          args: [{ operator: 'alice', reason: 'called the sender: genuine' }],
        }),
      ).toMatchObject({ decision: 'approved' });
    }
    expect((await handle.result()).status).toBe('completed');
    // A second decision after the first is refused.
    await expect(
      handle.executeUpdate(rejectHeldUpdate, { args: [{ operator: 'bob', reason: 'late' }] }),
    ).rejects.toThrow();
    expect(await createHoldRepo(pool()).get(workflowId)).toMatchObject({
      decision: 'approved',
      decidedBy: 'alice',
      decisionReason: 'called the sender: genuine',
    });
    expect(await telcoOperations(pool(), from)).toEqual([
      { reference: stepReference(workflowId, 'transfer'), kind: 'transfer', amountMinor: 516000n, status: 'committed' },
    ]);
    expect(await airtimeBalance(pool(), from)).toBe(1000000n - 516000n);
    expect(await smsTo(pool(), from)).toEqual([
      expect.stringMatching(/being reviewed/),
      'Your request of KES 5,160.00 ($40.00) was approved and is being processed.',
      expect.stringMatching(/^You sent/),
    ]);
  });
});

test('a held conversion that ops reject moves nothing; the record, the hold and the SMS say why', async () => {
  const phone = newSafaricomNumber();
  await topUp(pool(), phone, 'safaricom-ke', 1000000n);
  await withWorker(stack, acts(), async (taskQueue) => {
    const workflowId = conversionWorkflowId('api', uniqueId('reject'));
    const handle: WorkflowHandle<typeof conversionWorkflow> = await stack.client.workflow.start(conversionWorkflow, {
      taskQueue,
      workflowId,
      args: [conversionInput(phone, '4000')],
    });
    await recordReaches(workflowId, 'held', 'conversion');
    expect(
      await handle.executeUpdate(rejectHeldUpdate, {
        args: [{ operator: 'bob', reason: 'the owner reported it stolen' }],
      }),
    ).toEqual({ decision: 'rejected', operator: 'bob', reason: 'the owner reported it stolen' });
    expect(await failureType(handle.result())).toBe('HoldRejected');
  });
  expect(await telcoOperations(pool(), phone)).toEqual([]);
  expect(await airtimeBalance(pool(), phone)).toBe(1000000n);
  const conversions = await pool().query<{ stage: string; failure_code: string; wallet_address: string | null }>(
    'SELECT stage, failure_code, wallet_address FROM airtime_transactions WHERE phone_number = $1',
    [phone],
  );
  expect(conversions.rows).toEqual([{ stage: 'rejected', failure_code: 'HoldRejected', wallet_address: null }]);
  expect(await smsTo(pool(), phone)).toEqual([
    expect.stringMatching(/being reviewed/),
    'Your request of KES 5,160.00 was not approved. Nothing was taken.',
  ]);
});

test('a held hybrid nobody decides is rejected at FRAUD_HOLD_TIMEOUT: no conversion, no send, nothing moved', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(pool(), from, 'safaricom-ke', 1000000n);
  const workflowId = transferWorkflowId('api', uniqueId('expire'));
  await withWorker(quick, acts(quick), async (taskQueue) => {
    const run = quick.client.workflow.execute(hybridTransferWorkflow, {
      taskQueue,
      workflowId,
      args: [transferInput('hybrid', from, to, '4000')],
    });
    expect(await failureType(run)).toBe('HoldExpired');
  });
  expect(await createHoldRepo(pool()).get(workflowId)).toMatchObject({ decision: 'expired', decidedBy: 'timeout' });
  expect(await createTransferRepo(pool()).get(workflowId)).toMatchObject({
    stage: 'rejected',
    failureCode: 'HoldExpired',
    conversionId: null,
  });
  expect(await telcoOperations(pool(), from)).toEqual([]);
  expect(await airtimeBalance(pool(), from)).toBe(1000000n);
  expect((await smsTo(pool(), from)).at(-1)).toMatch(/could not be reviewed in time\. Nothing was taken\.$/);
});
