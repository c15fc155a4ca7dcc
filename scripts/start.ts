/**
 * `npm start`: the whole system on local defaults. Brings up, unless configured to external ones, the
 * Temporal dev server (with its UI; state in DATA_DIR/temporal), Postgres migrations, the local chain
 * (anvil; state in DATA_DIR/chain, so TXTC balances survive a restart) with TXTC deployed, the worker and
 * the API (each restarted if it dies); prints each URL and a development API key (local mode: a fresh
 * "local-dev" key with every scope each start, the previous one revoked); Ctrl-C stops every child it started.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfigOrExit, type Config } from '../lib/config';
import { ensureCompiled } from '../contracts/compile';
import { createPool, ensureDatabase, runMigrations } from '../lib/db/pool';
import { ensureTemporalCli } from './local/temporal-cli';
import { startLocalChain, rpcAnswers } from './local/chain-node';
import { createProvider } from '../lib/chain/provider';
import { ChainWriter } from '../lib/chain/writer';
import { Wallet } from 'ethers';
import { ensureDeployment, grantSignerRoles } from './local/deploy';
import { TxtcToken } from '../lib/chain/txtc';
import { portOpen, startService, stopService, waitFor, type Service } from './local/processes';
import { ensureReconciliationScheduleFor } from '../lib/reconcile/schedule';
import { SEARCH_ATTRIBUTES, searchAttributeSpecs } from '../lib/definitions/search';
import { DEV_API_KEY_NAME, renewDevApiKey } from './local/dev-api-key';

const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const services: Service[] = [];
let stopping = false;
let sdkServer: { teardown(): Promise<void> } | undefined;

const say = (line: string): void => void process.stdout.write(`[start] ${line}\n`);

async function postgres(config: Config): Promise<void> {
  try {
    await ensureDatabase(config.databaseUrl);
  } catch (e) {
    const url = new URL(config.databaseUrl);
    const local = ['127.0.0.1', 'localhost'].includes(url.hostname);
    if (!local || (e as { code?: string }).code !== 'ECONNREFUSED' || !existsSync('/usr/bin/pg_ctlcluster')) throw e;
    say('Postgres is not running; starting the local cluster');
    const version = execFileSync('ls', ['/etc/postgresql']).toString().trim().split('\n')[0]!;
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    await ensureDatabase(config.databaseUrl);
  }
  const applied = await runMigrations(config.databaseUrl);
  say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');
}

async function temporal(config: Config): Promise<void> {
  const [host, portText] = config.temporal.address.split(':') as [string, string];
  const port = Number(portText);
  if (!config.temporal.startLocal) return say(`using external Temporal at ${config.temporal.address}`);
  if (await portOpen(port, host)) return say(`Temporal already answers at ${config.temporal.address}; using it`);
  const dbFile = resolve(config.dataDir, 'temporal', 'dev.db');
  mkdirSync(resolve(config.dataDir, 'temporal'), { recursive: true });
  const cli = ensureTemporalCli((l) => say(l));
  if (cli) {
    const service = startService(
      'temporal',
      cli,
      [
        'server',
        'start-dev',
        '--ip',
        host,
        '--port',
        String(port),
        '--ui-port',
        String(config.temporal.uiPort),
        '--namespace',
        config.temporal.namespace,
        '--db-filename',
        dbFile,
        // WAL: readers do not wait on the writer (npm run bench:temporal-sqlite measures the difference)
        '--sqlite-pragma',
        'journal_mode=wal',
        '--log-level',
        'warn',
        '--dynamic-config-value',
        'frontend.enableUpdateWorkflowExecution=true',
        '--dynamic-config-value',
        'frontend.enableExecuteMultiOperation=true',
        // the ops console's search attributes (lib/definitions/search.ts); a cluster registers them once
        ...searchAttributeSpecs().flatMap((spec) => ['--search-attribute', spec]),
      ],
      { quiet: true },
    );
    services.push(service);
    await waitFor('Temporal dev server', () => portOpen(port, host), 60000, service.child);
    say(`Temporal dev server started (state in ${dbFile})`);
  } else {
    say('no temporal CLI and no Go: letting the Temporal SDK download its dev server');
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    sdkServer = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: host,
        port,
        ui: true,
        uiPort: config.temporal.uiPort,
        dbFilename: dbFile,
        namespace: config.temporal.namespace,
        searchAttributes: [...SEARCH_ATTRIBUTES],
      },
    });
  }
}

async function chain(config: Config): Promise<void> {
  const url = new URL(config.chain.rpcUrl);
  const chainState = resolve(config.dataDir, 'chain', 'anvil-state.json');
  if (config.chain.startLocal && !(await rpcAnswers(config.chain.rpcUrl).catch(() => false))) {
    services.push(
      await startLocalChain(Number(url.port || 8545), config.chain.blockTimeMs, true, { stateFile: chainState }),
    );
    say(
      `local chain started (${config.chain.blockTimeMs ? `${config.chain.blockTimeMs} ms blocks` : 'instant blocks'}; state in ${chainState})`,
    );
  }
  if (config.chain.txtcAddress) return;
  const provider = createProvider(config.chain.rpcUrl);
  try {
    const deployer = new ChainWriter(config.chain.signerPrivateKey, provider);
    const { deployment, fresh, file } = await ensureDeployment(deployer, config.dataDir, {
      hasRecords: () => databaseHasWallets(config),
      chainState,
    });
    // Several signers: each writes batches, so each needs the roles (and, locally, gas).
    const more = config.chain.signerPrivateKeys.map((key) => new Wallet(key).address);
    if (more.length > 0) {
      await grantSignerRoles(deployer, deployment.txtc, more);
      say(`${more.length + 1} signers write batches (each granted the minter and relayer roles)`);
    }
    say(
      fresh
        ? `TXTC deployed at ${deployment.txtc} (rate pair ${deployment.ratePair}); recorded in ${file}`
        : `TXTC at ${deployment.txtc}`,
    );
    // A chain state from before batched writes holds a TXTC without writeBatch: every batch would revert.
    const writeBatch = new TxtcToken(deployment.txtc, provider).iface.getFunction('writeBatch')!.selector;
    if (config.chain.batching && !(await provider.getCode(deployment.txtc)).includes(writeBatch.slice(2))) {
      throw new Error(
        `the TXTC at ${deployment.txtc} predates batched chain writes (no writeBatch): set CHAIN_BATCHING=false, ` +
          'or start afresh with an empty database and DATA_DIR',
      );
    }
  } finally {
    provider.destroy();
  }
}

/**
 * Starts the worker or the API and restarts it when it dies (a crash, a kill), with a growing pause when
 * it keeps dying at once, saying so each time; only Ctrl-C stops it for good.
 */
