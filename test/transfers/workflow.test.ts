import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { parseUnits } from 'ethers';
import {
  airtimeTransferWorkflow,
  conversionWorkflow,
  hybridTransferWorkflow,
  txtcTransferWorkflow,
} from '../../workflows';
import { conversionWorkflowId, stepReference, transferWorkflowId, type TransferInput } from '../../lib/definitions';
import { createActivities } from '../../activities';
import { TransferRejectedError, TxtcToken, chainReference, type TransferringToken } from '../../lib/chain/txtc';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { createTransferRepo } from '../../lib/db/transfers';
import { createConversionRepo } from '../../lib/db/conversions';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { RateService } from '../../lib/rates';
import { openStack, withWorker, testLog, uniqueId, type TestStackHandle } from '../support/stack';
import {
  airtimeBalance,
  fundTxtc,
  newAirtelKeNumber,
  newSafaricomNumber,
  smsTo,
  telcoOperations,
  topUp,
} from '../support/money';

const TXTC = (n: string) => parseUnits(n, 18);

let stack: TestStackHandle;
let token: TxtcToken;
let wallets: WalletDirectory;
beforeAll(async () => {
  stack = await openStack();
  token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
  wallets = new WalletDirectory(createWalletRepo(stack.runtime.pool), stack.config.walletMnemonic);
});
afterAll(async () => {
  await stack.close();
});

const activities = (overrides: Partial<Parameters<typeof createActivities>[0]> = {}) =>
  createActivities({ ...stack.runtime, log: testLog, ...overrides });
const transfers = () => createTransferRepo(stack.runtime.pool);
const txtcOf = async (phone: string) => {
  const wallet = await wallets.find(phone);
  return wallet ? token.balanceOf(wallet) : 0n;
};

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

const WORKFLOWS = { airtime: airtimeTransferWorkflow, txtc: txtcTransferWorkflow, hybrid: hybridTransferWorkflow };

function run(input: TransferInput, acts = activities()) {
  const workflowId = transferWorkflowId('api', uniqueId(input.kind));
  const result = withWorker(stack, acts, (taskQueue) =>
    stack.client.workflow.execute(WORKFLOWS[input.kind], { taskQueue, workflowId, args: [input] }),
  );
  return { workflowId, result };
}

async function failureType(result: Promise<unknown>): Promise<string | undefined> {
  const err = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return ((err as WorkflowFailedError).cause as ApplicationFailure).type ?? undefined;
}

