/**
 * The Temporal UI as the ops console: money workflows keep their search attributes current, so a visibility
 * query (what `temporal workflow list --query` and the UI send) finds money in flight; a refund that failed
 * waits for ops, and their retryRefund update settles it under the same reference.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { findTemporalCli } from '../../scripts/local/temporal-cli';
import { temporalCli, visibleWorkflowIds } from '../support/temporal-ops';
import { ApplicationFailure } from '@temporalio/common';
import { conversionWorkflow } from '../../workflows';
import { conversionWorkflowId, retryRefundUpdate, stepReference, type ConversionInput } from '../../lib/definitions';
import { createActivities } from '../../activities';
import { ChainWriter } from '../../lib/chain/writer';
import { TxtcToken } from '../../lib/chain/txtc';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { createConversionRepo } from '../../lib/db/conversions';
import { phoneHash } from '../../lib/ops/phone-hash';
import { openStack, withWorker, testLog, uniqueId, type TestStackHandle } from '../support/stack';
import { airtimeBalance, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';

// Hardhat's second development account: funded with ETH, but not a TXTC minter (so a mint fails for good).
const NOT_A_MINTER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

const input = (phoneNumber: string): ConversionInput => ({
  channel: 'api',
  phoneNumber,
  operator: 'safaricom-ke',
  usdCents: '1000',
});

/** The workflow ids a visibility query finds (polled: the dev server's visibility lags the workflow a little). */
const findIds = (query: string, expected: string[], timeoutMs?: number) =>
  visibleWorkflowIds(stack.client, query, expected, timeoutMs);

test('a visibility query on the new attributes finds a completed conversion and a pending one, by kind, status and hashed number', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  // The pending one is held at its debit: the operator answers only when the test lets it.
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const real = new SimulatedOperator(stack.runtime.pool);
  const holdingDebits = Object.assign(Object.create(real) as SimulatedOperator, {
    debit: async (m: Parameters<SimulatedOperator['debit']>[0]) => {
      if (m.reference.includes('held')) await released;
      return real.debit(m);
    },
  });
  const acts = createActivities({ ...stack.runtime, log: testLog, telco: holdingDebits });
  const hash = phoneHash(phone, stack.config.walletMnemonic);

  await withWorker(stack, acts, async (taskQueue) => {
    const doneId = conversionWorkflowId('api', uniqueId('done'));
    await stack.client.workflow.execute(conversionWorkflow, { taskQueue, workflowId: doneId, args: [input(phone)] });
    const heldId = conversionWorkflowId('api', uniqueId('held'));
    const held = await stack.client.workflow.start(conversionWorkflow, {
      taskQueue,
      workflowId: heldId,
      args: [input(phone)],
    });

    const ofThisNumber = `TransferKind='conversion' AND PhoneHash='${hash}'`;
    expect(await findIds(`${ofThisNumber} AND TransferStatus='completed'`, [doneId])).toEqual([doneId]);
    expect(await findIds(`${ofThisNumber} AND TransferStatus='pending'`, [heldId])).toEqual([heldId]);
    expect(
      await findIds(
        `TransferChannel='api' AND TransferOperator='safaricom-ke' AND AmountUsdCents=1000 AND TransferStage='quoted' AND WorkflowId='${heldId}'`,
        [heldId],
      ),
    ).toEqual([heldId]);
    // The hash is the one place the number appears: never the number itself.
    const described = await held.describe();
    expect(JSON.stringify(described.searchAttributes)).not.toContain(phone.slice(1));
    expect(described.typedSearchAttributes.getAll().map((p) => p.key.name)).toEqual(
      expect.arrayContaining(['TransferKind', 'TransferStatus', 'PhoneHash', 'AmountUsdCents']),
    );

    release();
    await held.result();
    expect(await findIds(`${ofThisNumber} AND TransferStatus='completed'`, [doneId, heldId])).toEqual(
      expect.arrayContaining([doneId, heldId]),
    );
  });
});

test('a refund the operator refused waits for ops: a retryRefund that fails again keeps it waiting, the next settles it (record refunded, one refund on the ledger)', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300000n);
  const real = new SimulatedOperator(stack.runtime.pool);
  let barred = true;
  const barringCredits = Object.assign(Object.create(real) as SimulatedOperator, {
    credit: (m: Parameters<SimulatedOperator['credit']>[0]) =>
      barred
        ? Promise.resolve({ reference: m.reference, status: 'rejected' as const, reason: 'SubscriberBarred' })
        : real.credit(m),
  });
  const token = new TxtcToken(
    stack.runtime.addresses.txtc,
    stack.runtime.provider,
    new ChainWriter(NOT_A_MINTER_KEY, stack.runtime.provider),
  );
  const acts = createActivities({ ...stack.runtime, log: testLog, telco: barringCredits, token });

  await withWorker(stack, acts, async (taskQueue) => {
    const workflowId = conversionWorkflowId('api', uniqueId('owed'));
    const handle = await stack.client.workflow.start(conversionWorkflow, {
      taskQueue,
      workflowId,
      args: [input(phone)],
    });
    // Ops find it the way the README says: refund_failed and still running.
    const query = `TransferKind='conversion' AND TransferStage='refund_failed' AND ExecutionStatus='Running'`;
    expect(await findIds(query, [workflowId], 60_000)).toContain(workflowId);
    const conversions = createConversionRepo(stack.runtime.pool);
    expect(await conversions.get(workflowId)).toMatchObject({ status: 'failed', stage: 'refund_failed' });
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300000n - 129000n);

    const stillBarred = await handle.executeUpdate(retryRefundUpdate);
    expect(stillBarred).toMatchObject({ refunded: false, failure: { type: 'OperatorRejected' } });
    expect((await handle.describe()).status.name).toBe('RUNNING');

    barred = false;
    // The second retry as the README's ops guide gives it: from the temporal CLI (where the machine has one).
    const cli = findTemporalCli();
    if (cli) {
      const listed = await temporalCli(cli, ['workflow', 'list', '--query', query, '--output', 'json']);
      expect(listed).toContain(workflowId);
      const retried = await temporalCli(cli, [
        'workflow',
        'update',
        'execute',
        '--workflow-id',
        workflowId,
        '--name',
        'retryRefund',
      ]);
      expect(retried).toMatch(/"?refunded"?\s*[:=]?\s*true/);
    } else {
      expect(await handle.executeUpdate(retryRefundUpdate)).toEqual({ refunded: true });
    }
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('MintRejected');

    expect(await conversions.get(workflowId)).toMatchObject({
      status: 'failed',
      stage: 'refunded',
      failureCode: 'MintRejected',
    });
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300000n);
    expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([
      { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 129000n, status: 'committed' },
      { reference: stepReference(workflowId, 'refund'), kind: 'credit', amountMinor: 129000n, status: 'committed' },
    ]);
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([
      'TXTC purchase failed; the refund of your KES 1,290.00 airtime is delayed. Support has been alerted.',
      expect.stringMatching(/refunded/),
    ]);
    expect(
      await findIds(`TransferStage='refunded' AND TransferStatus='failed' AND WorkflowId='${workflowId}'`, [
        workflowId,
      ]),
    ).toEqual([workflowId]);
  });
});
