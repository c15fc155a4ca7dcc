/**
 * The ops console (/ops) in headless Chromium (Debian's package, driven by playwright-core) against the app
 * served on a free port with a worker on the real stack: an ops person signs in with an ops key, approves a
 * held transfer (the money moves once) and retries a failed refund (it settles once); a wrong key gets no page;
 * a form posted without the session's CSRF token changes nothing. Every action lands in ops_audit.
 *
 * CONSOLE_SCREENSHOTS=<dir> also saves the page as a laptop and a phone see it (docs/img/ holds the committed ones).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { conversionWorkflow } from '../../workflows';
import { conversionWorkflowId, stepReference } from '../../lib/definitions';
import { ChainWriter } from '../../lib/chain/writer';
import { TxtcToken } from '../../lib/chain/txtc';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { openStack, testLog, uniqueId, withWorker, type TestStackHandle } from '../support/stack';
import { airtimeBalance, newSafaricomNumber, telcoOperations, topUp } from '../support/money';
import { settled } from '../support/api';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];
// Hardhat's second development account: funded with ETH, but not a TXTC minter (so a mint fails for good).
const NOT_A_MINTER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const SHOTS = process.env.CONSOLE_SCREENSHOTS;

let stack: TestStackHandle;
let browser: Browser;
let opsKey: string;
let readKey: string;
beforeAll(async () => {
  // Transfers above $30 wait for ops.
  stack = await openStack({ FRAUD_HOLD_ABOVE_USD: '30' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const keys = createApiKeyRepo(stack.runtime.pool);
  opsKey = (await keys.create({ name: 'alice-ops', scopes: 'ops' })).key;
  readKey = (await keys.create({ name: 'partner-read', scopes: 'read,airtime:write' })).key;
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

interface ConsoleRun {
  baseUrl: string;
  taskQueue: string;
  /** the app itself, for reads through the REST API */
  app: ReturnType<typeof createApp>;
  /** the operator refuses credits to this number until unbarred */
  bar(phone: string): void;
  unbar(phone: string): void;
}

/**
 * The app on a free port and a worker on its own task queue whose operator refuses credits to barred numbers
 * and whose signer is not a minter (a conversion's mint fails for good; airtime transfers never mint).
 */
