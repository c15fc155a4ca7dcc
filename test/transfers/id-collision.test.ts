/**
 * One person, one ledger: no money from a colliding id. An airtime transfer under key `K:convert` was once
 * recorded under the debit reference `transfer:api:K:convert:debit`; a hybrid under key `K` then started its
 * conversion leg as `transfer:api:K:convert` (a closed id taken again), whose debit found the earlier
 * operation and took it as its own: TXTC minted for airtime never charged. Now a caller's key cannot spell a
 * derived id, a leg never reuses a closed id, and an operation found under a reference is ours only when its
 * kind, number and amount match.
 */
import { randomUUID } from 'node:crypto';
import { airtimeTransferWorkflow } from '../../workflows';
import { transferWorkflowId, type TransferInput } from '../../lib/definitions';
import { TxtcToken } from '../../lib/chain/txtc';
import { simulatedOperatorLedger } from '../../lib/reconcile/ledger';
import { runReconciliation } from '../../lib/reconcile/run';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';
import { settled as settledOn, withApi as withApiOn, type App } from '../support/api';
import { airtimeBalance, newAirtelKeNumber, newSafaricomNumber, telcoOperations, topUp } from '../support/money';

let stack: TestStackHandle;
let app: App;
let token: TxtcToken;

beforeAll(async () => {
  stack = await openStack();
  token = new TxtcToken(
    stack.runtime.addresses.txtc,
    stack.runtime.provider,
    undefined,
    stack.runtime.addresses.txtcFromBlock,
  );
});
afterAll(async () => {
  await stack.close();
});

const withApi = <T>(fn: (taskQueue: string) => Promise<T>) =>
  withApiOn(stack, (a, taskQueue) => {
    app = a;
    return fn(taskQueue);
  });

const post = (path: string, body: unknown, key: string) =>
  Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(body),
    }),
  );

const settled = (id: string) => settledOn(app, id);

const wallets = () => new WalletDirectory(createWalletRepo(stack.runtime.pool), stack.config.walletMnemonic);
const mintedTo = async (phone: string) => {
  const wallet = await wallets().find(phone);
  if (!wallet) return 0;
  return (await token.contract.queryFilter(token.contract.filters.ReferencedMint!(null, wallet), 0)).length;
};

test('a key that spells a derived id is refused with a 400 and starts nothing', async () => {
  const [from, to] = [newAirtelKeNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, from, 'airtel-ke', 500000n);
  const key = `collide-${randomUUID()}`;
  await withApi(async () => {
    const res = await post('/api/airtime/transfer', { fromPhone: from, toPhone: to, amount: '2000' }, `${key}:convert`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'InvalidRequest' } });
  });
  expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
  expect(await airtimeBalance(stack.runtime.pool, from)).toBe(500000n);
});

test('the two-step collision: a hybrid whose leg id is already a closed transfer mints nothing unpaid, and reconciles clean', async () => {
  const [from, to] = [newAirtelKeNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, from, 'airtel-ke', 1_000_000n);
  const since = new Date(Date.now() - 1000);
  const key = `collide-${randomUUID()}`;
  await withApi(async (taskQueue) => {
    // Step 1: an airtime transfer under the id the hybrid's leg would take (as a key with ':' once made).
    const earlierId = `${transferWorkflowId('api', key)}:convert`;
    const earlier: TransferInput = {
      channel: 'api',
      kind: 'airtime',
      fromPhone: from,
      fromOperator: 'airtel-ke',
      toPhone: to,
      toOperator: 'safaricom-ke',
      amountMinor: '200000',
    };
    await stack.client.workflow.execute(airtimeTransferWorkflow, {
      taskQueue,
      workflowId: earlierId,
      args: [earlier],
    });
    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(800000n);

    // Step 2: the hybrid under key K, with no TXTC to cover it: its leg would be that closed id.
    const res = await post(
      '/api/transfers',
      { fromPhone: from, toPhone: to, amount: 20, currency: 'USD', transferType: 'hybrid' },
      key,
    );
    expect(res.status).toBe(202);
    const view = await settled(((await res.json()) as { id: string }).id);
    expect(view).toMatchObject({ status: 'failed', failure: { code: 'ReferenceConflict' } });
  });
  // Nothing minted to anyone, the sender charged once (the airtime transfer), nothing else moved.
  expect(await mintedTo(to)).toBe(0);
  expect(await mintedTo(from)).toBe(0);
  expect(await airtimeBalance(stack.runtime.pool, from)).toBe(800000n);
  expect((await telcoOperations(stack.runtime.pool, from)).map((o) => o.kind)).toEqual(['debit']);

  const report = await runReconciliation(
    {
      pool: stack.runtime.pool,
      txtc: token,
      firstBlock: stack.runtime.addresses.txtcFromBlock,
      ledger: simulatedOperatorLedger(stack.runtime.pool),
    },
    {
      runId: `test:${randomUUID()}`,
      triggeredBy: 'test',
      window: { since, until: new Date(Date.now() + 3_600_000) },
      phones: [from, to],
    },
  );
  expect(report).toMatchObject({ status: 'clean', mismatches: [] });
});

test('a debit that finds another movement under its reference stops with ReferenceConflict: no mint, no charge', async () => {
  const [buyer, other] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, buyer, 'safaricom-ke', 500000n);
  const key = uniqueId('collide');
  // Someone else's movement sits under the reference this buy's debit will use.
  await stack.runtime.pool.query(
    `INSERT INTO sim_telco_operations (reference, phone_number, kind, amount_minor, status, balance_after)
     VALUES ($1, $2, 'debit', 12345, 'committed', 0)`,
    [`conversion:api:${key}:debit`, other],
  );
  await withApi(async () => {
    const res = await post('/api/airtime/buy', { phoneNumber: buyer, airtimeAmount: '645' }, key);
    expect(res.status).toBe(202);
    const view = await settled(((await res.json()) as { id: string }).id);
    expect(view).toMatchObject({ status: 'failed', failure: { code: 'ReferenceConflict' } });
  });
  expect(await mintedTo(buyer)).toBe(0);
  expect(await airtimeBalance(stack.runtime.pool, buyer)).toBe(500000n);
});
