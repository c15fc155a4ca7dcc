/**
 * Only the worker signs (issue 23). On main c3d9141 the API built the signer's Wallet and loaded the wallet
 * mnemonic though it only reads. Now the API process runs in production with neither in its environment,
 * serves, and holds neither even when its environment does (it never loads them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from '../../scripts/local/processes';
import { readStack } from '../support/stack-file';
import { LOCAL_DEV_SIGNER_KEY, LOCAL_DEV_WALLET_MNEMONIC, loadConfig } from '../../lib/config';

const ROOT = resolve(__dirname, '..', '..');
let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

test('the API runs in production with no signer key and no mnemonic in its environment, and serves', async () => {
  const stack = readStack();
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CHAIN_SIGNER_PRIVATE_KEY;
  delete env.WALLET_MNEMONIC;
  let output = '';
  child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      APP_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'txtc-api-')),
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      CHAIN_RPC_URL: stack.rpcUrl,
      TXTC_ADDRESS: stack.deployment.txtc,
      TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
      RATE_PAIR_ADDRESS: stack.deployment.ratePair,
      PORT: String(port),
      USSD_WEBHOOK_SECRET: 'production-ussd-secret-0123456789',
      SMS_WEBHOOK_SECRET: 'production-sms-secret-0123456789',
      PIN_PEPPER: 'production-pepper-0123456789',
      WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(
    'the API to serve',
    async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200,
    60_000,
    child,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${output}`);
  });
  // An /api route answers as production does: a key is required.
  expect((await fetch(`http://127.0.0.1:${port}/api/airtime/rates`)).status).toBe(401);
  expect(output).not.toMatch(/CHAIN_SIGNER_PRIVATE_KEY|WALLET_MNEMONIC/);
});

test('the API role never loads them, even from an environment that holds them', () => {
  const api = loadConfig(
    { APP_ENV: 'local', CHAIN_SIGNER_PRIVATE_KEY: LOCAL_DEV_SIGNER_KEY, WALLET_MNEMONIC: LOCAL_DEV_WALLET_MNEMONIC },
    { role: 'api' },
  );
  expect(api.chain.signerPrivateKey).toBe('');
  expect(api.walletMnemonic).toBe('');
  // The worker's still does.
  expect(loadConfig({ APP_ENV: 'local' }).chain.signerPrivateKey).toBe(LOCAL_DEV_SIGNER_KEY);
});