function supervise(name: string, entry: string, restarts = 0): void {
  const service = startService(name, TSX, [join(ROOT, entry)], {});
  const startedAt = Date.now();
  services.push(service);
  service.child.once('exit', (code, signal) => {
    services.splice(services.indexOf(service), 1);
    if (stopping) return;
    // A child that ran a while starts again at once; one that keeps failing waits up to 30 s between tries.
    const again = Date.now() - startedAt > 60_000 ? 0 : restarts + 1;
    const delay = Math.min(30_000, again === 0 ? 0 : 1000 * 2 ** Math.min(again - 1, 5));
    say(`${name} exited (${signal ?? `code ${code}`}); restarting${delay ? ` in ${delay / 1000} s` : ''}`);
    setTimeout(() => {
      if (!stopping) supervise(name, entry, again);
    }, delay);
  });
}

/** Whether the database already holds custodial wallets (and so, possibly, TXTC on a chain). */
async function databaseHasWallets(config: Config): Promise<boolean> {
  const pool = createPool(config.databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM wallets) AS any');
    return rows[0]!.any;
  } finally {
    await pool.end();
  }
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping');
    for (const service of [...services].reverse()) await stopService(service);
    await sdkServer?.teardown();
  }
  process.exit(code);
}

async function main(): Promise<void> {
  // `npm start` is the local demo: everything else defaults to production (the worker and API inherit this).
  process.env.APP_ENV ||= 'local';
  const config = loadConfigOrExit();
  mkdirSync(config.dataDir, { recursive: true });
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  ensureCompiled(); // the worker and the API load compiled artifacts; nothing at run time compiles
  await postgres(config);
  // No /api route is silently open: local mode gets a development key; production gets none.
  const devKey =
    config.appEnv === 'local' && config.apiKeys.required ? await renewDevApiKey(config.databaseUrl) : undefined;
  if (devKey?.revoked.length) say(`previous development API key revoked (${devKey.revoked.join(', ')})`);
  await temporal(config);
  await chain(config);

  for (const [name, entry] of [
    ['worker', 'workers/main.ts'],
    ['api', 'api/main.ts'],
  ] as const) {
    supervise(name, entry);
  }
  const api = `http://127.0.0.1:${config.port}`;
  await waitFor('API', async () => (await fetch(`${api}/health`)).status === 200, 90000);
  // Hourly reconciliation of the hour before (ledger, records, chain); a failure here stops nothing.
  await ensureReconciliationScheduleFor(config).then(
    (outcome) => say(`reconciliation schedule ${outcome} (hourly; npm run reconcile -- --since 2h for now)`),
    (e: unknown) => say(`reconciliation schedule not set: ${e instanceof Error ? e.message : String(e)}`),
  );
  say('txtc-bridge is up');
  say(`  API          ${api}  (health: ${api}/health)`);
  if (config.temporal.startLocal) say(`  Temporal UI  http://127.0.0.1:${config.temporal.uiPort}`);
  say(
    `  Temporal     ${config.temporal.address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`,
  );
  say(`  Chain RPC    ${config.chain.rpcUrl}`);
  if (devKey) {
    say(`  API key      ${devKey.key}`);
    say(`               (${devKey.id}, "${DEV_API_KEY_NAME}", every scope; a new one each start, shown only here)`);
    say('In another shell:');
    say(`  export TXTC_DEV_KEY=${devKey.key}`);
    say(`  curl -H "Authorization: Bearer $TXTC_DEV_KEY" ${api}/api/balance/+254712345678`);
  } else if (!config.apiKeys.required) {
    say('  API keys     off (API_KEYS_REQUIRED=false): every /api route is open');
  }
  say('Ctrl-C stops everything');
}

main().catch(async (e: unknown) => {
  process.stderr.write(`[start] failed: ${e instanceof Error ? e.message : String(e)}\n`);
  await shutdown(1);
});
