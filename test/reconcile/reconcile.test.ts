/**
 * Reconciliation on the real stack: real conversions and transfers in a window reconcile clean; a ledger row
 * planted without a record is exactly one mismatch; a conversion recorded completed whose mint never landed
 * is reported; a mint on chain without a record is reported unless its reference is ignored. Every run is
 * scoped to the numbers the test created, so other test files' movements in the same database never count.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseUnits } from 'ethers';
import {
  conversionWorkflow,
  airtimeTransferWorkflow,
  hybridTransferWorkflow,
  reconciliationWorkflow,
  txtcTransferWorkflow,
} from '../../workflows';
import { conversionWorkflowId, transferWorkflowId, type TransferInput } from '../../lib/definitions';
import {
  RECONCILIATION_SCHEDULE_ID,
  reconciliationWorkflowId,
  type ReconciliationSummary,
} from '../../lib/definitions/reconcile';
import { createActivities } from '../../activities';
import { TxtcToken, type MintingToken } from '../../lib/chain/txtc';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { simulatedOperatorLedger } from '../../lib/reconcile/ledger';
import { runReconciliation, type ReconcileDeps } from '../../lib/reconcile/run';
import { ensureReconciliationSchedule } from '../../lib/reconcile/schedule';
import { reconciliationRoutes } from '../../api/ops/reconciliations';
import { createApiContext, createApp } from '../../api/app';
import { defaultActivities, openStack, testLog, uniqueId, withWorker, type TestStackHandle } from '../support/stack';
import { newAirtelKeNumber, newSafaricomNumber, topUp } from '../support/money';

const TXTC = (n: string) => parseUnits(n, 18);
const ROOT = join(__dirname, '..', '..');

let stack: TestStackHandle;
let deps: ReconcileDeps;
beforeAll(async () => {
  stack = await openStack();
  const { runtime } = stack;
  deps = {
    pool: runtime.pool,
    txtc: new TxtcToken(runtime.addresses.txtc, runtime.provider, undefined, runtime.addresses.txtcFromBlock),
    firstBlock: runtime.addresses.txtcFromBlock,
    ledger: simulatedOperatorLedger(runtime.pool),
  };
});
afterAll(async () => {
  await stack.close();
});

/** The app with the ops read mounted as api/app.ts mounts it (its error handler answers the 404). */
function opsApi() {
  const app = createApp({ ...stack.runtime, temporal: stack.client, log: testLog });
  return app.route(
    '/api/reconciliations',
    reconciliationRoutes(createApiContext({ ...stack.runtime, temporal: stack.client, log: testLog })),
  );
}

/**
 * A window from a second before `since` to well after now: the test's movements all fall inside it. Its end
 * is an hour ahead because the shared Hardhat node's block timestamps run ahead of the wall clock (each
 * block at least a second after the last, thousands of blocks in a suite run): a CI run put this test's
 * blocks minutes in the "future" and out of a one-minute margin. The phone filter keeps other tests out.
 */
const windowFrom = (since: Date) => ({
  since: new Date(since.getTime() - 1000),
  until: new Date(Date.now() + 3_600_000),
});

function transfer(
  kind: TransferInput['kind'],
  from: string,
  to: string,
  amount: Partial<TransferInput>,
): TransferInput {
  const operatorOf = (p: string) => (p.startsWith('+25473') ? 'airtel-ke' : 'safaricom-ke');
  return {
    channel: 'api',
    kind,
    fromPhone: from,
    fromOperator: operatorOf(from),
    toPhone: to,
    toOperator: operatorOf(to),
    ...amount,
  };
}

