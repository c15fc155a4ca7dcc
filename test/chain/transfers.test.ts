import {
  AbiCoder,
  Interface,
  TypedDataEncoder,
  Wallet,
  id,
  keccak256,
  parseUnits,
  toBeHex,
  type HDNodeWallet,
  type Result,
  type TransactionReceipt,
} from 'ethers';
import { loadArtifact } from '../../lib/chain/artifacts';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import {
  TRANSFER_TYPES,
  TransferRejectedError,
  TransferSkipReason,
  TxtcToken,
  chainReference,
  type TransferAuthorisation,
  type TransferringToken,
} from '../../lib/chain/txtc';
import { BridgeError } from '../../lib/definitions/errors';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import { deployAll } from '../../scripts/local/deploy';
import { readStack } from '../support/stack-file';

const stack = readStack();
const provider = createProvider(stack.rpcUrl);
const writer = new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider);
// Hardhat's second development account: funded with ETH, but no TXTC role.
const OUTSIDER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const TXTC = (n: string) => parseUnits(n, 18);

let txtc: TxtcToken;

beforeAll(async () => {
  const deployment = await deployAll(writer);
  txtc = new TxtcToken(deployment.txtc, provider, writer, deployment.txtcBlock);
});
afterAll(() => provider.destroy());

/** A custodial-style wallet holding `amount` TXTC (minted to it) and no ETH. */
async function holderWith(amount: bigint): Promise<HDNodeWallet> {
  const holder = Wallet.createRandom();
  if (amount > 0n) await txtc.mintOnce(holder.address, amount, `transfer-test:fund:${holder.address}`, 10000);
  return holder;
}

function transferData(auth: TransferAuthorisation): string {
  return txtc.iface.encodeFunctionData('transferWithAuthorization', [
    auth.from,
    auth.to,
    auth.value,
    auth.ref,
    auth.deadline,
    auth.v,
    auth.r,
    auth.s,
  ]);
}

/** [ref, reason] of each TransferSkipped event in a receipt. */
function skippedIn(receipt: TransactionReceipt | null): [string, number][] {
  return eventsIn(receipt, 'TransferSkipped').map((args) => [args[0] as string, Number(args[1])]);
}

/** The ref of each ReferencedTransfer event in a receipt. */
function transferredIn(receipt: TransactionReceipt | null): string[] {
  return eventsIn(receipt, 'ReferencedTransfer').map((args) => args[0] as string);
}

function eventsIn(receipt: TransactionReceipt | null, name: string): Result[] {
  return (receipt?.logs ?? [])
    .map((log) => txtc.iface.parseLog(log))
    .filter((event) => event?.name === name)
    .map((event) => event!.args);
}

test('TXTC exposes relayed transfers in its ABI: relayer role, EIP-712 typehash, single and batch entry points', async () => {
  const iface = new Interface(loadArtifact('Txtc').abi as never);
  expect(iface.getFunction('transferWithAuthorization')!.format()).toBe(
    'transferWithAuthorization(address,address,uint256,bytes32,uint256,uint8,bytes32,bytes32)',
  );
  expect(iface.getFunction('transferBatch')!.format()).toBe(
    'transferBatch((address,address,uint256,bytes32,uint256,uint8,bytes32,bytes32)[])',
  );
  expect(iface.getFunction('transferBatch')!.outputs.map((o) => o.type)).toEqual(['uint256']);
  expect(iface.getEvent('ReferencedTransfer')!.format()).toBe('ReferencedTransfer(bytes32,address,address,uint256)');
  expect(iface.getEvent('TransferSkipped')!.format()).toBe('TransferSkipped(bytes32,uint8)');
  for (const error of [
    'ZeroReference()',
    'ReferenceAlreadyUsed(bytes32)',
    'AuthorisationExpired()',
    'InvalidAuthorisation()',
  ]) {
    expect(iface.getError(error)).not.toBeNull();
  }
  // The mint entry point is unchanged.
  expect(iface.getFunction('mint')!.format()).toBe('mint(address,uint256,bytes32)');

  const typeString = 'ReferencedTransfer(address from,address to,uint256 value,bytes32 ref,uint256 deadline)';
  expect(TypedDataEncoder.from(TRANSFER_TYPES).encodeType('ReferencedTransfer')).toBe(typeString);
  expect(await txtc.contract.getFunction('TRANSFER_TYPEHASH')()).toBe(id(typeString));
  const relayerRole = (await txtc.contract.getFunction('RELAYER_ROLE')()) as string;
  expect(relayerRole).toBe(id('RELAYER_ROLE'));
  expect(await txtc.contract.getFunction('hasRole')(relayerRole, writer.address)).toBe(true);
  expect(await txtc.contract.getFunction('hasRole')(relayerRole, new Wallet(OUTSIDER_KEY).address)).toBe(false);
});

