import { Contract, Interface, Signature, Wallet, parseUnits } from 'ethers';
import { compileContracts } from '../../contracts/compile';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { deployAll } from '../../scripts/local/deploy';
import { TxtcToken, chainReference, MintRejectedError } from '../../lib/chain/txtc';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import { readStack } from '../support/stack-file';

const stack = readStack();
const provider = createProvider(stack.rpcUrl);
const writer = new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider);
// Hardhat's second development account: funded, not a minter.
const OUTSIDER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

afterAll(() => provider.destroy());

test('TXTC compiles from source with solc: 18 decimals, a referenced mint, permit and roles in the ABI', () => {
  const { Txtc } = compileContracts();
  expect(Txtc).toBeDefined();
  const iface = new Interface(Txtc!.abi as never);
  expect(iface.getFunction('mint')!.format()).toBe('mint(address,uint256,bytes32)');
  for (const fn of ['permit', 'nonces', 'DOMAIN_SEPARATOR', 'grantRole', 'MINTER_ROLE', 'referenceUsed']) {
    expect(iface.getFunction(fn)).not.toBeNull();
  }
  expect(Txtc!.bytecode).toMatch(/^0x[0-9a-f]{1000,}$/);
});

describe('TXTC deployed to the local node', () => {
  let txtc: TxtcToken;
  const holder = Wallet.createRandom().address;

  beforeAll(async () => {
    const deployment = await deployAll(writer);
    txtc = new TxtcToken(deployment.txtc, provider, writer);
  });

  test('a mint succeeds, and a second mint with the same reference reverts on chain', async () => {
    const ref = chainReference(`contract-test:${holder}`);
    const data = txtc.iface.encodeFunctionData('mint', [holder, parseUnits('5', 18), ref]);
    const first = await (await writer.send({ to: txtc.address, data })).wait();
    expect(first?.status).toBe(1);
    expect(await txtc.balanceOf(holder)).toBe(parseUnits('5', 18));

    // Sent with a fixed gas limit so it reaches the chain instead of failing estimation.
    await expect(writer.send({ to: txtc.address, data, gasLimit: 200000 }).then((sent) => sent.wait())).rejects.toThrow(
      /reverted/,
    );
    expect(await txtc.balanceOf(holder)).toBe(parseUnits('5', 18));
    await expect(provider.call({ from: writer.address, to: txtc.address, data })).rejects.toMatchObject({
      data: txtc.iface.encodeErrorResult('ReferenceAlreadyUsed', [ref]),
    });
  });

  test('mintOnce called five times at once with one reference mints once', async () => {
    const to = Wallet.createRandom().address;
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => txtc.mintOnce(to, 7n, 'contract-test:five', 10000)));
    expect(new Set(results.map((r) => r.txHash)).size).toBe(1);
    expect(results.filter((r) => !r.alreadyMinted)).toHaveLength(1);
    expect(await txtc.balanceOf(to)).toBe(7n);
  });

  test('an account without the minter role cannot mint', async () => {
    const outsider = new TxtcToken(txtc.address, provider, new ChainWriter(OUTSIDER_KEY, provider));
    await expect(outsider.mintOnce(holder, 1n, 'contract-test:outsider', 10000)).rejects.toThrow(MintRejectedError);
    await expect(outsider.mintOnce(holder, 1n, 'contract-test:outsider', 10000)).rejects.toThrow(
      /AccessControlUnauthorizedAccount/,
    );
  });

  test('EIP-2612 permit lets a holder approve by signature', async () => {
    const owner = Wallet.createRandom();
    const spender = Wallet.createRandom().address;
    const token = new Contract(txtc.address, txtc.iface, provider);
    const { chainId } = await provider.getNetwork();
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const signature = Signature.from(
      await owner.signTypedData(
        { name: 'TXTC', version: '1', chainId, verifyingContract: txtc.address },
        {
          Permit: [
            { name: 'owner', type: 'address' },
            { name: 'spender', type: 'address' },
            { name: 'value', type: 'uint256' },
            { name: 'nonce', type: 'uint256' },
            { name: 'deadline', type: 'uint256' },
          ],
        },
        { owner: owner.address, spender, value: 42n, nonce: 0n, deadline },
      ),
    );
    const data = txtc.iface.encodeFunctionData('permit', [
      owner.address,
      spender,
      42n,
      deadline,
      signature.v,
      signature.r,
      signature.s,
    ]);
    expect((await (await writer.send({ to: txtc.address, data })).wait())?.status).toBe(1);
    expect(await token.getFunction('allowance')(owner.address, spender)).toBe(42n);
  });
});

describe('one writer per signer', () => {
  test('twenty concurrent sends from one writer all land with distinct nonces', async () => {
    const sends = await Promise.all(
      Array.from({ length: 20 }, () => writer.send({ to: Wallet.createRandom().address, value: 1n })),
    );
    const receipts = await Promise.all(sends.map((s) => s.wait()));
    expect(receipts.every((r) => r?.status === 1)).toBe(true);
    expect(new Set(sends.map((s) => s.nonce)).size).toBe(20);
  });

  test('a nonce made stale by another sender with the same key is recovered on the next send', async () => {
    await (await writer.send({ to: Wallet.createRandom().address, value: 1n })).wait();
    const other = new Wallet(LOCAL_DEV_SIGNER_KEY, provider);
    await (await other.sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
    const after = await writer.send({ to: Wallet.createRandom().address, value: 1n });
    expect((await after.wait())?.status).toBe(1);
  });
});

test('the deploy step records the addresses and keeps a live deployment instead of redeploying', async () => {
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { ensureDeployment } = await import('../../scripts/local/deploy');
  const dataDir = mkdtempSync(join(tmpdir(), 'txtc-deploy-'));
  const first = await ensureDeployment(writer, dataDir);
  expect(first.fresh).toBe(true);
  expect(JSON.parse(readFileSync(first.file, 'utf8'))).toMatchObject({
    chainId: 31337,
    txtc: first.deployment.txtc,
    ratePair: first.deployment.ratePair,
    txtcBlock: first.deployment.txtcBlock,
  });
  expect(first.deployment.txtcBlock).toBeGreaterThan(0);
  const second = await ensureDeployment(writer, dataDir);
  expect(second).toMatchObject({ fresh: false, deployment: { txtc: first.deployment.txtc } });
  expect(await provider.getCode(first.deployment.txtc)).not.toBe('0x');
});
