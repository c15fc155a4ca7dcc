import { MockActivityEnvironment } from '@temporalio/testing';
import { Wallet } from 'ethers';
import { randomUUID } from 'node:crypto';
import { createChainActivities } from '../../../activities/chain';
import type { MintReceipt, MintingToken, TransferringToken } from '../../../lib/chain/txtc';
import type { WalletDirectory } from '../../../lib/wallets';
import { createLogger } from '../../../lib/log';

const testLog = createLogger('silent', 'test');

/** The chain activities over a token whose only mint under any reference is `landed`. */
function withLanded(landed: MintReceipt | undefined) {
  const token: MintingToken = {
    mintOnce: () => Promise.reject(new Error('not used')),
    findMint: () => Promise.resolve(landed),
  };
  return createChainActivities({
    token,
    relay: { chainTime: () => Promise.resolve(1_000) } as unknown as TransferringToken,
    wallets: {} as WalletDirectory,
    receiptTimeoutMs: 0,
    log: testLog,
  });
}

describe("a batched mint's outcome is the mint under its reference, and only if it is the same mint", () => {
  const to = Wallet.createRandom().address;
  const reference = `outcome-${randomUUID()}`;
  const landed: MintReceipt = { txHash: '0xbatch', blockNumber: 7, to, amount: 5n, alreadyMinted: true };

  test('the same wallet and amount: minted', async () => {
    const outcome = await new MockActivityEnvironment().run(withLanded(landed).mintOutcome, {
      reference,
      deadline: 2_000,
      to: to.toLowerCase(),
      amount: '5',
    });
    expect(outcome).toEqual({ txHash: '0xbatch', blockNumber: 7, alreadyMinted: true });
  });

  test('another wallet or another amount under the reference is refused, not taken as paid', async () => {
    const activities = withLanded(landed);
    for (const differs of [
      { to: Wallet.createRandom().address, amount: '5' },
      { to, amount: '6' },
    ]) {
      await expect(
        new MockActivityEnvironment().run(activities.mintOutcome, { reference, deadline: 2_000, ...differs }),
      ).rejects.toMatchObject({ code: 'MintRejected' });
    }
  });

  test('nothing under the reference: null once the chain is past the deadline, asked again before it', async () => {
    const activities = withLanded(undefined);
    await expect(
      new MockActivityEnvironment().run(activities.mintOutcome, { reference, deadline: 999, to, amount: '5' }),
    ).resolves.toBeNull();
    await expect(
      new MockActivityEnvironment().run(activities.mintOutcome, { reference, deadline: 1_000, to, amount: '5' }),
    ).rejects.toThrow(/not found yet/);
  });
});