test('a relayed transfer moves exactly the amount from the sender to the receiver, the sender holding no ETH', async () => {
  const sender = await holderWith(TXTC('100'));
  const receiver = Wallet.createRandom().address;
  expect(await provider.getBalance(sender.address)).toBe(0n);

  const sent = await txtc.transferOnce(sender, receiver, TXTC('40'), 'transfer-test:relayed:send', 10000);

  expect(sent).toMatchObject({ from: sender.address, to: receiver, amount: TXTC('40'), alreadySent: false });
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('60'));
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('40'));
  expect(await provider.getBalance(sender.address)).toBe(0n);
  expect((await provider.getTransaction(sent.txHash))?.from).toBe(writer.address);
  expect(await txtc.findTransfer('transfer-test:relayed:send')).toEqual({ ...sent, alreadySent: true });
});

test('the same reference submitted to the contract twice: the second reverts ReferenceAlreadyUsed, nothing moves again', async () => {
  const sender = await holderWith(TXTC('10'));
  const receiver = Wallet.createRandom().address;
  const reference = 'transfer-test:direct-twice:send';
  const data = transferData(await txtc.authoriseTransfer(sender, receiver, TXTC('3'), reference));

  expect((await (await writer.send({ to: txtc.address, data })).wait())?.status).toBe(1);
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('3'));

  await expect(provider.call({ from: writer.address, to: txtc.address, data })).rejects.toMatchObject({
    data: txtc.iface.encodeErrorResult('ReferenceAlreadyUsed', [chainReference(reference)]),
  });
  // Sent with a fixed gas limit so it reaches the chain instead of failing estimation.
  await expect(writer.send({ to: txtc.address, data, gasLimit: 200000 }).then((sent) => sent.wait())).rejects.toThrow(
    /reverted/,
  );
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('7'));
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('3'));
});

test('a reference a mint used cannot move TXTC: mints and transfers share one set of references', async () => {
  const sender = await holderWith(TXTC('10'));
  const receiver = Wallet.createRandom().address;
  const reference = `transfer-test:fund:${sender.address}`; // the reference holderWith minted with

  await expect(txtc.transferOnce(sender, receiver, TXTC('1'), reference, 10000)).rejects.toThrow(TransferRejectedError);
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('10'));
  expect(await txtc.balanceOf(receiver)).toBe(0n);
});

test('transferOnce called five times at once with one reference transfers once', async () => {
  const sender = await holderWith(TXTC('50'));
  const receiver = Wallet.createRandom().address;

  const results = await Promise.all(
    [1, 2, 3, 4, 5].map(() => txtc.transferOnce(sender, receiver, TXTC('7'), 'transfer-test:five:send', 10000)),
  );

  expect(new Set(results.map((r) => r.txHash)).size).toBe(1);
  expect(results.filter((r) => !r.alreadySent)).toHaveLength(1);
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('43'));
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('7'));
});

test('five concurrent transferOnce that skip the look first still transfer once: the losers find the winner', async () => {
  const sender = await holderWith(TXTC('50'));
  const receiver = Wallet.createRandom().address;
  const send = () =>
    txtc.transferOnce(sender, receiver, TXTC('8'), 'transfer-test:five-no-look:send', 10000, { lookFirst: false });

  const results = await Promise.all([1, 2, 3, 4, 5].map(send));

  expect(new Set(results.map((r) => r.txHash)).size).toBe(1);
  expect(results.filter((r) => !r.alreadySent)).toHaveLength(1);
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('42'));
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('8'));
});

