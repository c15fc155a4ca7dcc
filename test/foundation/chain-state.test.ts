/**
 * The chain `npm start` runs (anvil with a state file) keeps TXTC balances across a restart, even after a
 * kill; and a chain that lost the recorded deployment while Postgres holds records is refused, not redeployed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { startLocalChain } from '../../scripts/local/chain-node';
import { ensureDeployment } from '../../scripts/local/deploy';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { TxtcToken } from '../../lib/chain/txtc';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import { freePort, stopService, type Service } from '../../scripts/local/processes';

let node: Service | undefined;
afterEach(async () => {
  if (node) await stopService(node);
  node = undefined;
});

async function onChain<T>(port: number, fn: (writer: ChainWriter) => Promise<T>): Promise<T> {
  const provider = createProvider(`http://127.0.0.1:${port}`);
  try {
    return await fn(new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider));
  } finally {
    provider.destroy();
  }
}

test('a stop and a start keep the deployment and every balance; so does a kill after the state was written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txtc-chain-state-'));
  const stateFile = join(dir, 'chain', 'anvil-state.json');
  const port = await freePort();
  const holder = Wallet.createRandom().address;

  node = await startLocalChain(port, 0, true, { stateFile });
  const first = await onChain(port, async (writer) => {
    const { deployment, fresh } = await ensureDeployment(writer, dir);
    expect(fresh).toBe(true);
    await new TxtcToken(deployment.txtc, writer.provider, writer).mintOnce(holder, 42n, 'state-test:1', 10000);
    return deployment;
  });
  await stopService(node); // SIGTERM: anvil writes its state as it exits

  node = await startLocalChain(port, 0, true, { stateFile });
  await onChain(port, async (writer) => {
    const again = await ensureDeployment(writer, dir, { hasRecords: async () => true });
    expect(again).toMatchObject({ fresh: false, deployment: { txtc: first.txtc } });
    const token = new TxtcToken(first.txtc, writer.provider, writer);
    expect(await token.balanceOf(holder)).toBe(42n);
    await token.mintOnce(holder, 8n, 'state-test:2', 10000);
  });
  // A kill writes nothing at exit: what the periodic dump (every 5 s) held is what survives.
  await new Promise((r) => setTimeout(r, 6500));
  node.child.kill('SIGKILL');
  await new Promise((r) => node!.child.once('exit', r));

  node = await startLocalChain(port, 0, true, { stateFile });
  await onChain(port, async (writer) => {
    const token = new TxtcToken(first.txtc, writer.provider, writer);
    expect(await token.balanceOf(holder)).toBe(50n);
    // The reference is still spent: a retried mint finds it instead of minting again.
    expect((await token.mintOnce(holder, 8n, 'state-test:2', 10000)).alreadyMinted).toBe(true);
    expect(await token.balanceOf(holder)).toBe(50n);
  });
});

test('a fresh chain under a recorded deployment is refused in one line when the database holds wallets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txtc-chain-state-'));
  const port = await freePort();
  node = await startLocalChain(port, 0, true, { stateFile: join(dir, 'chain', 'a.json') });
  await onChain(port, (writer) => ensureDeployment(writer, dir));
  await stopService(node);

  // Another state file: as if the chain's state was lost.
  node = await startLocalChain(port, 0, true, { stateFile: join(dir, 'chain', 'b.json') });
  await onChain(port, async (writer) => {
    await expect(ensureDeployment(writer, dir, { hasRecords: async () => true })).rejects.toThrow(
      /^the chain does not hold the TXTC recorded in .* not redeploying over live records\. Restore the chain's state/,
    );
    // With no records, a fresh deployment is harmless.
    expect((await ensureDeployment(writer, dir, { hasRecords: async () => false })).fresh).toBe(true);
  });
});