async function withConsole<T>(fn: (run: ConsoleRun) => Promise<T>): Promise<T> {
  const real = new SimulatedOperator(stack.runtime.pool);
  const barred = new Set<string>();
  const telco = Object.assign(Object.create(real) as SimulatedOperator, {
    credit: (m: Parameters<SimulatedOperator['credit']>[0]) =>
      barred.has(m.phoneNumber)
        ? Promise.resolve({ reference: m.reference, status: 'rejected' as const, reason: 'SubscriberBarred' })
        : real.credit(m),
  });
  const token = new TxtcToken(
    stack.runtime.addresses.txtc,
    stack.runtime.provider,
    new ChainWriter(NOT_A_MINTER_KEY, stack.runtime.provider),
  );
  const activities = createActivities({ ...stack.runtime, log: testLog, telco, token });
  return withWorker(stack, activities, async (taskQueue) => {
    const config = { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } };
    const app = createApp({ ...stack.runtime, config, temporal: stack.client, log: testLog });
    let server!: ReturnType<typeof serve>;
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
    });
    try {
      return await fn({
        baseUrl: `http://127.0.0.1:${port}`,
        taskQueue,
        app,
        bar: (phone) => barred.add(phone),
        unbar: (phone) => barred.delete(phone),
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
}

async function signIn(page: Page, baseUrl: string, key: string) {
  await page.goto(`${baseUrl}/ops`);
  await page.fill('#key', key);
  await page.click('button[type=submit]');
}

/** The row of a movement's forms, its reason filled in, and the button pressed. */
async function act(page: Page, section: string, id: string, button: string, reason: string) {
  const form = page
    .locator(`#${section} form`)
    .filter({ has: page.locator(`input[name=id][value="${id}"]`) })
    .filter({ has: page.locator(`button:text-is("${button}")`) });
  await form.locator('input[name=reason]').fill(reason);
  await Promise.all([page.waitForURL(/\/ops(#.*)?$/), form.locator('button').click()]);
}

const audit = async (target: string) =>
  (
    await stack.runtime.pool.query<{
      actor: string;
      channel: string;
      action: string;
      reason: string;
      ok: boolean;
      outcome: string;
    }>('SELECT actor, channel, action, reason, ok, outcome FROM ops_audit WHERE target = $1 ORDER BY id', [target])
  ).rows;

test('a wrong key gets no page; a key without the ops scope neither; a signed-out browser is sent to sign in', async () => {
  await withConsole(async ({ baseUrl }) => {
    const page = await browser.newPage();
    try {
      const first = await page.goto(`${baseUrl}/ops`);
      expect(page.url()).toBe(`${baseUrl}/ops/login`);
      expect(first?.status()).toBe(200);
      for (const key of ['txtc_live_not-a-real-key', readKey]) {
        await signIn(page, baseUrl, key);
        expect(await page.textContent('[role=alert]')).toContain('does not open the console');
        expect(await page.content()).not.toContain('Money in flight');
        expect(page.url()).toBe(`${baseUrl}/ops/login`);
      }
      // No session cookie was given.
      expect((await page.context().cookies()).map((c) => c.name)).not.toContain('txtc_ops');
    } finally {
      await page.close();
    }
  });
});

test('ops sign in, see a held transfer, approve it with a reason: the money moves once, and the audit says who and why', async () => {
  await withConsole(async ({ baseUrl, app }) => {
    const from = newSafaricomNumber();
    const to = newSafaricomNumber();
    await topUp(stack.runtime.pool, from, 'safaricom-ke', 1_000_000n);
    const key = uniqueId('console-held');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const res = await page.request.post(`${baseUrl}/api/airtime/transfer`, {
        headers: { 'Idempotency-Key': key, 'content-type': 'application/json' },
        data: { fromPhone: from, toPhone: to, amount: '40', currency: 'USD' },
      });
      expect(res.status()).toBe(202);
      const { id } = (await res.json()) as { id: string };
      await signIn(page, baseUrl, opsKey);
      expect(page.url()).toBe(`${baseUrl}/ops`);
      expect(await page.textContent('header')).toContain('alice-ops');
      const cookie = (await page.context().cookies()).find((c) => c.name === 'txtc_ops')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ops' });
      // The hold is recorded before it waits: reload until the console lists it.
      for (let i = 0; i < 50 && !(await page.locator(`#held a:text-is("${id}")`).count()); i++) {
        await new Promise((r) => setTimeout(r, 200));
        await page.reload();
      }
      expect(await page.locator(`#held a:text-is("${id}")`).getAttribute('href')).toContain(encodeURIComponent(id));
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, 'console-laptop.png'), fullPage: true });
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: join(SHOTS, 'console-phone.png') });
        await page.setViewportSize({ width: 1280, height: 900 });
      }
      await act(page, 'held', id, 'Approve', 'called the payer, confirmed');
      expect(await page.textContent('[role=status]')).toContain(`${id}: approved`);

      const done = await settled(app, id);
      expect(done).toMatchObject({ status: 'completed' });
      // Once: one operator movement from the payer ($40 is KES 5,160.00 at the seeded rate), paid once to the receiver.
      expect((await telcoOperations(stack.runtime.pool, from)).map((o) => [o.kind, o.amountMinor, o.status])).toEqual([
        ['transfer', 516_000n, 'committed'],
      ]);
      expect(await airtimeBalance(stack.runtime.pool, from)).toBe(1_000_000n - 516_000n);
      expect(await airtimeBalance(stack.runtime.pool, to)).toBe(516_000n);
      // It left the held list.
      await page.reload();
      expect(await page.locator(`#held a:text-is("${id}")`).count()).toBe(0);
      // The REST route is the same action: approving again is 409 NotWaiting, moves nothing, and is audited too.
      const again = await page.request.post(`${baseUrl}/api/ops/movements/${encodeURIComponent(id)}/approve`, {
        data: { reason: 'approve twice', by: 'bob' },
        headers: { authorization: `Bearer ${opsKey}` },
      });
      expect(again.status()).toBe(409);
      expect(((await again.json()) as { error: { code: string } }).error.code).toBe('NotWaiting');
      expect(await airtimeBalance(stack.runtime.pool, to)).toBe(516_000n);
      expect(await audit(id)).toEqual([
        {
          actor: 'alice-ops',
          channel: 'console',
          action: 'hold.approve',
          reason: 'called the payer, confirmed',
          ok: true,
          outcome: 'approved',
        },
        {
          actor: 'bob',
          channel: 'api',
          action: 'hold.approve',
          reason: 'approve twice',
          ok: false,
          outcome: expect.stringMatching(/^NotWaiting: /) as string,
        },
      ]);
      expect(await page.textContent('#audit')).toContain('called the payer, confirmed');
    } finally {
      await page.close();
    }
  });
});

