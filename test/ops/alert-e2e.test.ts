/**
 * Alerts that reach a person, end to end (issue 26): Debian's Prometheus and Alertmanager, started on loopback
 * against the test stack, take a stuck chain to the on-call number's SMS inbox. Prometheus scrapes the API's
 * /metrics every second and evaluates the product's own rules file (ops/prometheus/alerts.yml, unchanged);
 * Alertmanager runs the product's routing (ops/alertmanager/alertmanager.yml) with the receiver's address, its
 * key file and short waits substituted. The chain stops mining, a buy's mint batch sits in the node's pool and
 * the chain writer replaces it every second until TxtcChainBatchesStuck fires. Prometheus re-sends the firing
 * alert every evaluation, Alertmanager re-notifies every few seconds, and the on-call number gets one SMS.
 * Needs Debian's packages (apt-get install prometheus prometheus-alertmanager; .ci/run installs them): it fails without.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { parse } from 'yaml';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { freePort, waitFor } from '../../scripts/local/processes';
import { settled, withApi } from '../support/api';
import { newSafaricomNumber, smsTo, topUp } from '../support/money';
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';

const OPS = resolve(__dirname, '..', '..', 'ops');
const RULES = join(OPS, 'prometheus', 'alerts.yml');
const ALERT = 'TxtcChainBatchesStuck';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

/** A child process of Debian's, its output kept for the failure message. */
function start(command: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => (out = (out + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, output: () => out };
}

/** SIGTERM, then the exit (both write their state as they stop); SIGKILL if it will not go. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The sum of a metric's series (Prometheus text format) whose labels include `labels`. */
async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

type PromAlert = { labels: Record<string, string>; state: string };
async function promAlerts(base: string): Promise<PromAlert[]> {
  const body = (await (await fetch(`${base}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Debian's prometheus and prometheus-alertmanager are part of the test setup (.ci/run installs them): missing,
// the test fails rather than skips.
const installed = ['prometheus', 'prometheus-alertmanager'].every(
  (bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0,
);

test('a stuck chain fires TxtcChainBatchesStuck through the real Prometheus and Alertmanager: the on-call number gets one SMS, not one per evaluation', async () => {
  expect({ installed }).toEqual({ installed: true });
  // The product's rule, read from the file Prometheus evaluates: it fires on its first true evaluation (no
  // `for:`), so the real file is used as it is. Were a `for:` added, this test would wait that long first.
  const rule = (
    parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert?: string; for?: string; expr: string }[] }[] }
  ).groups
    .flatMap((g) => g.rules)
    .find((r) => r.alert === ALERT);
  expect(rule?.expr).toContain('txtc_chain_batches_total{outcome="replaced"}');
  expect(rule?.for ?? '0s').toMatch(/^0[smh]?$/);

  const oncall = newSafaricomNumber();
  const payer = newSafaricomNumber();
  await topUp(stack.runtime.pool, payer, 'safaricom-ke', 500000n);
  const keys = createApiKeyRepo(stack.runtime.pool);
  const opsKey = await keys.create({ name: 'alertmanager-e2e', tenant: 'operator', scopes: ['ops'] });
  const partner = await keys.create({ name: 'partner-e2e', scopes: ['airtime:write', 'read', 'trusted'] });
  // The operator's own channel (a trusted key: the payer is not asked to approve by SMS).
  const auth = { authorization: `Bearer ${partner.key}` };
  // The alert rows of this name other files left: only the one this test adds is deleted afterwards.
  const earlier = (
    await stack.runtime.pool.query<{ fingerprint: string }>('SELECT fingerprint FROM ops_alerts WHERE alertname = $1', [
      ALERT,
    ])
  ).rows.map((r) => r.fingerprint);
  const dir = mkdtempSync(join(tmpdir(), 'txtc-alert-e2e-'));
  const chain = stack.runtime.provider;
  let prometheus: ReturnType<typeof start> | undefined;
  let alertmanager: ReturnType<typeof start> | undefined;

  try {
    await withApi(
      stack,
      async (app) => {
        // The API on a port of its own: Prometheus scrapes its /metrics (this process's chain writer counts
        // its replacements there), Alertmanager posts to its receiver.
        const api = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
        const apiPort = await new Promise<number>((r) =>
          api.once('listening', () => r((api.address() as { port: number }).port)),
        );
        try {
          const [promPort, amPort] = [await freePort(), await freePort()];
          const promBase = `http://127.0.0.1:${promPort}`;
          const amBase = `http://127.0.0.1:${amPort}`;

          // Alertmanager: the product's routing, with the API's address, the ops key's file and short waits
          // (the warning route's 2 m group wait, the 5 m group interval and 12 h repeat become seconds, so
          // it re-notifies the receiver several times while the test watches).
          writeFileSync(join(dir, 'ops-api-key'), opsKey.key);
          const production = readFileSync(join(OPS, 'alertmanager', 'alertmanager.yml'), 'utf8');
          const routing = production
            .replace('http://api:8082', `http://127.0.0.1:${apiPort}`)
            .replace('/etc/alertmanager/ops-api-key', join(dir, 'ops-api-key'))
            .replace(/group_wait: \S+/g, 'group_wait: 1s')
            .replace(/group_interval: \S+/g, 'group_interval: 2s')
            .replace(/repeat_interval: \S+/g, 'repeat_interval: 2s');
          expect(routing).toContain(`http://127.0.0.1:${apiPort}/api/ops/alerts`);
          expect(routing).toContain(join(dir, 'ops-api-key'));
          expect(routing).not.toMatch(/group_wait: (?!1s)|group_interval: (?!2s)|repeat_interval: (?!2s)/);
          writeFileSync(join(dir, 'alertmanager.yml'), routing);
          alertmanager = start('prometheus-alertmanager', [
            `--config.file=${join(dir, 'alertmanager.yml')}`,
            `--storage.path=${join(dir, 'am')}`,
            `--web.listen-address=127.0.0.1:${amPort}`,
            '--cluster.listen-address=',
          ]);

          // Prometheus: the API scraped every second as compose's txtc-api job, the real rules evaluated every
          // second, and a firing alert re-sent to Alertmanager on every evaluation (resend delay 1 s, not 1 m).
          writeFileSync(
            join(dir, 'prometheus.yml'),
            [
              'global: { scrape_interval: 1s, evaluation_interval: 1s }',
              `rule_files: ['${RULES}']`,
              `alerting: { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:${amPort}'] }] }] }`,
              `scrape_configs: [{ job_name: txtc-api, static_configs: [{ targets: ['127.0.0.1:${apiPort}'] }] }]`,
              '',
            ].join('\n'),
          );
          prometheus = start('prometheus', [
            `--config.file=${join(dir, 'prometheus.yml')}`,
            `--storage.tsdb.path=${join(dir, 'tsdb')}`,
            `--web.listen-address=127.0.0.1:${promPort}`,
            '--rules.alert.resend-delay=1s',
          ]);
          const ready = (what: string, base: string, p: ReturnType<typeof start>) =>
            waitFor(what, async () => (await fetch(`${base}/-/ready`)).ok, 30_000, p.child).catch((e: unknown) => {
              throw new Error(`${String(e)}\n${p.output()}`);
            });
          await ready('Alertmanager', amBase, alertmanager);
          await ready('Prometheus', promBase, prometheus);
          await waitFor(
            'Prometheus scraping the API',
            async () => {
              const up = (await (
                await fetch(`${promBase}/api/v1/query?query=${encodeURIComponent('up{job="txtc-api"}')}`)
              ).json()) as { data: { result: { value: [number, string] }[] } };
              return up.data.result[0]?.value[1] === '1';
            },
            30_000,
            prometheus.child,
          );
          const rules = (await (await fetch(`${promBase}/api/v1/rules`)).json()) as {
            data: { groups: { rules: { name: string; health: string }[] }[] };
          };
          expect(rules.data.groups.flatMap((g) => g.rules).find((r) => r.name === ALERT)).toMatchObject({
            health: expect.stringMatching(/ok|unknown/),
          });
          // Nothing fires yet, and nobody has been told anything.
          expect((await promAlerts(promBase)).filter((a) => a.labels.alertname === ALERT)).toEqual([]);
          expect(await smsTo(stack.runtime.pool, oncall)).toEqual([]);

          // The chain stops mining; a buy's mint batch waits in the node's pool, replaced every second.
          await chain.send('evm_setIntervalMining', [0]);
          await chain.send('evm_setAutomine', [false]);
          let id: string;
          try {
            const res = await app.request('/api/airtime/buy', {
              method: 'POST',
              headers: { ...auth, 'content-type': 'application/json', 'Idempotency-Key': uniqueId('alert-e2e') },
              body: JSON.stringify({ phoneNumber: payer, airtimeAmount: 10, currency: 'USD' }),
            });
            expect(res.status).toBe(202);
            ({ id } = (await res.json()) as { id: string });
            // Its mint waits unmined: the chain writer replaces the batch (counted on the API's /metrics).
            await waitFor(
              'the stuck batch replaced',
              async () =>
                (await metric(`http://127.0.0.1:${apiPort}/metrics`, 'txtc_chain_batches_total', {
                  outcome: 'replaced',
                })) > 0,
              30_000,
            ).catch(async (e: unknown) => {
              const view = await app.request(`/api/transfers/${encodeURIComponent(id)}`, { headers: auth });
              throw new Error(`${String(e)}: the buy is ${await view.text()}`);
            });

            await waitFor(
              `${ALERT} firing in Prometheus`,
              async () =>
                (await promAlerts(promBase)).some((a) => a.labels.alertname === ALERT && a.state === 'firing'),
              90_000,
              prometheus.child,
            );
            const firedAt = Date.now();
            await waitFor('the on-call SMS', async () => (await smsTo(stack.runtime.pool, oncall)).length > 0, 30_000);
            const smsAfter = Date.now() - firedAt;
            // The alert keeps firing while the chain stays stopped: Prometheus sends it on every evaluation and
            // Alertmanager re-notifies the receiver at its (shortened) repeat interval. Wait for three of
            // its notifications after the first, and a few seconds more.
            const sentBefore = await metric(`${promBase}/metrics`, 'prometheus_notifications_sent_total');
            const webhook = () =>
              metric(`${amBase}/metrics`, 'alertmanager_notifications_total', { integration: 'webhook' });
            const notifiedBefore = await webhook();
            await waitFor(
              'three more Alertmanager notifications',
              async () => (await webhook()) >= notifiedBefore + 3,
              60_000,
            );
            await sleep(3000);

            expect(await metric(`${promBase}/metrics`, 'prometheus_notifications_sent_total')).toBeGreaterThan(
              sentBefore + 5,
            );
            expect(notifiedBefore).toBeGreaterThanOrEqual(1);
            expect(
              await metric(`${amBase}/metrics`, 'alertmanager_notifications_failed_total', {
                integration: 'webhook',
              }),
            ).toBe(0);
            expect((await promAlerts(promBase)).filter((a) => a.labels.alertname === ALERT)).toEqual([
              expect.objectContaining({ state: 'firing' }),
            ]);
            const inbox = await smsTo(stack.runtime.pool, oncall);
            expect(inbox).toHaveLength(1);
            expect(inbox[0]).toMatch(
              /^\[TXTC warning\] FIRING TxtcChainBatchesStuck: Chain writer batches keep getting stuck: [\d.]+ replaced in 15 minutes$/,
            );
            console.log(
              `alert e2e: SMS ${smsAfter} ms after firing; Alertmanager notified the receiver ${await webhook()} times; ${inbox.length} SMS`,
            );
          } finally {
            // Mining resumes: the last replacement lands.
            await chain.send('evm_mine', []);
            await chain.send('evm_setAutomine', [true]);
          }
          expect(await settled(app, id, { headers: auth })).toMatchObject({ status: 'completed' });
        } finally {
          await stop(prometheus?.child);
          await stop(alertmanager?.child);
          await new Promise((r) => api.close(r));
        }
      },
      {
        config: (c) => ({
          ...c,
          apiKeys: { required: true },
          oncall: { numbers: [oncall], smsPerHour: 6 },
          chain: { ...c.chain, batch: { ...c.chain.batch, stuckAfterMs: 1000, delayMs: 50 } },
        }),
      },
    );
  } finally {
    await stop(prometheus?.child);
    await stop(alertmanager?.child);
    // Other files share these tables: the alert's state (its fingerprint is the same every run), the
    // on-call SMS count and the keys go.
    await stack.runtime.pool.query(
      'DELETE FROM ops_alerts WHERE alertname = $1 AND NOT (fingerprint = ANY($2::text[]))',
      [ALERT, earlier],
    );
    await stack.runtime.pool.query('DELETE FROM oncall_sms WHERE phone_number = $1', [oncall]);
    await keys.revoke(opsKey.record.id);
    await keys.revoke(partner.record.id);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}, 240_000);
