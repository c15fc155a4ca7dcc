/**
 * Alerts that reach a person (issue 26, the delivery half): Alertmanager's webhook with an ops key SMSes the
 * on-call numbers once per change of an alert's state, however often it is repeated, capped per number and
 * hour; a key without the ops scope, or none, SMSes nobody. Where Debian's prometheus-alertmanager is
 * installed, the real Alertmanager, started on loopback with the product's routing, delivers an alert to the
 * API listening on a port, and the on-call number gets one SMS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { createApp } from '../../api/app';
import { openStack, testLog, type TestStackHandle } from '../support/stack';
import { freePort, waitFor } from '../../scripts/local/processes';
import { newSafaricomNumber, smsTo } from '../support/money';

const ONCALL = [newSafaricomNumber(), newSafaricomNumber()];
let stack: TestStackHandle;
let ops: string;
let reader: string;

beforeAll(async () => {
  stack = await openStack({ API_KEYS_REQUIRED: 'true', ONCALL_NUMBERS: ONCALL.join(','), ONCALL_SMS_PER_HOUR: '3' });
  const keys = createApiKeyRepo(stack.runtime.pool);
  ops = (await keys.create({ name: 'alertmanager', tenant: 'operator', scopes: ['ops'] })).key;
  reader = (await keys.create({ name: 'partner', scopes: ['read'] })).key;
});
afterAll(async () => {
  await stack.close();
});

const app = () => createApp({ ...stack.runtime, temporal: stack.client, log: testLog });

/** Alertmanager's webhook body for one alert. */
function webhook(status: 'firing' | 'resolved', alertname: string, fingerprint: string) {
  return {
    version: '4',
    status,
    receiver: 'txtc-oncall',
    alerts: [
      {
        status,
        labels: { alertname, severity: 'critical', job: 'txtc-worker' },
        annotations: { summary: 'Chain writer batches keep getting stuck: 5 replaced in 15 minutes' },
        startsAt: '2026-12-06T03:00:00Z',
        fingerprint,
      },
    ],
  };
}

const post = (key: string | undefined, body: unknown) =>
  app().request('/api/ops/alerts', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });

test('each change of state is SMSed once to every on-call number; repeats are not; the console lists what fires', async () => {
  const fingerprint = `fp-${Date.now()}`;
  const firing = webhook('firing', 'TxtcChainBatchesStuck', fingerprint);
  expect(await (await post(ops, firing)).json()).toEqual({ received: 1, notified: 2 });
  // Alertmanager repeats it (repeat_interval, a restart, a second replica): nobody is told twice.
  expect(await (await post(ops, firing)).json()).toEqual({ received: 1, notified: 0 });
  const list = (await (
    await app().request('/api/ops/alerts', { headers: { authorization: `Bearer ${ops}` } })
  ).json()) as {
    firing: { fingerprint: string; alertname: string }[];
  };
  expect(list.firing).toContainEqual(expect.objectContaining({ fingerprint, alertname: 'TxtcChainBatchesStuck' }));
  expect(await (await post(ops, webhook('resolved', 'TxtcChainBatchesStuck', fingerprint))).json()).toEqual({
    received: 1,
    notified: 2,
  });
  for (const phone of ONCALL) {
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([
      '[TXTC critical] FIRING TxtcChainBatchesStuck: Chain writer batches keep getting stuck: 5 replaced in 15 minutes',
      '[TXTC critical] resolved TxtcChainBatchesStuck: Chain writer batches keep getting stuck: 5 replaced in 15 minutes',
    ]);
  }
  const after = (await (
    await app().request('/api/ops/alerts', { headers: { authorization: `Bearer ${ops}` } })
  ).json()) as {
    firing: { fingerprint: string }[];
  };
  expect(after.firing.map((a) => a.fingerprint)).not.toContain(fingerprint);
});

test('without a key, or with one lacking the ops scope, nothing is kept or sent; a number gets at most the hourly cap', async () => {
  const before = await Promise.all(ONCALL.map((p) => smsTo(stack.runtime.pool, p)));
  expect((await post(undefined, webhook('firing', 'TxtcForged', 'fp-forged'))).status).toBe(401);
  expect((await post(reader, webhook('firing', 'TxtcForged', 'fp-forged'))).status).toBe(403);
  expect(await Promise.all(ONCALL.map((p) => smsTo(stack.runtime.pool, p)))).toEqual(before);
  // The cap is 3 an hour: the first test sent 2, so of three new alerts only one gets through to each number.
  for (const n of [1, 2, 3]) await post(ops, webhook('firing', `TxtcCap${n}`, `fp-cap-${Date.now()}-${n}`));
  for (const phone of ONCALL) expect(await smsTo(stack.runtime.pool, phone)).toHaveLength(3);
});

// Debian's prometheus-alertmanager is part of the test setup (.ci/run installs it): missing, the test fails.
test('the real Alertmanager with the product’s routing delivers a fired alert: the on-call number gets one SMS', async () => {
  expect(spawnSync('prometheus-alertmanager', ['--version']).status).toBe(0);
  const oncall = newSafaricomNumber();
  const config = { ...stack.config, oncall: { numbers: [oncall], smsPerHour: 6 } };
  const api = serve({
    fetch: createApp({ ...stack.runtime, config, temporal: stack.client, log: testLog }).fetch,
    port: 0,
  });
  const apiPort = await new Promise<number>((resolve) =>
    api.once('listening', () => resolve((api.address() as { port: number }).port)),
  );
  const dir = mkdtempSync(join(tmpdir(), 'txtc-am-'));
  const amPort = await freePort();
  writeFileSync(join(dir, 'ops-api-key'), ops);
  // The product's file, with the API's address and a short group wait (the routing is what is tested).
  const routing = spawnSync('sed', [
    '-e',
    `s|http://api:8082|http://127.0.0.1:${apiPort}|`,
    '-e',
    `s|/etc/alertmanager/ops-api-key|${join(dir, 'ops-api-key')}|`,
    '-e',
    's|group_wait: 10s|group_wait: 1s|',
    join(__dirname, '../../ops/alertmanager/alertmanager.yml'),
  ]).stdout;
  writeFileSync(join(dir, 'alertmanager.yml'), routing);
  let am: ChildProcess | undefined;
  try {
    am = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    const base = `http://127.0.0.1:${amPort}`;
    await waitFor('Alertmanager', async () => (await fetch(`${base}/-/ready`)).ok, 15_000, am);
    const alert = {
      labels: { alertname: 'TxtcChainBatchesStuck', severity: 'critical', job: 'txtc-worker' },
      annotations: { summary: 'Chain writer batches keep getting stuck' },
      startsAt: new Date().toISOString(),
    };
    // Prometheus re-sends a firing alert every evaluation; Alertmanager groups them, the API tells once.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([alert]),
      });
      expect(res.status).toBe(200);
    }
    await waitFor('the on-call SMS', async () => (await smsTo(stack.runtime.pool, oncall)).length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 3000)); // room for a duplicate, were there one
    expect(await smsTo(stack.runtime.pool, oncall)).toEqual([
      '[TXTC critical] FIRING TxtcChainBatchesStuck: Chain writer batches keep getting stuck',
    ]);
  } finally {
    // Alertmanager writes its state as it stops: the directory goes once it has exited.
    if (am && am.exitCode === null) {
      const exited = new Promise((resolve) => am!.once('exit', resolve));
      am.kill('SIGTERM');
      await exited;
    }
    api.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
});
