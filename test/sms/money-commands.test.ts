/**
 * The SMS money commands beyond BUY/SEND/TRANSFER on the real stack: REDEEM of ops-issued vouchers (one
 * mint per code, in a chain writer batch), SWAP of TXTC back to airtime (the TXTC returned when the credit
 * fails for good), and the YES <pin> confirmation that large requests wait for (confirmed, timed out, wrong
 * PIN, no PIN).
 */
import { randomUUID } from 'node:crypto';
import { formatUnits, parseUnits } from 'ethers';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import {
  smsWorkflowId,
  stepReference,
  swapWorkflowId,
  transferWorkflowId,
  voucherWorkflowId,
  type SmsMessageResult,
  type VoucherRedemptionInput,
  type VoucherRedemptionResult,
} from '../../lib/definitions';
import { voucherRedemptionWorkflow } from '../../workflows';
import type { Config } from '../../lib/config';
import { createUssdRepo } from '../../lib/db/ussd';
import { createSwapRepo } from '../../lib/db/swaps';
import { createVoucherRepo } from '../../lib/db/vouchers';
import { hashPin } from '../../lib/pins';
import { voucherCodeHash } from '../../lib/vouchers/codes';
import { TxtcToken, chainReference } from '../../lib/chain/txtc';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { SimulatedOperator } from '../../lib/telco/simulated';
import type { TelcoOperator } from '../../lib/telco/types';
import { openStack, withWorker, testLog, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { airtimeBalance, fundTxtc, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

type App = ReturnType<typeof createApp>;

async function withSms<T>(
  fn: (app: App, taskQueue: string) => Promise<T>,
  options: { sms?: Partial<Config['sms']>; telco?: TelcoOperator } = {},
): Promise<T> {
  const config: Config = { ...stack.config, sms: { ...stack.config.sms, ...options.sms } };
  return withWorker(
    stack,
    createActivities({ ...stack.runtime, config, log: testLog, ...(options.telco ? { telco: options.telco } : {}) }),
    async (taskQueue) =>
      fn(
        createApp({
          ...stack.runtime,
          config: { ...config, temporal: { ...config.temporal, taskQueue } },
          temporal: stack.client,
          log: testLog,
        }),
        taskQueue,
      ),
  );
}

async function inbound(app: App, from: string, text: string, id = `ATXid_${randomUUID()}`) {
  const res = await app.request('/sms/inbound', {
    method: 'POST',
    headers: gatewayHeaders(stack.config, 'sms'),
    body: new URLSearchParams({ from, to: '12345', text, date: '2026-11-24 10:00:00', id, networkCode: '63902' }),
  });
  return { status: res.status, id };
}

const done = <T = unknown>(workflowId: string) => stack.client.workflow.getHandle(workflowId).result() as Promise<T>;

function wallets() {
  return new WalletDirectory(createWalletRepo(stack.runtime.pool), stack.runtime.config.walletMnemonic);
}

async function txtcOf(address: string): Promise<bigint> {
  const token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
  return token.balanceOf(address);
}

async function issueVoucher(app: App, amount: string): Promise<{ id: string; code: string }> {
  const res = await app.request('/api/vouchers', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount, note: 'test' }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { vouchers: { id: string; code: string; status: string }[] };
  expect(body.vouchers[0]).toMatchObject({
    status: 'issued',
    code: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}-/),
  });
  return body.vouchers[0]!;
}

