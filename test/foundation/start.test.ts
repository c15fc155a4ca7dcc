/** The README's first command, end to end: `npm start` on free ports brings everything up and Ctrl-C stops it. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dropDatabase } from '../../lib/db/pool';
import { freePort, waitFor } from '../../scripts/local/processes';
import { readStack } from '../support/stack-file';
import { findTemporalCli } from '../../scripts/local/temporal-cli';

const ROOT = resolve(__dirname, '..', '..');
const databaseUrl = `${readStack().databaseUrl}_start`;
afterAll(async () => {
  await dropDatabase(databaseUrl);
});

test('npm start brings up Temporal with its UI, the schema, the chain with TXTC, the worker and the API with a development key; SIGINT stops every child', async () => {
  const [apiPort, temporalPort, uiPort, chainPort, workerMetricsPort, temporalMetricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'txtc-start-'));
  const child = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      PORT: String(apiPort),
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_UI_PORT: String(uiPort),
      CHAIN_RPC_URL: `http://127.0.0.1:${chainPort}`,
      WORKER_METRICS_PORT: String(workerMetricsPort),
      TEMPORAL_WORKER_METRICS_PORT: String(temporalMetricsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  try {
    await waitFor('npm start', () => Promise.resolve(output.includes('txtc-bridge is up')), 120000, child);
    expect(output).toContain(`API          http://127.0.0.1:${apiPort}`);
    expect(output).toContain(`Temporal UI  http://127.0.0.1:${uiPort}`);
    expect(output).toContain(`Chain RPC    http://127.0.0.1:${chainPort}`);

    const health = await fetch(`http://127.0.0.1:${apiPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // No /api route is open without a key; the development key printed once at start opens them.
    await waitFor('the last line', () => Promise.resolve(output.includes('Ctrl-C stops everything')), 10000, child);
    const devKey = /export TXTC_DEV_KEY=(txtc_[A-Za-z0-9_-]{43})\n/.exec(output)?.[1];
    expect(devKey).toBeDefined();
    const rates = `http://127.0.0.1:${apiPort}/api/airtime/rates`;
    expect((await fetch(rates)).status).toBe(401);
    expect((await fetch(rates, { headers: { authorization: `Bearer ${devKey!}` } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
    const list = spawnSync(findTemporalCli()!, ['workflow', 'list', '--address', `127.0.0.1:${temporalPort}`], {
      encoding: 'utf8',
    });
    expect(list.status).toBe(0);
    // The worker's metrics and the Temporal SDK's worker metrics, each on its own port.
    const scrape = (port: number) =>
      fetch(`http://127.0.0.1:${port}/metrics`).then(
        async (r) => (r.status === 200 ? r.text() : ''),
        () => '',
      );
    await waitFor(
      'worker metrics',
      async () => (await scrape(workerMetricsPort)).includes('txtc_operator_calls_total'),
      30000,
      child,
    );
    await waitFor(
      'Temporal SDK metrics',
      async () => (await scrape(temporalMetricsPort)).includes('temporal_'),
      30000,
      child,
    );
  } finally {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }
  // Nothing it started still listens.
  for (const port of [apiPort, temporalPort, chainPort, workerMetricsPort, temporalMetricsPort]) {
    const stillUp = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    expect(stillUp).toBe(false);
  }
});
