import { Wallet } from 'ethers';
import { startLocalChain } from '../../scripts/local/chain-node';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { deployAll } from '../../scripts/local/deploy';
import { TxtcToken } from '../../lib/chain/txtc';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import { freePort, stopService, type Service } from '../../scripts/local/processes';

let node: Service | undefined;
afterAll(async () => {
  if (node) await stopService(node);
});

test('the writer keeps sending after the node restarts (its nonces re-read, not reused)', async () => {
  const port = await freePort();
  node = await startLocalChain(port, 0);
  const provider = createProvider(`http://127.0.0.1:${port}`);
  try {
    const writer = new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider);
    for (let i = 0; i < 3; i++) await (await writer.send({ to: Wallet.createRandom().address, value: 1n })).wait();
    expect(await provider.getTransactionCount(writer.address)).toBe(3);

    // A Hardhat node restarts empty: the writer's next nonce (3) is now too high for the chain.
    await stopService(node);
    node = await startLocalChain(port, 0);

    const deployment = await deployAll(writer);
    const token = new TxtcToken(deployment.txtc, provider, writer);
    const to = Wallet.createRandom().address;
    const mints = await Promise.all([1, 2, 3].map((i) => token.mintOnce(to, BigInt(i), `restart-test:${i}`, 10000)));
    expect(mints.every((m) => !m.alreadyMinted)).toBe(true);
    expect(await token.balanceOf(to)).toBe(6n);
  } finally {
    provider.destroy();
  }
});