test('a window of real conversions and transfers reconciles clean; a planted ledger row with no record is exactly one mismatch', async () => {
  const [a, b, c] = [newSafaricomNumber(), newSafaricomNumber(), newAirtelKeNumber()];
  await topUp(stack.runtime.pool, a, 'safaricom-ke', 1_000_000n);
  await topUp(stack.runtime.pool, c, 'airtel-ke', 300_000n);
  const window = windowFrom(new Date());
  const phones = [a, b, c];
  const { client } = stack;

  await withWorker(stack, defaultActivities(stack), async (taskQueue) => {
    const run = <A extends unknown[], R>(wf: (...args: A) => Promise<R>, workflowId: string, args: A) =>
      client.workflow.execute(wf, { taskQueue, workflowId, args });
    // a buys 980 TXTC with $10 of airtime; b has no airtime and is refused (nothing moves)
    await run(conversionWorkflow, conversionWorkflowId('api', uniqueId('rec-buy')), [
      { channel: 'api', phoneNumber: a, operator: 'safaricom-ke', usdCents: '1000' },
    ]);
    await expect(
      run(conversionWorkflow, conversionWorkflowId('api', uniqueId('rec-refused')), [
        { channel: 'api', phoneNumber: b, operator: 'safaricom-ke', usdCents: '1000' },
      ]),
    ).rejects.toThrow();
    // airtime: same operator (one operator transfer) and across operators (debit + credit)
    await run(airtimeTransferWorkflow, transferWorkflowId('api', uniqueId('rec-same')), [
      transfer('airtime', a, b, { usdCents: '500' }),
    ]);
    await run(airtimeTransferWorkflow, transferWorkflowId('api', uniqueId('rec-across')), [
      transfer('airtime', c, a, { usdCents: '300' }),
    ]);
    // TXTC: 100 of a's 980 to b, then a hybrid of 1470 TXTC to c (a's 880 plus a conversion leg for the rest)
    await run(txtcTransferWorkflow, transferWorkflowId('api', uniqueId('rec-txtc')), [
      transfer('txtc', a, b, { txtcAmount: TXTC('100').toString() }),
    ]);
    const hybrid = await run(hybridTransferWorkflow, transferWorkflowId('api', uniqueId('rec-hybrid')), [
      transfer('hybrid', a, c, { usdCents: '1500' }),
    ]);
    expect(hybrid).toMatchObject({ status: 'completed', conversionId: expect.any(String) });

    // Reconciled through the workflow, as the schedule does: clean, and stored.
    const summary = await run(reconciliationWorkflow, reconciliationWorkflowId(uniqueId('clean')), [
      { since: window.since.toISOString(), until: window.until.toISOString(), phones },
    ]);
    expect(summary).toMatchObject({ status: 'clean', mismatches: 0 });

    const stored = await opsApi().request(`/api/reconciliations/${encodeURIComponent(summary.runId)}`);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({
      id: summary.runId,
      status: 'clean',
      mismatchCount: 0,
      mismatches: [],
      // 2 conversions + the hybrid's leg, 4 transfers; debit, transfer, debit + credit, leg debit; mint, send, leg mint, send
      counts: { conversions: 3, transfers: 4, pending: 0, ledgerEntries: 5, chainEvents: 4, mismatches: 0 },
    });
  });

  // A debit on the operator's ledger that no record explains: exactly that one mismatch.
  const planted = `conversion:api:planted-${randomUUID()}:debit`;
  await stack.runtime.pool.query(
    `INSERT INTO sim_telco_operations (reference, phone_number, kind, amount_minor, status, balance_after)
     VALUES ($1, $2, 'debit', 12345, 'committed', 0)`,
    [planted, a],
  );
  const report = await runReconciliation(deps, {
    runId: `test:${randomUUID()}`,
    triggeredBy: 'test',
    window,
    phones,
  });
  expect(report.status).toBe('mismatches');
  expect(report.mismatches).toEqual([
    {
      code: 'no_record',
      source: 'ledger',
      reference: planted,
      found: `debit of 12345 for ${a}`,
      message: 'a debit on the ledger that no record explains',
    },
  ]);

  // Ops list it first among the runs with mismatches, and read it back whole.
  const api = opsApi();
  const list = (await (await api.request('/api/reconciliations?status=mismatches&limit=5')).json()) as {
    reconciliations: unknown[];
  };
  expect(list.reconciliations[0]).toMatchObject({ id: report.id, status: 'mismatches', mismatchCount: 1 });
  const one = (await (await api.request(`/api/reconciliations/${encodeURIComponent(report.id)}`)).json()) as {
    mismatches: unknown[];
  };
  expect(one.mismatches).toEqual([expect.objectContaining({ code: 'no_record', reference: planted })]);
  expect((await api.request('/api/reconciliations/nope')).status).toBe(404);

  // The command says the same and exits 1.
  const stackEnv = {
    ...process.env,
    APP_ENV: 'local',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack.config.databaseUrl,
    TEMPORAL_ADDRESS: stack.config.temporal.address,
    CHAIN_RPC_URL: stack.config.chain.rpcUrl,
    TXTC_ADDRESS: stack.runtime.addresses.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.runtime.addresses.txtcFromBlock),
  };
  const cli = await promisify(execFile)(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [
      join(ROOT, 'scripts', 'reconcile.ts'),
      '--since',
      window.since.toISOString(),
      '--until',
      window.until.toISOString(),
      ...phones.flatMap((p) => ['--phone', p]),
      '--no-store',
    ],
    { env: stackEnv, cwd: ROOT },
  ).then(
    () => ({ code: 0, stdout: '' }),
    (e: { code: number; stdout: string }) => e,
  );
  expect(cli.code).toBe(1);
  expect(JSON.parse(cli.stdout)).toMatchObject({
    status: 'mismatches',
    mismatches: [{ code: 'no_record', reference: planted }],
  });
});

