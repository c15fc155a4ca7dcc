/**
 * Webhook credentials (issue 12): each gateway webhook answers only a caller with its gateway's secret (and,
 * with an allowlist, from an allowed address). A forged or missing secret is a 401 that starts nothing,
 * writes nothing and is logged without any secret.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { smsWorkflowId, ussdWorkflowId } from '../../lib/definitions';
import type { Config } from '../../lib/config';
import { openStack, testLog, withWorker, type TestStackHandle } from '../support/stack';
import { newSafaricomNumber, smsTo } from '../support/money';
import { gatewayHeaders } from '../support/webhooks';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

type App = ReturnType<typeof createApp>;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const FORGED = 'forged-secret-0123456789';

/** A logger whose lines the test reads. */
function capturedLog() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

/** The app with a worker on a task queue of its own; `patch` changes the configuration. */
function withApp<T>(
  fn: (app: App) => Promise<T>,
  patch: (config: Config) => Config = (c) => c,
  log = testLog,
): Promise<T> {
  return withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) =>
    fn(
      createApp({
        ...stack.runtime,
        config: patch({ ...stack.config, temporal: { ...stack.config.temporal, taskQueue } }),
        temporal: stack.client,
        log,
      }),
    ),
  );
}

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await stack.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

const hop = (sessionId: string, phoneNumber: string) =>
  new URLSearchParams({ sessionId, serviceCode: '*123*456#', phoneNumber, networkCode: '63902', text: '' });
const sms = (from: string, id: string, text = 'HELP') =>
  new URLSearchParams({ from, to: '12345', text, date: '2026-11-24 10:00:00', id, networkCode: '63902' });

async function smsRows(messageId: string): Promise<number> {
  const { rows } = await stack.runtime.pool.query('SELECT 1 FROM sms_messages WHERE gateway_message_id = $1', [
    messageId,
  ]);
  return rows.length;
}

test('a USSD hop with no or a forged secret is a 401, starts no session and is logged without the secret', async () => {
  const { log, lines } = capturedLog();
  await withApp(
    async (app) => {
      const phone = newSafaricomNumber();
      for (const headers of [FORM, { ...FORM, 'x-webhook-secret': FORGED }, { ...FORM, 'x-webhook-secret': '' }]) {
        for (const path of ['/ussd', '/ussd/session']) {
          const sessionId = `ATUid_${randomUUID()}`;
          const res = await app.request(path, { method: 'POST', headers, body: hop(sessionId, phone) });
          expect(res.status).toBe(401);
          expect(await res.json()).toMatchObject({ error: { code: 'Unauthorized' } });
          expect(await workflowExists(ussdWorkflowId(sessionId))).toBe(false);
        }
      }
      // The right secret: the same hop opens the menu.
      const sessionId = `ATUid_${randomUUID()}`;
      const ok = await app.request('/ussd', {
        method: 'POST',
        headers: gatewayHeaders(stack.config, 'ussd'),
        body: hop(sessionId, phone),
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^CON /);

      // A forged end-of-session notice does not end it; the right one does.
      const forgedEnd = await app.request('/ussd/end', {
        method: 'POST',
        headers: { ...FORM, 'x-webhook-secret': FORGED },
        body: new URLSearchParams({ sessionId, status: 'Success' }),
      });
      expect(forgedEnd.status).toBe(401);
      const handle = stack.client.workflow.getHandle(ussdWorkflowId(sessionId));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const end = await app.request('/ussd/end', {
        method: 'POST',
        headers: gatewayHeaders(stack.config, 'ussd'),
        body: new URLSearchParams({ sessionId, status: 'Success' }),
      });
      expect(end.status).toBe(200);
      expect(await handle.result()).toMatchObject({ phase: 'ended', endReason: 'gateway-end' });
      // The SMS gateway's secret is not the USSD gateway's.
      const crossed = await app.request('/ussd', {
        method: 'POST',
        headers: { ...FORM, 'x-webhook-secret': stack.config.webhooks.smsSecret },
        body: hop(`ATUid_${randomUUID()}`, phone),
      });
      expect(crossed.status).toBe(401);
    },
    (c) => c,
    log,
  );
  const refused = lines.filter((l) => l.includes('webhook refused'));
  expect(refused.length).toBeGreaterThanOrEqual(7);
  expect(refused.join('')).toMatch(/"reason":"wrong secret"/);
  expect(refused.join('')).toMatch(/"reason":"no secret"/);
  for (const secret of [FORGED, stack.config.webhooks.ussdSecret, stack.config.webhooks.smsSecret])
    expect(lines.join('')).not.toContain(secret);
});

test('the secret may come as the password of HTTP Basic auth (a gateway that only takes a URL)', async () => {
  await withApp(async (app) => {
    const basic = (secret: string) => `Basic ${Buffer.from(`gateway:${secret}`).toString('base64')}`;
    const sessionId = `ATUid_${randomUUID()}`;
    const forged = await app.request('/ussd', {
      method: 'POST',
      headers: { ...FORM, authorization: basic(FORGED) },
      body: hop(sessionId, newSafaricomNumber()),
    });
    expect(forged.status).toBe(401);
    expect(await workflowExists(ussdWorkflowId(sessionId))).toBe(false);
    const ok = await app.request('/ussd', {
      method: 'POST',
      headers: { ...FORM, authorization: basic(stack.config.webhooks.ussdSecret) },
      body: hop(sessionId, newSafaricomNumber()),
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^CON /);
  });
});

test('an inbound SMS with no or a forged secret is a 401: no workflow, no record, no reply', async () => {
  await withApp(async (app) => {
    const phone = newSafaricomNumber();
    for (const headers of [FORM, { ...FORM, 'x-webhook-secret': FORGED }, gatewayHeaders(stack.config, 'ussd')]) {
      const id = `ATXid_${randomUUID()}`;
      const res = await app.request('/sms/inbound', { method: 'POST', headers, body: sms(phone, id) });
      expect(res.status).toBe(401);
      expect(await workflowExists(smsWorkflowId(id))).toBe(false);
      expect(await smsRows(id)).toBe(0);
    }
    expect(await smsTo(stack.runtime.pool, phone)).toEqual([]);
    const id = `ATXid_${randomUUID()}`;
    const ok = await app.request('/sms/inbound', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: sms(phone, id),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'accepted' });
    await stack.client.workflow.getHandle(smsWorkflowId(id)).result();
    expect(await smsTo(stack.runtime.pool, phone)).toHaveLength(1);
  });
});

test('a forged delivery report is a 401 and moves no status; the gateway’s own moves it', async () => {
  await withApp(async (app) => {
    const phone = newSafaricomNumber();
    const id = `ATXid_${randomUUID()}`;
    await app.request('/sms/inbound', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: sms(phone, id),
    });
    await stack.client.workflow.getHandle(smsWorkflowId(id)).result();
    const statusOf = async () =>
      (
        await stack.runtime.pool.query<{ gateway_message_id: string; status: string }>(
          `SELECT gateway_message_id, status FROM sms_messages WHERE direction = 'out' AND phone_number = $1`,
          [phone],
        )
      ).rows[0]!;
    const sent = await statusOf();
    const report = new URLSearchParams({
      id: sent.gateway_message_id,
      status: 'Failed',
      failureReason: 'UserInBlacklist',
    });
    for (const headers of [FORM, { ...FORM, 'x-webhook-secret': FORGED }]) {
      const res = await app.request('/sms/delivery', { method: 'POST', headers, body: report });
      expect(res.status).toBe(401);
      expect((await statusOf()).status).toBe(sent.status);
    }
    const ok = await app.request('/sms/delivery', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: report,
    });
    expect(await ok.json()).toMatchObject({ status: 'updated' });
    expect((await statusOf()).status).toBe('Failed');
  });
});

