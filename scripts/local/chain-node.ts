/** Starts Hardhat 2's node as the local EVM chain (chainId 31337), for development and tests. */
import { resolve } from 'node:path';
import { startService, waitFor, type Service } from './processes';

const HARDHAT_CLI = resolve(__dirname, '..', '..', 'node_modules', 'hardhat', 'internal', 'cli', 'cli.js');
const PROJECT_ROOT = resolve(__dirname, '..', '..');

export async function startLocalChain(port: number, blockTimeMs: number, quiet = true): Promise<Service> {
  const service = startService(
    'chain',
    process.execPath,
    [HARDHAT_CLI, 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: PROJECT_ROOT,
      quiet,
      env: { CHAIN_BLOCK_TIME_MS: String(blockTimeMs), HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
    },
  );
  await waitFor('local chain', () => rpcAnswers(`http://127.0.0.1:${port}`), 60000, service.child);
  return service;
}

/** True when a JSON-RPC node answers eth_chainId at the URL. */
export async function rpcAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { result?: string };
  return typeof body.result === 'string';
}
