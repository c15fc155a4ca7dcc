/**
 * A chain that mines only when there is a transaction can sit idle: its latest block grows old, or (a dev
 * chain's clock moved forward) the next block is stamped far ahead of it. A deadline measured from the
 * latest block is then already past when the write lands, the contract skips it as Expired and the
 * movement refunds. Deadlines are measured from when the write can next land; each movement completes once.
 */
import { parseUnits } from 'ethers';
import { settled as settledOn, withApi as withApiOn, type App } from '../support/api';
import { TxtcToken } from '../../lib/chain/txtc';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';
import { airtimeBalance, fundTxtc, newSafaricomNumber, telcoOperations, topUp } from '../support/money';

const TXTC = (n: string) => parseUnits(n, 18);

let stack: TestStackHandle;
let app: App;
let token: TxtcToken;

beforeAll(async () => {
  stack = await openStack();
  token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
});
afterAll(async () => {
  await stack.close();
});

const withApi = <T>(fn: () => Promise<T>) =>
  withApiOn(stack, (a) => {
    app = a;
    return fn();
  });
const settled = (id: string) => settledOn(app, id);

const post = async (path: string, body: unknown) => {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Idempotency-Key': uniqueId('idle') },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
};

/** Moves the node's clock forward without mining: the latest block stays, the next one is stamped later. */
async function idle(seconds: number): Promise<{ latest: number; next: number }> {
  await stack.runtime.provider.send('evm_increaseTime', [seconds]);
  const latest = await token.chainTime();
  return { latest, next: await token.landingTime() };
}

const mintsTo = async (wallet: string) =>
  (await token.contract.queryFilter(token.contract.filters.ReferencedMint!(null, wallet), 0)).length;

test('after the chain sat idle 700 s, a conversion, a TXTC send and a hybrid each complete once', async () => {
  const [buyer, sender, receiver] = [newSafaricomNumber(), newSafaricomNumber(), newSafaricomNumber()];
  await topUp(stack.runtime.pool, buyer, 'safaricom-ke', 200000n);
  await topUp(stack.runtime.pool, sender, 'safaricom-ke', 500000n);
  await fundTxtc(stack.runtime, sender, TXTC('200'));
  const wallets = new WalletDirectory(createWalletRepo(stack.runtime.pool), stack.config.walletMnemonic);
  const addressOf = async (phone: string) => (await wallets.find(phone))!;

  await withApi(async () => {
    // The buy: 645 KES is $5, 500 TXTC gross, 490 net.
    const gap = await idle(700);
    expect(gap.next - gap.latest).toBeGreaterThanOrEqual(700);
    const buy = await settled(await post('/api/airtime/buy', { phoneNumber: buyer, airtimeAmount: '645' }));
    expect(buy).toMatchObject({ status: 'completed', failure: null, txtc: { display: '490' } });
    const buyerWallet = await addressOf(buyer);
    expect(await token.balanceOf(buyerWallet)).toBe(TXTC('490'));
    expect(await mintsTo(buyerWallet)).toBe(1);
    expect(await airtimeBalance(stack.runtime.pool, buyer)).toBe(200000n - 64500n);

    await idle(700);
    const send = await settled(
      await post('/api/transfers', { fromPhone: sender, toPhone: receiver, amount: '150', transferType: 'txtc' }),
    );
    expect(send).toMatchObject({ status: 'completed', failure: null });
    const receiverWallet = await addressOf(receiver);
    expect(await token.balanceOf(receiverWallet)).toBe(TXTC('150'));

    // The hybrid: 980 TXTC for $10, 50 from the sender's balance, the 930 short bought with airtime.
    await idle(700);
    const hybrid = await settled(
      await post('/api/transfers', {
        fromPhone: sender,
        toPhone: receiver,
        amount: 10,
        currency: 'USD',
        transferType: 'hybrid',
      }),
    );
    expect(hybrid).toMatchObject({ status: 'completed', failure: null, txtc: { display: '980' } });
    expect(await token.balanceOf(receiverWallet)).toBe(TXTC('1130'));
    expect(await token.balanceOf(await addressOf(sender))).toBe(0n);
    expect(await mintsTo(await addressOf(sender))).toBe(2); // the funding and the hybrid's leg
    expect(await telcoOperations(stack.runtime.pool, sender)).toHaveLength(1);
  });
});
