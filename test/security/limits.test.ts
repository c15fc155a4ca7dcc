/**
 * Abuse limits (issue 12): bodies past MAX_BODY_BYTES refused before parsing; rate limits per client
 * address (429 with Retry-After, then recovering) and per phone number (a polite END screen; at most one
 * polite SMS per window) and per paying number on the REST money routes (429, apart from USSD), counted in
 * Postgres so two app instances share them.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { conversionWorkflowId, smsWorkflowId, transferWorkflowId, ussdWorkflowId } from '../../lib/definitions';
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

/** `count` apps on one database and one worker's task queue, with the limits `patch` sets. */
function withApps<T>(patch: (config: Config) => Config, count: number, fn: (apps: App[]) => Promise<T>): Promise<T> {
  return withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) => {
    const config = patch({ ...stack.config, temporal: { ...stack.config.temporal, taskQueue } });
    const apps = Array.from({ length: count }, () =>
      createApp({ ...stack.runtime, config, temporal: stack.client, log: testLog }),
    );
    return fn(apps);
  });
}

const limits =
  (rateLimits: Partial<Config['rateLimits']>) =>
  (c: Config): Config => ({
    ...c,
    rateLimits: { ...c.rateLimits, ...rateLimits },
    http: { ...c.http, trustedProxies: ['10.0.0.0/8'] },
  });

/** The connection a request arrives on: the load balancer at 10.0.0.5, one of TRUSTED_PROXIES. */
const VIA_PROXY = { incoming: { socket: { remoteAddress: '10.0.0.5', remotePort: 443, remoteFamily: 'IPv4' } } };

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await stack.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

/** An address of the benchmarking range (198.18.0.0/15) no other test uses. */
const freshIp = () => `198.18.${randomInt(0, 256)}.${randomInt(1, 255)}`;

test('an oversized JSON body is a 413 in the usual error shape and starts nothing', async () => {
  await withApps(
    (c) => c,
    1,
    async ([app]) => {
      const key = `big-body-${randomUUID()}`;
      const body = JSON.stringify({
        phoneNumber: '+254712345678',
        airtimeAmount: 10,
        currency: 'USD',
        note: 'x'.repeat(stack.config.http.maxBodyBytes),
      });
      const res = await app!.request('/api/airtime/buy', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
        body,
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({
        error: { code: 'PayloadTooLarge', message: expect.stringContaining('65536') },
        requestId: expect.any(String),
      });
      expect(await workflowExists(conversionWorkflowId('api', key))).toBe(false);
      // Streamed without a Content-Length, it is cut off while read, before the parser sees a whole body.
      const chunk = new TextEncoder().encode(' '.repeat(16384));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > 8) return controller.close();
          sent += 1;
          controller.enqueue(chunk);
        },
      });
      const streamed = await app!.request('/api/airtime/buy', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': `${key}-s` },
        body: stream,
        duplex: 'half',
      });
      expect(streamed.status).toBe(413);
      expect(await workflowExists(conversionWorkflowId('api', `${key}-s`))).toBe(false);
    },
  );
});

test('an oversized form body on the SMS webhook is a 413: no workflow, no record, no reply', async () => {
  await withApps(
    (c) => c,
    1,
    async ([app]) => {
      const phone = newSafaricomNumber();
      const id = `ATXid_${randomUUID()}`;
      const res = await app!.request('/sms/inbound', {
        method: 'POST',
        headers: gatewayHeaders(stack.config, 'sms'),
        body: new URLSearchParams({ from: phone, to: '12345', text: 'HELP', id, padding: 'x'.repeat(70000) }),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: 'PayloadTooLarge' } });
      expect(await workflowExists(smsWorkflowId(id))).toBe(false);
      const { rows } = await stack.runtime.pool.query('SELECT 1 FROM sms_messages WHERE gateway_message_id = $1', [id]);
      expect(rows).toEqual([]);
      expect(await smsTo(stack.runtime.pool, phone)).toEqual([]);
    },
  );
});

test('past RATE_LIMIT_PER_IP a client gets 429 with Retry-After, others do not, and it recovers after the window', async () => {
  const perIp = 3;
  await withApps(limits({ perIp, windowSeconds: 2 }), 1, async ([app]) => {
    const ip = freshIp();
    const get = (from: string) =>
      app!.request(
        '/api/transfers/conversion:api:no-such-transfer',
        { headers: { 'x-forwarded-for': from } },
        VIA_PROXY,
      );
    // A fixed window may turn between two requests: within 2 * limit + 1 the limit trips for sure.
    let limited: Response | undefined;
    for (let i = 0; i < 2 * perIp + 1 && !limited; i++) {
      const res = await get(ip);
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(404);
    }
    expect(limited).toBeDefined();
    const retryAfter = Number(limited!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(await limited!.json()).toMatchObject({ error: { code: 'RateLimited' }, requestId: expect.any(String) });
    expect((await get(freshIp())).status).toBe(404);
    await sleep(retryAfter * 1000 + 100);
    expect((await get(ip)).status).toBe(404);
  });
});

test('two app instances on one database share the per-address limit', async () => {
  await withApps(limits({ perIp: 4, windowSeconds: 3600 }), 2, async ([a, b]) => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (const app of [a, b, a, b, a, b]) {
      const res = await app!.request(
        '/api/transfers/conversion:api:no-such-transfer',
        { headers: { 'x-forwarded-for': ip } },
        VIA_PROXY,
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 429, 429]);
  });
});

