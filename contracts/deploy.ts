/**
 * `npm run deploy:contracts`: deploys TXTC (and on a local chain the USD test token and the Uniswap V2
 * rate pair) to CHAIN_RPC_URL with CHAIN_SIGNER_PRIVATE_KEY, and records the addresses in
 * DATA_DIR/chain/deployment-<chainId>.json. A live recorded deployment is kept, not redeployed.
 */
import { loadConfigOrExit } from '../lib/config';
import { createProvider } from '../lib/chain/provider';
import { ChainWriter } from '../lib/chain/writer';
import { deployAll, deploymentIsLive } from '../lib/chain/deploy';
import { readDeployment, writeDeployment } from '../lib/chain/deployment';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const provider = createProvider(config.chain.rpcUrl);
  try {
    const writer = new ChainWriter(config.chain.signerPrivateKey, provider);
    const chainId = Number((await provider.getNetwork()).chainId);
    const recorded = readDeployment(config.dataDir, chainId);
    if (recorded && (await deploymentIsLive(writer, recorded))) {
      process.stdout.write(`TXTC already deployed on chain ${chainId} at ${recorded.txtc}\n`);
      return;
    }
    const deployment = await deployAll(writer);
    const file = writeDeployment(config.dataDir, deployment);
    process.stdout.write(`TXTC deployed on chain ${chainId} at ${deployment.txtc}; recorded in ${file}\n`);
  } finally {
    provider.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`deploy failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