describe('airtime P2P', () => {
  test('same operator: one transfer call moves KES 645 from sender to receiver; both ledgers, the record and both SMS agree', async () => {
    const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 200000n);
    await topUp(stack.runtime.pool, to, 'safaricom-ke', 100000n);
    const { workflowId, result } = run(transfer('airtime', from, to, { usdCents: '500' }));
    expect((await result).status).toBe('completed');

    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(200000n - 64500n);
    expect(await airtimeBalance(stack.runtime.pool, to)).toBe(100000n + 64500n);
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([
      { reference: stepReference(workflowId, 'transfer'), kind: 'transfer', amountMinor: 64500n, status: 'committed' },
    ]);
    expect(await transfers().get(workflowId)).toMatchObject({
      kind: 'airtime',
      status: 'completed',
      stage: 'completed',
      amountMinor: 64500n,
      currency: 'KES',
      usdMicros: 5_000_000n,
      transferReference: stepReference(workflowId, 'transfer'),
    });
    expect(await smsTo(stack.runtime.pool, from)).toEqual([
      expect.stringMatching(
        new RegExp(`^You sent KES 645.00 \\(\\$5.00\\) airtime to \\${to}\\. New balance: KES 1,355.00\\.`),
      ),
    ]);
    // A number that never used the service is told how to dial it.
    expect(await smsTo(stack.runtime.pool, to)).toEqual([
      `You received KES 645.00 ($5.00) airtime from ${from}. New balance: KES 1,645.00. Dial *123*456# to send it on or buy TXTC with it.`,
    ]);
  });

  test('across operators: the sender is debited and the receiver credited, each with its own reference', async () => {
    const [from, to] = [newSafaricomNumber(), newAirtelKeNumber()];
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 200000n);
    const { workflowId, result } = run(transfer('airtime', from, to, { amountMinor: '50000' }));
    expect((await result).status).toBe('completed');
    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(150000n);
    expect(await airtimeBalance(stack.runtime.pool, to)).toBe(50000n);
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([
      { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 50000n, status: 'committed' },
    ]);
    expect(await telcoOperations(stack.runtime.pool, to)).toEqual([
      { reference: stepReference(workflowId, 'credit'), kind: 'credit', amountMinor: 50000n, status: 'committed' },
    ]);
  });

  test('across operators, a credit the receiver’s operator refuses for good: the sender is refunded and both are told', async () => {
    const [from, to] = [newSafaricomNumber(), newAirtelKeNumber()];
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 200000n);
    const real = new SimulatedOperator(stack.runtime.pool);
    const barredReceiver = Object.assign(Object.create(real) as SimulatedOperator, {
      credit: (m: Parameters<SimulatedOperator['credit']>[0]) =>
        m.phoneNumber === to
          ? Promise.resolve({ reference: m.reference, status: 'rejected' as const, reason: 'SubscriberBarred' })
          : real.credit(m),
    });
    const { workflowId, result } = run(
      transfer('airtime', from, to, { amountMinor: '50000' }),
      activities({ telco: barredReceiver }),
    );
    expect(await failureType(result)).toBe('OperatorRejected');

    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(200000n);
    expect(await airtimeBalance(stack.runtime.pool, to)).toBe(0n);
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([
      { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 50000n, status: 'committed' },
      { reference: stepReference(workflowId, 'refund'), kind: 'credit', amountMinor: 50000n, status: 'committed' },
    ]);
    const record = await transfers().get(workflowId);
    expect(record).toMatchObject({ status: 'failed', stage: 'refunded', failureCode: 'OperatorRejected' });
    expect(record!.refundedAt).toBeInstanceOf(Date);
    expect(await smsTo(stack.runtime.pool, from)).toEqual([
      `Your transfer of KES 500.00 ($3.87) airtime to ${to} failed; the airtime was refunded to you.`,
    ]);
    expect(await smsTo(stack.runtime.pool, to)).toEqual([
      `KES 500.00 ($3.87) airtime from ${from} could not be credited to your number. Nothing changed.`,
    ]);
  });

  test('refused before anything moves: to oneself, short of airtime, and across currencies', async () => {
    const from = newSafaricomNumber();
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 10000n);
    expect(await failureType(run(transfer('airtime', from, from, { amountMinor: '5000' })).result)).toBe(
      'SelfTransfer',
    );
    expect(
      await failureType(run(transfer('airtime', from, newSafaricomNumber(), { amountMinor: '50000' })).result),
    ).toBe('InsufficientAirtime');
    const toUganda = { ...transfer('airtime', from, '+256772123456', { amountMinor: '5000' }), toOperator: 'mtn-ug' };
    expect(await failureType(run(toUganda).result)).toBe('UnsupportedTransfer');
    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(10000n);
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
  });
});

describe('TXTC P2P', () => {
  test('TXTC moves between custodial wallets, signed by the sender’s key and relayed by the platform; a receiver without a wallet gets one', async () => {
    const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
    await fundTxtc(stack.runtime, from, TXTC('1000'));
    expect(await wallets.find(to)).toBeUndefined();
    const { workflowId, result } = run(transfer('txtc', from, to, { txtcAmount: TXTC('250').toString() }));
    const state = await result;
    expect(state.status).toBe('completed');

    expect(await txtcOf(from)).toBe(TXTC('750'));
    expect(await txtcOf(to)).toBe(TXTC('250'));
    const sent = await token.findTransfer(stepReference(workflowId, 'send'));
    expect(sent).toMatchObject({
      txHash: state.txHash,
      amount: TXTC('250'),
      from: await wallets.find(from),
      to: await wallets.find(to),
    });
    expect(await transfers().get(workflowId)).toMatchObject({
      kind: 'txtc',
      fromWallet: await wallets.find(from),
      toWallet: await wallets.find(to),
      status: 'completed',
      txtcAmount: TXTC('250'),
      usdMicros: 2_500_000n,
    });
    expect(await smsTo(stack.runtime.pool, to)).toEqual([
      expect.stringMatching(new RegExp(`^Received 250 TXTC from \\${from}\\. TX: 0x`)),
    ]);
  });

  test('a TXTC transfer retried after a transient chain error (it landed, its answer was lost) is one transfer on chain', async () => {
    const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
    await fundTxtc(stack.runtime, from, TXTC('1000'));
    const real = new TxtcToken(
      stack.runtime.addresses.txtc,
      stack.runtime.provider,
      stack.runtime.writer,
      stack.runtime.addresses.txtcFromBlock,
    );
    let calls = 0;
    const flaky: TransferringToken = {
      findTransfer: (r) => real.findTransfer(r),
      balanceOf: (a) => real.balanceOf(a),
      chainTime: () => real.chainTime(),
      landingTime: () => real.landingTime(),
      async transferOnce(...args) {
        calls += 1;
        const sent = await real.transferOnce(...args);
        if (calls === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        return sent;
      },
    };
    const { workflowId, result } = run(
      transfer('txtc', from, to, { txtcAmount: TXTC('400').toString() }),
      activities({ relay: flaky }),
    );
    const state = await result;
    expect(state.status).toBe('completed');
    expect(calls).toBe(2);
    expect(await txtcOf(from)).toBe(TXTC('600'));
    expect(await txtcOf(to)).toBe(TXTC('400'));
    const events = await token.contract.queryFilter(
      token.contract.filters.ReferencedTransfer!(),
      stack.runtime.addresses.txtcFromBlock,
    );
    const ref = chainReference(stepReference(workflowId, 'send'));
    expect(events.filter((e) => (e as unknown as { args: unknown[] }).args[0] === ref)).toHaveLength(1);
  });

  test('over REST `txtc` a sender short of TXTC is refused and nothing moves (no conversion)', async () => {
    const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
    await fundTxtc(stack.runtime, from, TXTC('10'));
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 500000n);
    const { result } = run(transfer('txtc', from, to, { txtcAmount: TXTC('500').toString() }));
    expect(await failureType(result)).toBe('InsufficientTxtc');
    expect(await txtcOf(from)).toBe(TXTC('10'));
    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(500000n);
  });
});

