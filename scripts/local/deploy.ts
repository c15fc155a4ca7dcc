/**
 * Deploys TXTC, the USD test token and a Uniswap V2 TXTC/USD pair (official @uniswap/v2-core artifacts)
 * seeded so that 1 USD = 100 TXTC, through the signer's ChainWriter. Used by `npm start`, the tests and
 * `npm run deploy:contracts`.
 */
import { ContractFactory, Contract, Interface, parseUnits, type InterfaceAbi } from 'ethers';
import { loadArtifact } from '../../lib/chain/artifacts';
import { ensureCompiled } from '../../contracts/compile';
import { chainReference } from '../../lib/chain/txtc';
import type { ChainWriter } from '../../lib/chain/writer';
import { deploymentFile, readDeployment, writeDeployment, type Deployment } from '../../lib/chain/deployment';
// Uniswap's compiled artifacts are plain JSON files of the package.
/* eslint-disable @typescript-eslint/no-require-imports */
const uniswapFactoryArtifact = require('@uniswap/v2-core/build/UniswapV2Factory.json') as {
  abi: InterfaceAbi;
  bytecode: string;
};
const uniswapPairArtifact = require('@uniswap/v2-core/build/UniswapV2Pair.json') as { abi: InterfaceAbi };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Pool depth of the seeded pair: deep enough that quotes barely move. */
const SEED_USD = parseUnits('1000000', 6);
const SEED_TXTC = parseUnits('100000000', 18);

async function deploy(writer: ChainWriter, abi: InterfaceAbi, bytecode: string, args: unknown[]): Promise<string> {
  return (await deployWithBlock(writer, abi, bytecode, args)).address;
}

async function deployWithBlock(
  writer: ChainWriter,
  abi: InterfaceAbi,
  bytecode: string,
  args: unknown[],
): Promise<{ address: string; block: number }> {
  const factory = new ContractFactory(abi, bytecode.startsWith('0x') ? bytecode : `0x${bytecode}`);
  const tx = await factory.getDeployTransaction(...args);
  const sent = await writer.send(tx);
  const receipt = await sent.wait();
  if (!receipt?.contractAddress) throw new Error('deployment produced no contract address');
  return { address: receipt.contractAddress, block: receipt.blockNumber };
}

async function call(
  writer: ChainWriter,
  address: string,
  abi: InterfaceAbi,
  fn: string,
  args: unknown[],
): Promise<void> {
  const data = new Interface(abi).encodeFunctionData(fn, args);
  const sent = await writer.send({ to: address, data });
  const receipt = await sent.wait();
  if (receipt?.status !== 1) throw new Error(`${fn} failed during deployment`);
}

export async function deployAll(writer: ChainWriter): Promise<Deployment> {
  ensureCompiled();
  const network = await writer.provider.getNetwork();
  const txtcArtifact = loadArtifact('Txtc');
  const usdArtifact = loadArtifact('TestUsd');
  const deployer = writer.address;

  const { address: txtc, block: txtcBlock } = await deployWithBlock(
    writer,
    txtcArtifact.abi as InterfaceAbi,
    txtcArtifact.bytecode,
    [deployer],
  );
  const usd = await deploy(writer, usdArtifact.abi as InterfaceAbi, usdArtifact.bytecode, [deployer]);
  const uniswapFactory = await deploy(writer, uniswapFactoryArtifact.abi, uniswapFactoryArtifact.bytecode, [deployer]);

  await call(writer, uniswapFactory, uniswapFactoryArtifact.abi, 'createPair', [txtc, usd]);
  const factory = new Contract(uniswapFactory, uniswapFactoryArtifact.abi, writer.provider);
  const ratePair = (await factory.getFunction('getPair')(txtc, usd)) as string;

  await call(writer, txtc, txtcArtifact.abi as InterfaceAbi, 'mint', [
    ratePair,
    SEED_TXTC,
    chainReference(`liquidity-seed:${ratePair}`),
  ]);
  await call(writer, usd, usdArtifact.abi as InterfaceAbi, 'mint', [ratePair, SEED_USD]);
  await call(writer, ratePair, uniswapPairArtifact.abi, 'mint', [deployer]);

  return {
    chainId: Number(network.chainId),
    txtc,
    txtcBlock,
    usd,
    uniswapFactory,
    ratePair,
    deployer,
    deployedAt: new Date().toISOString(),
  };
}

/** True when every recorded contract still has code on the chain (a restarted Hardhat node forgets). */
export async function deploymentIsLive(writer: ChainWriter, deployment: Deployment): Promise<boolean> {
  for (const address of [deployment.txtc, deployment.usd, deployment.ratePair]) {
    if ((await writer.provider.getCode(address)) === '0x') return false;
  }
  return true;
}

/**
 * The recorded deployment when it is still live on the chain, otherwise a fresh one, recorded. With
 * `hasRecords` (Postgres already holds wallets), a chain without the recorded contracts is refused in one
 * line instead of redeployed: the records would point at TXTC that no longer exists.
 */
export async function ensureDeployment(
  writer: ChainWriter,
  dataDir: string,
  options: { hasRecords?: () => Promise<boolean>; chainState?: string } = {},
): Promise<{ deployment: Deployment; fresh: boolean; file: string }> {
  const chainId = Number((await writer.provider.getNetwork()).chainId);
  const file = deploymentFile(dataDir, chainId);
  const recorded = readDeployment(dataDir, chainId);
  if (recorded && (await deploymentIsLive(writer, recorded))) return { deployment: recorded, fresh: false, file };
  if (options.hasRecords && (await options.hasRecords())) {
    const what = recorded
      ? `does not hold the TXTC recorded in ${file} (${recorded.txtc})`
      : `has no TXTC recorded in ${file}`;
    throw new Error(
      `the chain ${what} while the database holds wallets: not redeploying over live records. ` +
        `Restore the chain's state${options.chainState ? ` (${options.chainState})` : ''}, or start afresh with an empty database and DATA_DIR.`,
    );
  }
  const deployment = await deployAll(writer);
  return { deployment, fresh: true, file: writeDeployment(dataDir, deployment) };
}

/** What a further signer is given on a local chain when it holds less: gas for a long run of batches. */
const LOCAL_SIGNER_ETH = parseUnits('100', 18);

/**
 * Several signers (CHAIN_SIGNER_PRIVATE_KEYS) on a local chain: each is granted TXTC's minter and relayer
 * roles by the deployer (the admin) and, when it holds less, LOCAL_SIGNER_ETH for gas (`fund` false: no ETH,
 * a test's signer out of gas). Idempotent: a role held is not granted again.
 */
export async function grantSignerRoles(
  writer: ChainWriter,
  txtc: string,
  signers: string[],
  options: { fund?: boolean } = {},
): Promise<void> {
  const abi = loadArtifact('Txtc').abi as InterfaceAbi;
  const token = new Contract(txtc, abi, writer.provider);
  for (const signer of signers) {
    for (const role of ['MINTER_ROLE', 'RELAYER_ROLE']) {
      const id = (await token.getFunction(role)()) as string;
      if (!((await token.getFunction('hasRole')(id, signer)) as boolean))
        await call(writer, txtc, abi, 'grantRole', [id, signer]);
    }
    if (options.fund !== false && (await writer.provider.getBalance(signer)) < LOCAL_SIGNER_ETH) {
      const sent = await writer.send({ to: signer, value: LOCAL_SIGNER_ETH });
      await sent.wait();
    }
  }
}