/** Waits for an SMS to the number that matches (the prompt of a waiting request). */
async function smsMatching(phone: string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const found = (await smsTo(stack.runtime.pool, phone)).find((m) => pattern.test(m));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no SMS to ${phone} matched ${pattern}`);
}

describe('REDEEM', () => {
  test('one code sent twice (two messages) mints once; the second is told it was used; an unknown code changes nothing', async () => {
    const [phone, other] = [newSafaricomNumber(), newSafaricomNumber()];
    let issued: { id: string; code: string } | undefined;
    await withSms(async (app) => {
      const voucher = await issueVoucher(app, '25');
      issued = voucher;
      // Typed the way people type it: lower case, no dashes.
      const first = await inbound(app, phone, `redeem ${voucher.code.toLowerCase().replace(/-/g, '')}`);
      expect(first.status).toBe(200);
      expect(await done<SmsMessageResult>(smsWorkflowId(first.id))).toMatchObject({
        command: 'redeem',
        startedWorkflowId: voucherWorkflowId(voucher.id),
      });
      expect(await done(voucherWorkflowId(voucher.id))).toMatchObject({ status: 'minted' });
      const again = await inbound(app, other, `REDEEM ${voucher.code}`);
      expect(await done<SmsMessageResult>(smsWorkflowId(again.id))).toMatchObject({ command: 'redeem', replied: true });
      const unknown = await inbound(app, other, 'REDEEM ZZZZ-ZZZZ-ZZZZ');
      await done(smsWorkflowId(unknown.id));

      const view = (await (await app.request(`/api/vouchers/${voucher.id}`)).json()) as Record<string, unknown>;
      expect(view).toMatchObject({ status: 'minted', amount: '25.000000000000000000' });
      expect(view).not.toHaveProperty('code');
    });
    const wallet = (await wallets().find(phone))!;
    expect(await txtcOf(wallet)).toBe(parseUnits('25', 18));
    expect(await wallets().find(other)).toBeUndefined();
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([expect.stringMatching(/^Voucher redeemed: 25 TXTC added/)]);
    expect(await smsTo(stack.runtime.pool, other)).toEqual([
      'That voucher code has already been used.',
      'That voucher code is not valid. Check the code and try again.',
    ]);
    // Only a hash of the code is stored: the row holds its SHA-256, and no column holds the code in any form.
    const { rows } = await stack.runtime.pool.query<Record<string, unknown>>('SELECT * FROM vouchers WHERE id = $1', [
      issued!.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.code_hash).toBe(voucherCodeHash(issued!.code));
    const stored = JSON.stringify(rows[0]).toUpperCase();
    expect(stored).not.toContain(issued!.code);
    expect(stored).not.toContain(issued!.code.replace(/-/g, ''));
  });

  test('a voucher mints in a chain writer batch, once, though its message and its redemption each come twice', async () => {
    const phone = newSafaricomNumber();
    let voucherId = '';
    const results: VoucherRedemptionResult[] = [];
    await withSms(async (app, taskQueue) => {
      const voucher = await issueVoucher(app, '7');
      voucherId = voucher.id;
      const id = `ATXid_${randomUUID()}`;
      // The gateway delivers the message twice: one claim, one redemption.
      await Promise.all([
        inbound(app, phone, `REDEEM ${voucher.code}`, id),
        inbound(app, phone, `REDEEM ${voucher.code}`, id),
      ]);
      await done(smsWorkflowId(id));
      results.push(await done<VoucherRedemptionResult>(voucherWorkflowId(voucher.id)));
      // The redemption run again (a reset, a second start): its mint goes to the writer under the same reference.
      const input: VoucherRedemptionInput = {
        voucherId: voucher.id,
        phoneNumber: phone,
        txtcAmount: parseUnits('7', 18).toString(),
      };
      results.push(
        await stack.client.workflow.execute(voucherRedemptionWorkflow, {
          workflowId: `${voucherWorkflowId(voucher.id)}:again-${randomUUID()}`,
          taskQueue,
          args: [input],
        }),
      );
    });
    const wallet = (await wallets().find(phone))!;
    const txHash = results[0]!.txHash!;
    expect(results).toEqual([
      { voucherId, status: 'minted', wallet, txHash },
      { voucherId, status: 'minted', wallet, txHash },
    ]);
    // The mint's transaction is the signer's writeBatch, not a transaction of its own.
    const token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
    const tx = (await stack.runtime.provider.getTransaction(txHash))!;
    expect(tx.data.slice(0, 10)).toBe(token.iface.getFunction('writeBatch')!.selector);
    const reference = chainReference(stepReference(voucherWorkflowId(voucherId), 'mint'));
    const mints = await token.contract.queryFilter(token.contract.filters.ReferencedMint!(reference), 0);
    expect(mints.map((m) => m.transactionHash)).toEqual([txHash]);
    expect(await txtcOf(wallet)).toBe(parseUnits('7', 18));
    expect(await createVoucherRepo(stack.runtime.pool).get(voucherId)).toMatchObject({ mintTxHash: txHash });
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([expect.stringMatching(/^Voucher redeemed: 7 TXTC added/)]);
  });

  test('a revoked voucher redeems nothing', async () => {
    const phone = newSafaricomNumber();
    await withSms(async (app) => {
      const voucher = await issueVoucher(app, '10');
      expect((await app.request(`/api/vouchers/${voucher.id}/revoke`, { method: 'POST' })).status).toBe(200);
      await done(smsWorkflowId((await inbound(app, phone, `REDEEM ${voucher.code}`)).id));
      expect(await createVoucherRepo(stack.runtime.pool).get(voucher.id)).toMatchObject({ redeemedAt: null });
    });
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([
      'That voucher code is not valid. Check the code and try again.',
    ]);
  });
});

describe('SWAP', () => {
  test('SWAP 200 moves 200 TXTC to the treasury and credits the airtime they are worth less the fee, once', async () => {
    const phone = newSafaricomNumber();
    const wallet = await fundTxtc(stack.runtime, phone, parseUnits('300', 18));
    const treasury = wallets().treasury().address;
    const treasuryBefore = await txtcOf(treasury);
    let id = '';
    await withSms(async (app) => {
      id = `ATXid_${randomUUID()}`;
      // Delivered twice: one swap.
      await Promise.all([inbound(app, phone, 'SWAP 200', id), inbound(app, phone, 'SWAP 200', id)]);
      await done(smsWorkflowId(id));
      expect(await done(swapWorkflowId('sms', id))).toMatchObject({ status: 'completed', stage: 'completed' });
    });
    // 200 TXTC = $2.00 at 100 TXTC/USD; 2% fee = 4 TXTC; 196 TXTC = $1.96 = KES 252.84 at 129 KES/USD.
    expect(await txtcOf(wallet)).toBe(parseUnits('100', 18));
    expect((await txtcOf(treasury)) - treasuryBefore).toBe(parseUnits('200', 18));
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(25284n);
    const record = await createSwapRepo(stack.runtime.pool).get(swapWorkflowId('sms', id));
    expect(record).toMatchObject({
      status: 'completed',
      txtcAmount: parseUnits('200', 18),
      platformFee: parseUnits('4', 18),
      airtimeMinor: 25284n,
      sendReference: stepReference(swapWorkflowId('sms', id), 'send'),
      creditReference: stepReference(swapWorkflowId('sms', id), 'credit'),
      returnReference: null,
    });
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([
      'Swapped 200 TXTC for KES 252.84 airtime (fee 4 TXTC). Airtime balance: KES 252.84.',
    ]);
  });

  test('a credit the operator refuses for good returns the TXTC from the treasury, and the record says so', async () => {
    const phone = newSafaricomNumber();
    const wallet = await fundTxtc(stack.runtime, phone, parseUnits('500', 18));
    const treasury = wallets().treasury().address;
    const treasuryBefore = await txtcOf(treasury);
    const real = new SimulatedOperator(stack.runtime.pool);
    const barred = Object.assign(Object.create(real) as SimulatedOperator, {
      credit: (m: Parameters<SimulatedOperator['credit']>[0]) =>
        m.phoneNumber === phone
          ? Promise.resolve({ reference: m.reference, status: 'rejected' as const, reason: 'SubscriberBarred' })
          : real.credit(m),
    });
    let id = '';
    await withSms(
      async (app) => {
        id = (await inbound(app, phone, 'SWAP 500')).id;
        await done(smsWorkflowId(id));
        await expect(done(swapWorkflowId('sms', id))).rejects.toThrow();
      },
      { telco: barred },
    );
    expect(await txtcOf(wallet)).toBe(parseUnits('500', 18));
    expect(await txtcOf(treasury)).toBe(treasuryBefore);
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(0n);
    expect(await createSwapRepo(stack.runtime.pool).get(swapWorkflowId('sms', id))).toMatchObject({
      status: 'failed',
      stage: 'returned',
      failureType: 'OperatorRejected',
      returnReference: stepReference(swapWorkflowId('sms', id), 'return'),
      returnTxHash: expect.stringMatching(/^0x/),
    });
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([
      'Swap failed: the airtime could not be credited, so your 500 TXTC was returned.',
    ]);
  });

  test('SWAP of more TXTC than the wallet holds moves nothing', async () => {
    const phone = newSafaricomNumber();
    await fundTxtc(stack.runtime, phone, parseUnits('150', 18));
    await withSms(async (app) => {
      const { id } = await inbound(app, phone, 'SWAP 200');
      await done(smsWorkflowId(id));
      await expect(done(swapWorkflowId('sms', id))).rejects.toThrow();
    });
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(0n);
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([
      'Swap failed: you do not have 200 TXTC. Nothing was taken.',
    ]);
  });
});

describe('YES <pin> confirmation of large requests', () => {
  const PIN = '7070';
  const confirmAbove = { confirmAboveUsdCents: 500n, confirmTimeoutSeconds: 60 };

  async function personWithPin(txtc: string) {
    const [phone, friend] = [newSafaricomNumber(), newSafaricomNumber()];
    await fundTxtc(stack.runtime, phone, parseUnits(txtc, 18));
    await createUssdRepo(stack.runtime.pool).setPin(phone, await hashPin(PIN));
    return { phone, friend };
  }

  /** Every payload of a workflow's history, decoded: what Temporal stored. */
  async function historyText(workflowId: string): Promise<string> {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    return JSON.stringify(history, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
  }

  test('a large SEND waits for YES <pin>, then completes; no PIN is in any history or stored message', async () => {
    const { phone, friend } = await personWithPin('1000');
    let send = '';
    let yes = '';
    await withSms(
      async (app) => {
        send = (await inbound(app, phone, `SEND 1000 TO ${friend}`)).id;
        await smsMatching(phone, /reply YES and your PIN/);
        // Nothing moves while it waits.
        expect(await txtcOf((await wallets().find(phone))!)).toBe(parseUnits('1000', 18));
        yes = (await inbound(app, phone, `yes ${PIN}`)).id;
        await done(smsWorkflowId(yes));
        expect(await done<SmsMessageResult>(smsWorkflowId(send))).toMatchObject({
          confirmation: 'confirmed',
          startedWorkflowId: transferWorkflowId('sms', send),
        });
        expect(await done(transferWorkflowId('sms', send))).toMatchObject({ status: 'completed' });
      },
      { sms: confirmAbove },
    );
    expect(await txtcOf((await wallets().find(friend))!)).toBe(parseUnits('1000', 18));
    expect((await smsTo(stack.runtime.pool, phone))[0]).toBe(
      `To send 1000 TXTC to ${friend}, reply YES and your PIN (e.g. YES 1234) within 1 min. Reply NO to cancel.`,
    );
    const pinShown = new RegExp(`"${PIN}"|YES ?${PIN}`, 'i');
    for (const id of [smsWorkflowId(send), smsWorkflowId(yes)]) expect(await historyText(id)).not.toMatch(pinShown);
    const { rows } = await stack.runtime.pool.query<{ text: string }>(
      "SELECT text FROM sms_messages WHERE phone_number = $1 AND direction = 'in' ORDER BY id",
      [phone],
    );
    expect(rows.map((r) => r.text)).toEqual([`SEND 1000 TO ${friend}`, 'yes ****']);
  });

  test('a large TRANSFER that nobody confirms lapses and moves nothing', async () => {
    const { phone, friend } = await personWithPin('0');
    await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
    await withSms(
      async (app) => {
        const { id } = await inbound(app, phone, `TRANSFER 1000 TO ${friend}`);
        expect(await done<SmsMessageResult>(smsWorkflowId(id))).toMatchObject({ confirmation: 'expired' });
        // A late YES finds nothing waiting.
        const late = await inbound(app, phone, `YES ${PIN}`);
        await done(smsWorkflowId(late.id));
      },
      { sms: { ...confirmAbove, confirmTimeoutSeconds: 2 } },
    );
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(500000n);
    expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
    expect((await smsTo(stack.runtime.pool, phone)).slice(1)).toEqual([
      'Not confirmed in time. Nothing was sent.',
      'There is nothing waiting for your confirmation.',
    ]);
  });

  test('a wrong PIN moves nothing and counts once even when its message is delivered twice; NO cancels', async () => {
    const { phone, friend } = await personWithPin('1000');
    await withSms(
      async (app) => {
        const { id } = await inbound(app, phone, `SEND 800 TO ${friend}`);
        await smsMatching(phone, /reply YES and your PIN/);
        const wrongId = `ATXid_${randomUUID()}`;
        await inbound(app, phone, 'YES 1111', wrongId);
        await inbound(app, phone, 'YES 1111', wrongId);
        await smsMatching(phone, /^Wrong PIN\. 2 tries left/);
        await inbound(app, phone, 'NO');
        expect(await done<SmsMessageResult>(smsWorkflowId(id))).toMatchObject({ confirmation: 'declined' });
      },
      { sms: confirmAbove },
    );
    expect(await txtcOf((await wallets().find(phone))!)).toBe(parseUnits('1000', 18));
    expect(await wallets().find(friend)).toBeUndefined();
    expect(await createUssdRepo(stack.runtime.pool).profile(phone)).toMatchObject({ pinFailedAttempts: 1 });
    expect((await smsTo(stack.runtime.pool, phone)).slice(1)).toEqual([
      'Wrong PIN. 2 tries left. Reply YES and your PIN.',
      'Cancelled. Nothing was sent.',
    ]);
  });

  test('a number without a PIN is told to dial the USSD code; small amounts need no PIN', async () => {
    const [phone, friend] = [newSafaricomNumber(), newSafaricomNumber()];
    await fundTxtc(stack.runtime, phone, parseUnits('1000', 18));
    await withSms(
      async (app) => {
        const big = await inbound(app, phone, `SEND 600 TO ${friend}`);
        expect(await done<SmsMessageResult>(smsWorkflowId(big.id))).toMatchObject({ confirmation: 'no-pin' });
        const small = await inbound(app, phone, `SEND 400 TO ${friend}`);
        expect(await done<SmsMessageResult>(smsWorkflowId(small.id))).not.toHaveProperty('confirmation');
        expect(await done(transferWorkflowId('sms', small.id))).toMatchObject({ status: 'completed' });
      },
      { sms: confirmAbove },
    );
    expect(formatUnits(await txtcOf((await wallets().find(friend))!), 18)).toBe('400.0');
    expect((await smsTo(stack.runtime.pool, phone))[0]).toBe(
      `Large amounts need your PIN. Dial ${stack.config.ussd.shortcode} to set one. Nothing was sent.`,
    );
  });
});