describe('hybrid: airtime in, TXTC out', () => {
  test("the design's example: a sender with no TXTC sends $10 of TXTC; $10 of airtime becomes 980 TXTC and the receiver gets all of it", async () => {
    const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 500000n);
    const { workflowId, result } = run(transfer('hybrid', from, to, { usdCents: '1000' }));
    const state = await result;
    expect(state.status).toBe('completed');
    expect(state.conversionId).toBe(`${workflowId}:convert`);

    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(500000n - 129000n);
    expect(await txtcOf(to)).toBe(TXTC('980'));
    expect(await txtcOf(from)).toBe(0n);
    const leg = await createConversionRepo(stack.runtime.pool).get(`${workflowId}:convert`);
    expect(leg).toMatchObject({
      status: 'completed',
      parentTransferId: workflowId,
      txtcNet: TXTC('980'),
      airtimeAmountMinor: 129000n,
    });
    expect(await transfers().get(workflowId)).toMatchObject({
      kind: 'hybrid',
      status: 'completed',
      conversionId: `${workflowId}:convert`,
      txtcAmount: TXTC('980'),
      txtcFromBalance: 0n,
      fromWallet: await wallets.find(from),
    });
    expect(await smsTo(stack.runtime.pool, from)).toEqual([
      expect.stringMatching(
        new RegExp(`^Converted KES 1,290.00 \\(\\$10.00\\) airtime to 980 TXTC and sent to \\${to}\\. TX: 0x`),
      ),
    ]);
    expect(await smsTo(stack.runtime.pool, to)).toEqual([
      expect.stringMatching(new RegExp(`^Received 980 TXTC from \\${from}\\.`)),
    ]);
  });

  test('with partial TXTC only the shortfall is converted, and the amounts add up to the base unit', async () => {
    const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
    const own = TXTC('300.123456789012345678');
    await fundTxtc(stack.runtime, from, own);
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 500000n);
    const { workflowId, result } = run(transfer('hybrid', from, to, { usdCents: '1000' }));
    expect((await result).status).toBe('completed');

    const shortfall = TXTC('980') - own;
    // Worked by hand from the seeded rates (KES 129.00 per USD, 100 TXTC per USD, 2% platform fee, no gas):
    // shortfall 980 - 300.123456789012345678 = 679.876543210987654322 TXTC; the fee keeps 98% of gross, so
    // gross >= 679.876543210987654322 / 0.98 = 693.75157470509... TXTC = $6.9375157470509... at 100 TXTC/USD
    // = KES 894.9395313... at 129 KES/USD, rounded up to the cent: KES 894.94 = 89494 minor.
    // Check: 89494 / 129 * 100 = 693.7519379... gross, 98% = 679.8768992... >= the shortfall, while 89493
    // buys 693.7441860... gross, 98% = 679.8693023... < the shortfall.
    const expected = { airtimeAmountMinor: 89494n };
    const leg = await createConversionRepo(stack.runtime.pool).get(`${workflowId}:convert`);
    expect(leg!.txtcNet).toBe(shortfall);
    expect(leg!.airtimeAmountMinor).toBe(expected.airtimeAmountMinor);
    expect(leg!.txtcGross).toBe(leg!.txtcNet + leg!.platformFee + leg!.operatorFee + leg!.gasFee);
    // own + minted - sent = what the sender has left: exactly nothing
    expect(await txtcOf(from)).toBe(own + leg!.txtcNet - TXTC('980'));
    expect(await txtcOf(from)).toBe(0n);
    expect(await txtcOf(to)).toBe(TXTC('980'));
    expect(await airtimeBalance(stack.runtime.pool, from)).toBe(500000n - expected.airtimeAmountMinor);
    expect(await transfers().get(workflowId)).toMatchObject({
      txtcFromBalance: own,
      conversionId: `${workflowId}:convert`,
    });
  });

  test('a sender with enough TXTC converts nothing', async () => {
    const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
    await fundTxtc(stack.runtime, from, TXTC('2000'));
    const { workflowId, result } = run(transfer('hybrid', from, to, { txtcAmount: TXTC('980').toString() }));
    const state = await result;
    expect(state.conversionId).toBeUndefined();
    expect(await createConversionRepo(stack.runtime.pool).get(`${workflowId}:convert`)).toBeUndefined();
    expect(await txtcOf(from)).toBe(TXTC('1020'));
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
  });

  test('a send that fails for good after the conversion leaves the TXTC with the sender, and says so', async () => {
    const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 500000n);
    const real = new TxtcToken(
      stack.runtime.addresses.txtc,
      stack.runtime.provider,
      stack.runtime.writer,
      stack.runtime.addresses.txtcFromBlock,
    );
    const refusing: TransferringToken = {
      findTransfer: (r) => real.findTransfer(r),
      balanceOf: (a) => real.balanceOf(a),
      chainTime: () => real.chainTime(),
      landingTime: () => real.landingTime(),
      transferOnce: () => Promise.reject(new TransferRejectedError('InvalidAuthorisation')),
    };
    const { workflowId, result } = run(
      transfer('hybrid', from, to, { usdCents: '1000' }),
      activities({ relay: refusing }),
    );
    expect(await failureType(result)).toBe('TransferRejected');
    expect(await txtcOf(from)).toBe(TXTC('980'));
    expect(await txtcOf(to)).toBe(0n);
    expect(await transfers().get(workflowId)).toMatchObject({
      status: 'failed',
      stage: 'send_failed',
      conversionId: `${workflowId}:convert`,
    });
    expect(await smsTo(stack.runtime.pool, from)).toEqual([
      `Converted KES 1,290.00 airtime to 980 TXTC, but sending 980 TXTC to ${to} failed. The TXTC is in your wallet.`,
    ]);
  });
});

