/**
 * One money movement at a time per payer, across kinds and channels: each decides on the balance the
 * previous one left. Before, a TXTC send and a hybrid sent together both counted the same TXTC, and the
 * hybrid bought too little and then failed its send after charging airtime; parallel hybrids from one
 * number were refused InsufficientTxtc instead of buying the shortfall.
 */
import { parseUnits } from 'ethers';
import { TxtcToken } from '../../lib/chain/txtc';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';
import { settled as settledOn, withApi as withApiOn, type App } from '../support/api';
import { airtimeBalance, fundTxtc, newSafaricomNumber, topUp } from '../support/money';

const TXTC = (n: string) => parseUnits(n, 18);

let stack: TestStackHandle;
let app: App;
let token: TxtcToken;

beforeAll(async () => {
  // Many movements from one number in a minute: the velocity rule is not what this file is about.
  stack = await openStack({ FRAUD_VELOCITY_MAX_MOVEMENTS: '0', RATE_LIMIT_PER_PHONE: '0' });
  token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
});
afterAll(async () => {
  await stack.close();
});

const withApi = <T>(fn: (taskQueue: string) => Promise<T>) =>
  withApiOn(stack, (a, taskQueue) => {
    app = a;
    return fn(taskQueue);
  });

const post = async (body: unknown) => {
  const res = await app.request('/api/transfers', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Idempotency-Key': uniqueId('payer') },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
};

interface View {
  status: string;
  stage: string;
  failure: { code: string } | null;
  txtc?: { amount: string };
  conversionId?: string | null;
}

const settled = (id: string) => settledOn<View>(app, id);

const wallets = () => new WalletDirectory(createWalletRepo(stack.runtime.pool), stack.config.walletMnemonic);
const txtcOf = async (phone: string) => {
  const wallet = await wallets().find(phone);
  return wallet ? token.balanceOf(wallet) : 0n;
};

test('a TXTC send and a hybrid from one number at once: the hybrid buys what the send left short, no send fails after a charge', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await fundTxtc(stack.runtime, from, TXTC('100'));
  await topUp(stack.runtime.pool, from, 'safaricom-ke', 500000n);
  await withApi(async () => {
    const [sendId, hybridId] = await Promise.all([
      post({ fromPhone: from, toPhone: to, amount: '100', transferType: 'txtc' }),
      post({ fromPhone: from, toPhone: to, amount: 5, currency: 'USD', transferType: 'hybrid' }),
    ]);
    const [send, hybrid] = await Promise.all([settled(sendId), settled(hybridId)]);
    // The hybrid always completes: it decides on what the send left.
    expect(hybrid).toMatchObject({ status: 'completed', failure: null });
    // The send completes when it went first; after the hybrid it finds nothing left, and moved nothing.
    if (send.status === 'failed')
      expect(send).toMatchObject({ stage: 'rejected', failure: { code: 'InsufficientTxtc' } });
    else expect(send.status).toBe('completed');
    const sent = send.status === 'completed' ? TXTC('100') : 0n;
    expect(await txtcOf(to)).toBe(TXTC('490') + sent);
    expect(await txtcOf(from)).toBe(0n);
    // Airtime bought exactly what was short: 490 net when the send went first (KES 645 = $5 gross 500), else 390.
    const debited = 500000n - (await airtimeBalance(stack.runtime.pool, from));
    const leg = hybrid.conversionId ? await settled(hybrid.conversionId) : undefined;
    expect(leg).toMatchObject({ status: 'completed' });
    expect(debited).toBe(BigInt((leg as unknown as { airtime: { amountMinor: string } }).airtime.amountMinor));
    expect(debited > 0n).toBe(true);
  });
});

test('twelve hybrids from one number at once all complete, each buying only its own shortfall', async () => {
  const [from, to] = [newSafaricomNumber(), newSafaricomNumber()];
  await fundTxtc(stack.runtime, from, TXTC('150'));
  await topUp(stack.runtime.pool, from, 'safaricom-ke', 2_000_000n);
  await withApi(async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, () =>
        post({ fromPhone: from, toPhone: to, amount: 1, currency: 'USD', transferType: 'hybrid' }),
      ),
    );
    const views = await Promise.all(ids.map((id) => settled(id)));
    expect(views.map((v) => v.failure?.code ?? v.status)).toEqual(ids.map(() => 'completed'));
    // $1 is 98 TXTC net: 12 x 98 received, the sender's 150 all used, the rest bought.
    expect(await txtcOf(to)).toBe(TXTC('98') * 12n);
    expect(await txtcOf(from)).toBe(0n);
  });
});
