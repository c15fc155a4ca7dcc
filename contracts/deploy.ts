/**
 * `npm run deploy:contracts`: deploys TXTC (and on a local chain the USD test token and the Uniswap V2
 * rate pair) to CHAIN_RPC_URL with CHAIN_SIGNER_PRIVATE_KEY, and records the addresses in
 * DATA_DIR/chain/deployment-<chainId>.json. A live recorded deployment is kept, not redeployed.
 */
import { loadConfigOrExit } from '../lib/config';
import { createProvider } from '../lib/chain/provider';
import { ChainWriter } from '../lib/chain/writer';
import { ensureDeployment } from '../scripts/local/deploy';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const provider = createProvider(config.chain.rpcUrl);
  try {
    const { deployment, fresh, file } = await ensureDeployment(
      new ChainWriter(config.chain.signerPrivateKey, provider),
      config.dataDir,
    );
    process.stdout.write(
      fresh
        ? `TXTC deployed on chain ${deployment.chainId} at ${deployment.txtc}; recorded in ${file}\n`
        : `TXTC already deployed on chain ${deployment.chainId} at ${deployment.txtc}\n`,
    );
  } finally {
    provider.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`deploy failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