test('a transfer retried after a transient node error (it landed, its answer was lost) still transfers once', async () => {
  const sender = await holderWith(TXTC('20'));
  const receiver = Wallet.createRandom().address;
  const reference = 'transfer-test:lost-answer:send';
  let calls = 0;
  const flaky: TransferringToken = {
    findTransfer: (ref) => txtc.findTransfer(ref),
    balanceOf: (owner) => txtc.balanceOf(owner),
    chainTime: () => txtc.chainTime(),
    landingTime: () => txtc.landingTime(),
    async transferOnce(...args) {
      calls += 1;
      const result = await txtc.transferOnce(...args);
      if (calls === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return result;
    },
  };
  const attempt = () => flaky.transferOnce(sender, receiver, TXTC('5'), reference, 10000);

  await expect(attempt()).rejects.toMatchObject({ code: 'ECONNRESET' });
  const retried = await attempt();

  expect(calls).toBe(2);
  expect(retried.alreadySent).toBe(true);
  expect(retried.txHash).toBe((await txtc.findTransfer(reference))?.txHash);
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('15'));
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('5'));
});

test('with blocks not mined at once, a transferOnce racing a pending one with the same reference returns it', async () => {
  const sender = await holderWith(TXTC('9'));
  const receiver = Wallet.createRandom().address;
  await provider.send('evm_setAutomine', [false]);
  await provider.send('evm_setIntervalMining', [1000]);
  try {
    const results = await Promise.all(
      [1, 2].map(() => txtc.transferOnce(sender, receiver, TXTC('2'), 'transfer-test:pending:send', 20000)),
    );
    expect(new Set(results.map((r) => r.txHash)).size).toBe(1);
  } finally {
    await provider.send('evm_setIntervalMining', [0]);
    await provider.send('evm_setAutomine', [true]);
  }
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('7'));
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('2'));
});

test('an authorisation not signed by the sender, an expired one, and a relayer without RELAYER_ROLE are refused', async () => {
  const victim = await holderWith(TXTC('30'));
  const impostor = Wallet.createRandom();
  const receiver = impostor.address;
  const forged = { address: victim.address, signTypedData: impostor.signTypedData.bind(impostor) };

  await expect(
    txtc.transferOnce(forged, receiver, TXTC('30'), 'transfer-test:forged:send', 10000),
  ).rejects.toMatchObject({ code: 'TransferRejected', reason: 'InvalidAuthorisation' });
  const forgedData = transferData(
    await txtc.authoriseTransfer(forged, receiver, TXTC('30'), 'transfer-test:forged-direct:send'),
  );
  await expect(provider.call({ from: writer.address, to: txtc.address, data: forgedData })).rejects.toMatchObject({
    data: txtc.iface.encodeErrorResult('InvalidAuthorisation', []),
  });

  await expect(
    txtc.transferOnce(victim, receiver, TXTC('1'), 'transfer-test:expired:send', 10000, { deadlineSeconds: -1 }),
  ).rejects.toMatchObject({ code: 'TransferRejected', reason: 'AuthorisationExpired' });

  const outsider = new TxtcToken(txtc.address, provider, new ChainWriter(OUTSIDER_KEY, provider));
  const relayedByOutsider = outsider.transferOnce(victim, receiver, TXTC('1'), 'transfer-test:outsider:send', 10000);
  await expect(relayedByOutsider).rejects.toThrow(TransferRejectedError);
  await expect(relayedByOutsider).rejects.toThrow(/AccessControlUnauthorizedAccount/);

  expect(await txtc.balanceOf(victim.address)).toBe(TXTC('30'));
  expect(await txtc.balanceOf(receiver)).toBe(0n);
});

test('a transfer short of TXTC fails with InsufficientTxtc, moves nothing, and the same reference works once topped up', async () => {
  const sender = await holderWith(TXTC('4'));
  const receiver = Wallet.createRandom().address;
  const reference = 'transfer-test:short:send';

  const short = txtc.transferOnce(sender, receiver, TXTC('5'), reference, 10000);
  await expect(short).rejects.toBeInstanceOf(BridgeError);
  await expect(short).rejects.toMatchObject({ code: 'InsufficientTxtc' });
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('4'));
  expect(await txtc.balanceOf(receiver)).toBe(0n);
  expect(await txtc.referenceUsed(reference)).toBe(false);

  await txtc.mintOnce(sender.address, TXTC('1'), `transfer-test:top-up:${sender.address}`, 10000);
  await txtc.transferOnce(sender, receiver, TXTC('5'), reference, 10000);
  expect(await txtc.balanceOf(sender.address)).toBe(0n);
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('5'));
});

