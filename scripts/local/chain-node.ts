/**
 * The local EVM chain (chainId 31337, the same dev accounts either way):
 * - `npm start`: Foundry's anvil (from npm) with `--state FILE`, so balances, contracts and blocks survive a
 *   restart (written at exit and every few seconds, for a kill);
 * - tests and benchmarks: Hardhat 2's node, fresh each time.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { startService, waitFor, type Service } from './processes';

const HARDHAT_CLI = resolve(__dirname, '..', '..', 'node_modules', 'hardhat', 'internal', 'cli', 'cli.js');
const PROJECT_ROOT = resolve(__dirname, '..', '..');
/** Seconds between state dumps besides the one at exit: what a SIGKILL can lose at most. */
const STATE_INTERVAL_SECONDS = 5;

export async function startLocalChain(
  port: number,
  blockTimeMs: number,
  quiet = true,
  options: { stateFile?: string } = {},
): Promise<Service> {
  const service = options.stateFile
    ? startAnvil(port, blockTimeMs, quiet, options.stateFile)
    : startService(
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

/** anvil's own binary (not its npm wrapper, so that a stop signal reaches the node and it writes its state). */
export function anvilBinary(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  if (!arch) throw new Error(`anvil has no build for ${process.platform}/${process.arch}`);
  const require = createRequire(__filename);
  const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
  return join(dirname(pkg), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

function startAnvil(port: number, blockTimeMs: number, quiet: boolean, stateFile: string): Service {
  mkdirSync(dirname(stateFile), { recursive: true });
  const args = ['--host', '127.0.0.1', '--port', String(port), '--state', stateFile];
  args.push('--state-interval', String(STATE_INTERVAL_SECONDS), '--silent');
  if (blockTimeMs > 0) args.push('--block-time', String(blockTimeMs / 1000));
  return startService('chain', anvilBinary(), args, { cwd: PROJECT_ROOT, quiet });
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