test('one daily limit per number: a conversion and a transfer at the same moment cannot both pass a limit that fits one', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, from, 'safaricom-ke', 10_000_000n);
  const acts = activities({ config: { ...stack.config, limits: { ...stack.config.limits, dailyUsdCents: 1500n } } });
  const outcomes = await withWorker(stack, acts, (taskQueue) =>
    Promise.allSettled([
      stack.client.workflow.execute(conversionWorkflow, {
        taskQueue,
        workflowId: conversionWorkflowId('api', uniqueId('limit-c')),
        args: [{ channel: 'api', phoneNumber: from, operator: 'safaricom-ke', usdCents: '1000' }],
      }),
      stack.client.workflow.execute(airtimeTransferWorkflow, {
        taskQueue,
        workflowId: transferWorkflowId('api', uniqueId('limit-t')),
        args: [transfer('airtime', from, to, { usdCents: '1000' })],
      }),
    ]),
  );
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
  expect(((refused.reason as WorkflowFailedError).cause as ApplicationFailure).type).toBe('DailyLimitExceeded');
  expect(await airtimeBalance(stack.runtime.pool, from)).toBe(10_000_000n - 129000n);
});

test('a retried quote-and-record step keeps the first recorded quote, even when the rate moved in between', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  const id = transferWorkflowId('api', uniqueId('requote'));
  const fixedRate = (perUsd: string) => {
    const config = {
      ...stack.config,
      rates: { ...stack.config.rates, source: 'fixed' as const, fixedTxtcPerUsd: TXTC(perUsd) },
    };
    return new RateService({ ...stack.runtime, config });
  };
  const input = { ...transfer('hybrid', from, to, { usdCents: '1000' }), id };
  const first = await activities({ rates: fixedRate('100') }).prepareTransfer(input);
  const retried = await activities({ rates: fixedRate('50') }).prepareTransfer(input);
  expect(first.quote.txtcAmount).toBe(TXTC('980').toString());
  expect(retried.quote.txtcAmount).toBe(first.quote.txtcAmount);
  expect(retried.quote.usdMicros).toBe(first.quote.usdMicros);

  const conversionId = conversionWorkflowId('api', uniqueId('requote'));
  const conversion = {
    channel: 'api' as const,
    phoneNumber: from,
    operator: 'safaricom-ke',
    usdCents: '1000',
    id: conversionId,
  };
  const c1 = await activities({ rates: fixedRate('100') }).prepareConversion(conversion);
  const c2 = await activities({ rates: fixedRate('50') }).prepareConversion(conversion);
  expect(c2.quote).toEqual(c1.quote);
  expect(c1.quote.txtcNet).toBe(TXTC('980').toString());
});
