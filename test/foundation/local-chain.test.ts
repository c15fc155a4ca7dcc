/**
 * Local mode's signer key and wallet phrase are public: on any chain but the local development one they
 * would be someone's real money. A local-mode process pointed at another chain refuses, naming CHAIN_RPC_URL.
 */
import { anvilBinary } from '../../scripts/local/chain-node';
import { freePort, portOpen, startService, stopService, waitFor } from '../../scripts/local/processes';
import { createProvider } from '../../lib/chain/provider';
import { NotLocalChainError, resolveAddresses } from '../../lib/runtime';
import { testConfig } from '../support/stack';

test('local mode refuses a chain whose id is not the local development chain', async () => {
  const port = await freePort();
  const node = startService('anvil', anvilBinary(), ['--port', String(port), '--chain-id', '11155111', '--silent'], {
    quiet: true,
  });
  const provider = createProvider(`http://127.0.0.1:${port}`);
  try {
    await waitFor('anvil', () => portOpen(port));
    const config = testConfig({ CHAIN_RPC_URL: `http://127.0.0.1:${port}` });
    const refused = resolveAddresses(config, provider);
    await expect(refused).rejects.toBeInstanceOf(NotLocalChainError);
    await expect(refused).rejects.toThrow(
      /CHAIN_RPC_URL: APP_ENV=local runs only on the local development chain \(31337\); this one is 11155111/,
    );
  } finally {
    provider.destroy();
    await stopService(node);
  }
});