test('past RATE_LIMIT_PER_PHONE a USSD dial gets a polite END and starts no session', async () => {
  await withApps(limits({ perPhone: 2, windowSeconds: 3600 }), 2, async ([a, b]) => {
    const phone = newSafaricomNumber();
    const dial = async (app: App) => {
      const sessionId = `ATUid_${randomUUID()}`;
      const res = await app.request('/ussd', {
        method: 'POST',
        headers: gatewayHeaders(stack.config, 'ussd'),
        body: new URLSearchParams({ sessionId, serviceCode: '*123*456#', phoneNumber: phone, text: '' }),
      });
      expect(res.status).toBe(200);
      return { sessionId, screen: await res.text() };
    };
    expect((await dial(a!)).screen).toMatch(/^CON /);
    expect((await dial(b!)).screen).toMatch(/^CON /);
    const third = await dial(a!);
    expect(third.screen).toBe(
      'END Too many requests, please try again in a minute.\nMaombi mengi mno. Tafadhali jaribu tena baada ya dakika moja.',
    );
    expect(await workflowExists(ussdWorkflowId(third.sessionId))).toBe(false);
    // Another number is not held back by this one.
    const other = await a!.request('/ussd', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({
        sessionId: `ATUid_${randomUUID()}`,
        serviceCode: '*123*456#',
        phoneNumber: newSafaricomNumber(),
        text: '',
      }),
    });
    expect(await other.text()).toMatch(/^CON /);
  });
});

test('past RATE_LIMIT_PER_PHONE inbound SMS start nothing and the person gets one polite SMS, not one each', async () => {
  await withApps(limits({ perPhone: 2, windowSeconds: 3600 }), 2, async ([a, b]) => {
    const phone = newSafaricomNumber();
    const ids = Array.from({ length: 6 }, () => `ATXid_${randomUUID()}`);
    const statuses: string[] = [];
    for (const [i, id] of ids.entries()) {
      const res = await (i % 2 === 0 ? a! : b!).request('/sms/inbound', {
        method: 'POST',
        headers: gatewayHeaders(stack.config, 'sms'),
        body: new URLSearchParams({ from: phone, to: '12345', text: 'HELP', id }),
      });
      expect(res.status).toBe(200);
      statuses.push(((await res.json()) as { status: string }).status);
    }
    expect(statuses).toEqual(['accepted', 'accepted', 'limited', 'limited', 'limited', 'limited']);
    for (const id of ids.slice(0, 2)) await stack.client.workflow.getHandle(smsWorkflowId(id)).result();
    for (const id of ids.slice(2)) expect(await workflowExists(smsWorkflowId(id))).toBe(false);
    const received = await smsTo(stack.runtime.pool, phone);
    expect(received.filter((m) => m === 'Too many messages, please try again in a minute.')).toHaveLength(1);
    expect(received).toHaveLength(3);
  });
});

test('past RATE_LIMIT_PER_PHONE the REST money routes answer 429 for that paying number, however written; others and its USSD go on', async () => {
  await withApps(limits({ perPhone: 2, windowSeconds: 3600 }), 2, async ([a, b]) => {
    const phone = newSafaricomNumber();
    const receiver = newSafaricomNumber();
    const json = (key: string) => ({ 'content-type': 'application/json', 'Idempotency-Key': key });
    const buy = (app: App, key: string, phoneNumber: string) =>
      app.request('/api/airtime/buy', {
        method: 'POST',
        headers: json(key),
        body: JSON.stringify({ phoneNumber, airtimeAmount: '1', currency: 'USD' }),
      });
    const keys = Array.from({ length: 3 }, () => `payer-limit-${randomUUID()}`);
    // One number written three ways, across two app instances: one count.
    expect((await buy(a!, keys[0]!, phone)).status).toBe(202);
    expect((await buy(b!, keys[1]!, phone.slice(1))).status).toBe(202);
    const limited = await buy(a!, keys[2]!, `${phone.slice(0, 4)} ${phone.slice(4)}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ error: { code: 'RateLimited' }, requestId: expect.any(String) });
    expect(await workflowExists(conversionWorkflowId('api', keys[2]!))).toBe(false);
    // A transfer paid by the same number is counted too; one paid by another number is not held back.
    const transferKey = `payer-limit-${randomUUID()}`;
    const transfer = await b!.request('/api/transfers', {
      method: 'POST',
      headers: json(transferKey),
      body: JSON.stringify({ fromPhone: phone, toPhone: receiver, amount: '1', currency: 'USD', transferType: 'txtc' }),
    });
    expect(transfer.status).toBe(429);
    expect(await workflowExists(transferWorkflowId('api', transferKey))).toBe(false);
    expect((await buy(a!, `payer-limit-${randomUUID()}`, receiver)).status).toBe(202);
    // The number's own USSD is counted apart: an API client cannot use it up.
    const dial = await a!.request('/ussd', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({
        sessionId: `ATUid_${randomUUID()}`,
        serviceCode: '*123*456#',
        phoneNumber: phone,
        text: '',
      }),
    });
    expect(await dial.text()).toMatch(/^CON /);
    // The accepted ones end (refused for want of airtime) before the worker goes.
    for (const key of keys.slice(0, 2))
      await stack.client.workflow
        .getHandle(conversionWorkflowId('api', key))
        .result()
        .catch(() => undefined);
  });
});