/** The connection a request arrives on: the load balancer at 10.0.0.5, one of TRUSTED_PROXIES. */
const VIA_PROXY = { incoming: { socket: { remoteAddress: '10.0.0.5', remotePort: 443, remoteFamily: 'IPv4' } } };

test('with WEBHOOK_IP_ALLOWLIST a caller outside it is refused even with the right secret', async () => {
  const { log, lines } = capturedLog();
  await withApp(
    async (app) => {
      const end = (forwardedFor?: string, peer = VIA_PROXY) =>
        app.request(
          '/ussd/end',
          {
            method: 'POST',
            headers: {
              ...gatewayHeaders(stack.config, 'ussd'),
              ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
            },
            body: new URLSearchParams({ sessionId: `ATUid_${randomUUID()}`, status: 'Success' }),
          },
          peer,
        );
      // One trusted proxy: the client is the last X-Forwarded-For entry, whatever the client wrote before it.
      expect((await end('198.51.100.7')).status).toBe(401);
      expect((await end('203.0.113.9, 198.51.100.7')).status).toBe(401);
      expect((await end()).status).toBe(401);
      expect((await end('198.51.100.7, 203.0.113.9')).status).toBe(200);
      expect((await end('2001:db8::42')).status).toBe(200);
      // Two trusted proxies in a row: each vouches for the address to its left.
      expect((await end('203.0.113.9, 10.0.0.6')).status).toBe(200);
      // From a peer that is not a proxy, X-Forwarded-For is the caller's own words: a spoof changes nothing.
      const stranger = { incoming: { socket: { remoteAddress: '198.51.100.8', remotePort: 1, remoteFamily: 'IPv4' } } };
      expect((await end('203.0.113.9', stranger)).status).toBe(401);
      // And an allowed peer that is not a proxy is itself the client, whatever it forwards.
      const gateway = { incoming: { socket: { remoteAddress: '203.0.113.20', remotePort: 1, remoteFamily: 'IPv4' } } };
      expect((await end('198.51.100.7', gateway)).status).toBe(200);
    },
    (c) => ({
      ...c,
      webhooks: { ...c.webhooks, ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] },
      http: { ...c.http, trustedProxies: ['10.0.0.0/8'] },
    }),
    log,
  );
  expect(lines.join('')).toMatch(/"ip":"198\.51\.100\.7".*"reason":"address not in WEBHOOK_IP_ALLOWLIST"/);
});