test('a conversion recorded completed whose mint never landed on chain is reported, and only that', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500_000n);
  const window = windowFrom(new Date());
  // A chain adapter that answers "minted" without minting: the record says completed, the chain disagrees.
  const lying: MintingToken = {
    mintOnce: async (to, amount) => ({
      txHash: `0x${'de'.repeat(32)}`,
      blockNumber: 0,
      to,
      amount,
      alreadyMinted: false,
    }),
    findMint: async () => undefined,
  };
  const workflowId = conversionWorkflowId('api', uniqueId('rec-lost-mint'));
  await withWorker(stack, createActivities({ ...stack.runtime, log: testLog, token: lying }), (taskQueue) =>
    stack.client.workflow.execute(conversionWorkflow, {
      taskQueue,
      workflowId,
      args: [{ channel: 'api', phoneNumber: phone, operator: 'safaricom-ke', usdCents: '1000' }],
    }),
  );
  const report = await runReconciliation(deps, {
    runId: `test:${randomUUID()}`,
    triggeredBy: 'test',
    window,
    phones: [phone],
  });
  expect(report.mismatches).toEqual([
    expect.objectContaining({
      code: 'missing',
      source: 'chain',
      step: 'mint',
      recordKind: 'conversion',
      recordId: workflowId,
      reference: `${workflowId}:mint`,
    }),
  ]);
});

test('a mint on chain with no record is reported; named on the ignore list (test funding) it is not', async () => {
  const phone = newSafaricomNumber();
  const window = windowFrom(new Date());
  const wallet = await new WalletDirectory(createWalletRepo(stack.runtime.pool), stack.config.walletMnemonic).ensure(
    phone,
  );
  const reference = `test-fund:${phone}:${randomUUID()}`;
  const token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider, stack.runtime.writer);
  const minted = await token.mintOnce(wallet, TXTC('5'), reference, 30000);

  const options = { triggeredBy: 'test', window, phones: [phone] };
  const strict = await runReconciliation(deps, { ...options, runId: `test:${randomUUID()}` });
  expect(strict.mismatches).toEqual([
    expect.objectContaining({ code: 'no_record', source: 'chain', found: expect.stringContaining(minted.txHash) }),
  ]);
  const ignoring = await runReconciliation(deps, {
    ...options,
    runId: `test:${randomUUID()}`,
    ignore: { references: [reference] },
  });
  expect(ignoring).toMatchObject({ status: 'clean', counts: { ignored: 1, chainEvents: 1 } });
});

test('the hourly schedule is created once and updated, never duplicated; its run reconciles the hour before', async () => {
  const schedule = stack.client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID);
  try {
    const summary = await withWorker(stack, defaultActivities(stack), async (taskQueue) => {
      expect(await ensureReconciliationSchedule(stack.client, { taskQueue })).toBe('created');
      expect(await ensureReconciliationSchedule(stack.client, { taskQueue, lagMinutes: 20 })).toBe('updated');
      const described = await schedule.describe();
      expect(described.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'reconciliationWorkflow',
        taskQueue,
      });
      expect(described.spec.intervals).toEqual([{ every: 3_600_000, offset: 1_200_000 }]);

      // A run the schedule starts (triggered now) reconciles the whole hour that ended at least the lag ago.
      await schedule.trigger();
      let workflowId: string | undefined;
      while (!workflowId) {
        workflowId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (!workflowId) await new Promise((r) => setTimeout(r, 200));
      }
      // the workflow takes its window from the time the schedule meant, not from when it happened to start
      const { typedSearchAttributes } = await stack.client.workflow.getHandle(workflowId).describe();
      expect(typedSearchAttributes.getAll().map((pair) => pair.key.name)).toContain('TemporalScheduledStartTime');
      return (await stack.client.workflow.result(workflowId)) as ReconciliationSummary;
    });
    const hour = 3_600_000;
    const until = Date.parse(summary.until);
    expect(until % hour).toBe(0);
    expect(Date.now() - until).toBeGreaterThanOrEqual(20 * 60_000);
    expect(Date.now() - until).toBeLessThan(hour + 21 * 60_000);
    expect(until - Date.parse(summary.since)).toBe(hour);
  } finally {
    await schedule.delete();
  }
});