test('a transfer that passed estimation but reverted on chain for a short balance is still InsufficientTxtc', async () => {
  const sender = await holderWith(TXTC('10'));
  const receiver = Wallet.createRandom().address;
  const sentBefore = await provider.getTransactionCount(writer.address, 'pending');
  await provider.send('evm_setAutomine', [false]);
  try {
    const transfer = txtc.transferOnce(sender, receiver, TXTC('10'), 'transfer-test:drained:send', 10000);
    transfer.catch(() => undefined); // asserted below, once the block is mined
    while ((await provider.getTransactionCount(writer.address, 'pending')) === sentBefore) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The balance drops to 1 TXTC after the broadcast (ERC20's balances mapping is slot 0).
    const slot = keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'uint256'], [sender.address, 0]));
    await provider.send('hardhat_setStorageAt', [txtc.address, slot, toBeHex(TXTC('1'), 32)]);
    await provider.send('evm_mine', []);
    await expect(transfer).rejects.toMatchObject({ code: 'InsufficientTxtc' });
  } finally {
    await provider.send('evm_setAutomine', [true]);
  }
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('1'));
  expect(await txtc.balanceOf(receiver)).toBe(0n);
  expect(await txtc.referenceUsed('transfer-test:drained:send')).toBe(false);
});

test('transferBatch applies the good entry and skips a spent reference and a bad signature without reverting', async () => {
  const sender = await holderWith(TXTC('100'));
  const receiver = Wallet.createRandom().address;
  const impostor = Wallet.createRandom();
  await txtc.transferOnce(sender, receiver, TXTC('10'), 'transfer-test:batch-spent:send', 10000);

  const good = await txtc.authoriseTransfer(sender, receiver, TXTC('20'), 'transfer-test:batch-good:send');
  const spent = await txtc.authoriseTransfer(sender, receiver, TXTC('30'), 'transfer-test:batch-spent:send');
  const badSignature = await txtc.authoriseTransfer(
    { address: sender.address, signTypedData: impostor.signTypedData.bind(impostor) },
    impostor.address,
    TXTC('40'),
    'transfer-test:batch-forged:send',
  );
  const entries = [spent, good, badSignature];

  const transferBatch = txtc.contract.getFunction('transferBatch');
  expect(await transferBatch.staticCall(entries, { from: writer.address })).toBe(1n);
  const data = txtc.iface.encodeFunctionData('transferBatch', [entries]);
  const receipt = await (await writer.send({ to: txtc.address, data })).wait();
  expect(receipt?.status).toBe(1);

  expect(skippedIn(receipt)).toEqual([
    [spent.ref, TransferSkipReason.ReferenceUsed],
    [badSignature.ref, TransferSkipReason.BadSignature],
  ]);
  expect(transferredIn(receipt)).toEqual([good.ref]);
  expect((await txtc.findTransfer('transfer-test:batch-good:send'))?.txHash).toBe(receipt!.hash);
  expect(await txtc.referenceUsed('transfer-test:batch-forged:send')).toBe(false);
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('70'));
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('30'));
  expect(await txtc.balanceOf(impostor.address)).toBe(0n);
});

test('transferBatch skips an expired authorisation and a short balance, and applies each entry on its own', async () => {
  const sender = await holderWith(TXTC('10'));
  const receiver = Wallet.createRandom().address;
  const expired = await txtc.authoriseTransfer(sender, receiver, TXTC('1'), 'transfer-test:batch-expired:send', -1);
  const first = await txtc.authoriseTransfer(sender, receiver, TXTC('6'), 'transfer-test:batch-first:send');
  const short = await txtc.authoriseTransfer(sender, receiver, TXTC('6'), 'transfer-test:batch-short:send');

  const data = txtc.iface.encodeFunctionData('transferBatch', [[expired, first, short]]);
  const receipt = await (await writer.send({ to: txtc.address, data })).wait();

  expect(transferredIn(receipt)).toEqual([first.ref]);
  expect(skippedIn(receipt)).toEqual([
    [expired.ref, TransferSkipReason.Expired],
    [short.ref, TransferSkipReason.InsufficientBalance],
  ]);
  expect(await txtc.balanceOf(sender.address)).toBe(TXTC('4'));
  expect(await txtc.balanceOf(receiver)).toBe(TXTC('6'));
});
