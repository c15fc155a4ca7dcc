/**
 * Vouchers are money ops print, so they follow money's rules: amounts as strings only (a JSON number may
 * already be rounded), a cap (VOUCHER_MAX_USD), an expiry by default, a hold for ops above
 * VOUCHER_HOLD_ABOVE_USD, and the redeemer's daily limit. On main c3d9141 a 100,000,000,000 TXTC voucher
 * was issued and redeemed by SMS.
 */
import { randomUUID } from 'node:crypto';
import { parseUnits } from 'ethers';
import { withApi, type App } from '../support/api';
import {
  approveHeldUpdate,
  rejectHeldUpdate,
  smsWorkflowId,
  voucherWorkflowId,
  type SmsMessageResult,
  type VoucherRedemptionResult,
} from '../../lib/definitions';
import { TxtcToken } from '../../lib/chain/txtc';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { openStack, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { newSafaricomNumber, smsTo } from '../support/money';

let stack: TestStackHandle;
beforeAll(async () => {
  // $40 of vouchers a day: the second $30 voucher passes it.
  stack = await openStack({ DAILY_LIMIT_USD: '40' });
});
afterAll(async () => {
  await stack.close();
});

const withApp = <T>(fn: (app: App) => Promise<T>) => withApi(stack, (app) => fn(app));

const issue = (app: App, body: Record<string, unknown>) =>
  Promise.resolve(
    app.request('/api/vouchers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );

async function issued(app: App, amount: string) {
  const res = await issue(app, { amount });
  expect(res.status).toBe(201);
  return ((await res.json()) as { vouchers: { id: string; code: string; expiresAt: string | null }[] }).vouchers[0]!;
}

async function redeem(app: App, from: string, code: string): Promise<SmsMessageResult> {
  const id = `ATXid_${randomUUID()}`;
  await app.request('/sms/inbound', {
    method: 'POST',
    headers: gatewayHeaders(stack.config, 'sms'),
    body: new URLSearchParams({ from, to: '12345', text: `REDEEM ${code}`, date: '2026-11-24 10:00:00', id }),
  });
  return (await stack.client.workflow.getHandle(smsWorkflowId(id)).result()) as SmsMessageResult;
}

const txtcOf = async (phone: string) => {
  const wallet = await new WalletDirectory(createWalletRepo(stack.runtime.pool), stack.config.walletMnemonic).find(
    phone,
  );
  return wallet ? new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider).balanceOf(wallet) : 0n;
};

const status = async (app: App, id: string) =>
  ((await (await app.request(`/api/vouchers/${id}`)).json()) as { status: string }).status;

test('issuing: a JSON number, or more than VOUCHER_MAX_USD, is a 400; every voucher expires (30 days by default)', async () => {
  await withApp(async (app) => {
    const number = await issue(app, { amount: 9007199254740993 });
    expect(number.status).toBe(400);
    expect(await number.json()).toMatchObject({ error: { code: 'InvalidRequest' } });
    const huge = await issue(app, { amount: '100000000000' });
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({ error: { code: 'AmountAboveMaximum' } });
    // $100 at 100 TXTC per USD is the cap itself: allowed; a base unit more is not.
    expect((await issue(app, { amount: '10000' })).status).toBe(201);
    expect((await issue(app, { amount: '10000.000000000000000001' })).status).toBe(400);
    const plain = await issued(app, '5');
    const days = (new Date(plain.expiresAt!).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });
});

test('the redeemer’s daily limit counts vouchers: the one that passes it is refused and stays unspent', async () => {
  const phone = newSafaricomNumber();
  await withApp(async (app) => {
    const first = await issued(app, '3000'); // $30
    const second = await issued(app, '3000');
    expect((await redeem(app, phone, first.code)).startedWorkflowId).toBe(voucherWorkflowId(first.id));
    await stack.client.workflow.getHandle(voucherWorkflowId(first.id)).result();
    const refused = await redeem(app, phone, second.code);
    expect(refused).toMatchObject({ command: 'redeem', replied: true });
    expect(refused.startedWorkflowId).toBeUndefined();
    expect(await status(app, second.id)).toBe('issued');
  });
  expect(await txtcOf(phone)).toBe(parseUnits('3000', 18));
  expect(await smsTo(stack.runtime.pool, phone)).toContainEqual(expect.stringMatching(/daily limit of \$40\.00/));
});

test('a voucher above VOUCHER_HOLD_ABOVE_USD waits for ops: approved, it mints once; rejected, nothing mints and it is revoked', async () => {
  const [approved, rejected] = [newSafaricomNumber(), newSafaricomNumber()];
  // The daily limit ($40) would refuse a $60 voucher: a second stack file is not worth it, so raise it here.
  await withApi(
    stack,
    async (app) => {
      const [one, two] = [await issued(app, '6000'), await issued(app, '6000')]; // $60 each
      await redeem(app, approved, one.code);
      await redeem(app, rejected, two.code);
      const heldOne = stack.client.workflow.getHandle(voucherWorkflowId(one.id));
      const heldTwo = stack.client.workflow.getHandle(voucherWorkflowId(two.id));
      // Held: nothing minted yet.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await txtcOf(approved)).toBe(0n);
      await heldOne.executeUpdate(approveHeldUpdate, { args: [{ operator: 'alice', reason: 'known customer' }] });
      await heldTwo.executeUpdate(rejectHeldUpdate, { args: [{ operator: 'alice', reason: 'stolen code' }] });
      expect(await heldOne.result()).toMatchObject({ status: 'minted' } satisfies Partial<VoucherRedemptionResult>);
      expect(await heldTwo.result()).toMatchObject({ status: 'rejected' } satisfies Partial<VoucherRedemptionResult>);
      expect(await status(app, one.id)).toBe('minted');
      expect(await status(app, two.id)).toBe('revoked');
    },
    { config: (c) => ({ ...c, limits: { ...c.limits, dailyUsdCents: 100_000n } }) },
  );
  expect(await txtcOf(approved)).toBe(parseUnits('6000', 18));
  expect(await txtcOf(rejected)).toBe(0n);
  const { rows } = await stack.runtime.pool.query<{ decision: string }>(
    "SELECT decision FROM fraud_holds WHERE kind = 'voucher' AND phone_number = ANY($1) ORDER BY decision",
    [[approved, rejected]],
  );
  expect(rows.map((r) => r.decision)).toEqual(['approved', 'rejected']);
});