test('a form posted without the CSRF token, or from another origin, changes nothing', async () => {
  await withConsole(async ({ baseUrl }) => {
    const target = newSafaricomNumber();
    const page = await browser.newPage();
    try {
      await signIn(page, baseUrl, opsKey);
      const csrf = await page.locator('#blocklist input[name=csrf]').first().inputValue();
      expect(csrf.length).toBeGreaterThan(20);
      // The browser's own cookie, no token: refused.
      const noToken = await page.request.post(`${baseUrl}/ops/actions/block`, {
        form: { party: target, reason: 'forged' },
        headers: { origin: baseUrl },
      });
      expect(noToken.status()).toBe(403);
      const wrongToken = await page.request.post(`${baseUrl}/ops/actions/block`, {
        form: { party: target, reason: 'forged', csrf: `${csrf.slice(0, -2)}xx` },
        headers: { origin: baseUrl },
      });
      expect(wrongToken.status()).toBe(403);
      // The right token from another site: refused by origin.
      const otherSite = await page.request.post(`${baseUrl}/ops/actions/block`, {
        form: { party: target, reason: 'forged', csrf },
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      });
      expect(otherSite.status()).toBe(403);
      const listed = await stack.runtime.pool.query('SELECT 1 FROM fraud_blocklist WHERE value = $1', [target]);
      expect(listed.rows).toEqual([]);
      expect(await audit(target)).toEqual([]);
      // The same form through the page, with its token: it works (the refusals were the token's, not the form's).
      await page.fill('#blocklist input[name=party]', target);
      await page.fill('#blocklist form:has(input[name=party][placeholder]) input[name=reason]', 'test number');
      await page.click('#blocklist form:has(input[name=party][placeholder]) button');
      expect(await page.textContent('[role=status]')).toContain(`${target} blocked`);
      expect(await audit(target)).toMatchObject([{ action: 'blocklist.add', ok: true, channel: 'console' }]);
      await stack.runtime.pool.query('DELETE FROM fraud_blocklist WHERE value = $1', [target]);
      // "Run one now" starts a reconciliation as the schedule does, and says which.
      await page.fill('#reconciliations input[name=reason]', 'after the test block');
      await Promise.all([page.waitForURL(/\/ops(#.*)?$/), page.click('#reconciliations button')]);
      const started = /reconciliation (reconciliation:ops:\S+) started/.exec(
        (await page.textContent('[role=status]')) ?? '',
      );
      expect(started).not.toBeNull();
      expect((await stack.client.workflow.getHandle(started![1]!).describe()).type).toBe('reconciliationWorkflow');
      expect(await audit(started![1]!)).toMatchObject([{ action: 'reconciliation.run', ok: true, channel: 'console' }]);
    } finally {
      await page.close();
    }
  });
});

test('a failed refund retried from the console settles once', async () => {
  await withConsole(async ({ baseUrl, taskQueue, bar, unbar }) => {
    const phone = newSafaricomNumber();
    await topUp(stack.runtime.pool, phone, 'safaricom-ke', 300_000n);
    bar(phone);
    // A conversion whose mint fails for good and whose refund the operator refuses: it waits for ops.
    const workflowId = conversionWorkflowId('api', uniqueId('console-owed'));
    const handle = await stack.client.workflow.start(conversionWorkflow, {
      taskQueue,
      workflowId,
      args: [{ channel: 'api', phoneNumber: phone, operator: 'safaricom-ke', usdCents: '1000' }],
    });
    const stage = async () =>
      (
        await stack.runtime.pool.query<{ stage: string }>('SELECT stage FROM airtime_transactions WHERE id = $1', [
          workflowId,
        ])
      ).rows[0]?.stage;
    for (let i = 0; i < 600 && (await stage()) !== 'refund_failed'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await stage()).toBe('refund_failed');
    expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300_000n - 129_000n);

    const page = await browser.newPage();
    try {
      await signIn(page, baseUrl, opsKey);
      expect(await page.locator(`#refunds a:text-is("${workflowId}")`).count()).toBe(1);
      // Owed money is at the top of the in-flight list.
      expect(await page.locator('#in-flight tr.owed', { hasText: workflowId }).count()).toBe(1);
      // Still barred: the retry is refused by the operator, the page says so, nothing is paid.
      await act(page, 'refunds', workflowId, 'Retry refund', 'operator says the bar is lifted');
      expect(await page.textContent('[role=status]')).toContain('still not refunded (OperatorRejected)');
      expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300_000n - 129_000n);
      unbar(phone);
      await act(page, 'refunds', workflowId, 'Retry refund', 'bar lifted, second try');
      expect(await page.textContent('[role=status]')).toContain(`${workflowId}: refunded`);
      await handle.result().catch(() => undefined);
      // Settled once: the refund under its own reference, the balance whole, nothing waiting any more.
      expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([
        { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 129_000n, status: 'committed' },
        { reference: stepReference(workflowId, 'refund'), kind: 'credit', amountMinor: 129_000n, status: 'committed' },
      ]);
      expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(300_000n);
      expect(await stage()).toBe('refunded');
      await page.reload();
      expect(await page.locator(`#refunds a:text-is("${workflowId}")`).count()).toBe(0);
      expect((await audit(workflowId)).map((a) => [a.action, a.ok, a.outcome])).toEqual([
        ['refund.retry', true, 'not refunded: OperatorRejected'],
        ['refund.retry', true, 'refunded'],
      ]);
    } finally {
      await page.close();
    }
  });
});
