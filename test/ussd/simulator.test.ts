/**
 * The local USSD simulator page in headless Chromium (Debian's package, driven by playwright-core) against
 * the app served on a free port with a worker on the real stack: it posts to the same webhook the gateway
 * uses, masks what the person types, and shows the simulated operator's SMS.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { createBridgeWorker } from '../../workers/worker';
import { ussdWorkflowId } from '../../lib/definitions';
import { openStack, testLog, workflowBundle, type TestStackHandle } from '../support/stack';
import { newSafaricomNumber, topUp } from '../support/money';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let stack: TestStackHandle;
let browser: Browser;
beforeAll(async () => {
  stack = await openStack();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A worker on a task queue of the test's own and the app on a free port; `fn` gets the base URL. */
async function withSimulator<T>(fn: (baseUrl: string) => Promise<T>): Promise<T> {
  const taskQueue = `simulator-${randomUUID()}`;
  const config = { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } };
  const worker = await createBridgeWorker({
    connection: stack.nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    activities: createActivities({ ...stack.runtime, config, log: testLog }),
    workflowBundle: await workflowBundle(),
  });
  const app = createApp({ ...stack.runtime, config, temporal: stack.client, log: testLog });
  let server!: ReturnType<typeof serve>;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
  });
  try {
    return await worker.runUntil(fn(`http://127.0.0.1:${port}`));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The simulator page, as a person uses it: the keypad, Send, and the screen after each hop. */
class SimulatorPage {
  constructor(readonly page: Page) {}

  get screen() {
    return this.page.locator('#screen');
  }

  get entry() {
    return this.page.getByLabel('Reply');
  }

  /** Does `action`, then waits for the next screen the page renders and returns its text. */
  async nextScreen(action: () => Promise<void>): Promise<string> {
    const seq = Number(await this.screen.getAttribute('data-seq'));
    await action();
    await this.page.locator(`#screen[data-seq="${seq + 1}"]`).waitFor({ timeout: 15000 });
    return (await this.screen.textContent()) ?? '';
  }

  dial(): Promise<string> {
    return this.nextScreen(() => this.page.getByRole('button', { name: /^Dial / }).click());
  }

  /** Types on the on-screen keypad, then presses Send. */
  reply(input: string): Promise<string> {
    return this.nextScreen(async () => {
      for (const key of input) await this.page.locator(`#keypad button[data-key="${key}"]`).click();
      await this.page.getByRole('button', { name: 'Send' }).click();
    });
  }

  state(): Promise<string | null> {
    return this.page.locator('#handset').getAttribute('data-state');
  }
}

/** A 4-digit PIN that the number does not contain, so "not on the page" means something. */
function pinFor(number: string): string {
  for (const pin of ['5820', '4713', '9036', '2648']) if (!number.includes(pin)) return pin;
  throw new Error('no PIN candidate');
}

test('simulator page: register a fresh number, buy TXTC with the PIN masked, and see the SMS arrive in the inbox', async () => {
  const number = newSafaricomNumber();
  const pin = pinFor(number);
  await topUp(stack.runtime.pool, number, 'safaricom-ke', 500000n);

  await withSimulator(async (baseUrl) => {
    const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    const posted: URLSearchParams[] = [];
    page.on('request', (r) => {
      // The page posts to its relay, which calls POST /ussd with the gateway's secret (the page never holds it).
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/simulator/ussd')
        posted.push(new URLSearchParams(r.postData() ?? ''));
    });
    const res = await page.goto(`${baseUrl}/simulator`);
    expect(res?.status()).toBe(200);
    expect(await res?.text()).not.toContain(stack.config.webhooks.ussdSecret);
    const phone = new SimulatorPage(page);
    expect(await page.getByLabel('Phone number').inputValue()).toBe('+254712345678');
    await page.getByLabel('Phone number').fill(number);
    await page.locator('#inbox-who', { hasText: number }).waitFor();

    expect(await phone.dial()).toMatch(/English[\s\S]*Kiswahili/);
    expect(await phone.reply('1')).toMatch(/terms/i);
    expect(await phone.reply('1')).toMatch(/PIN/);
    expect(await phone.entry.getAttribute('type')).toBe('password');
    expect(await phone.reply(pin)).toMatch(/PIN again/);
    expect(await phone.reply(pin)).toMatch(/1 Buy TXTC/);
    expect(await phone.reply('1')).toMatch(/KES/);
    // The amount typed on the keyboard and sent with Enter.
    const confirm = await phone.nextScreen(async () => {
      await phone.entry.pressSequentially('1290');
      await phone.entry.press('Enter');
    });
    expect(confirm).toContain('KES 1,290.00');
    expect(confirm).toContain('Get 980 TXTC');
    await phone.entry.pressSequentially(pin);
    expect(await phone.entry.inputValue()).toBe(pin); // typed, but shown as dots (type=password)
    const done = await phone.nextScreen(() => page.getByRole('button', { name: 'Send' }).click());
    expect(done).toMatch(/^Request received/);
    expect(await phone.state()).toBe('ended');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);

    // Every hop went to the gateway's webhook in its format: one session, the inputs so far joined by "*".
    const inputs = ['1', '1', pin, pin, '1', '1290', pin];
    const cumulative = inputs.join('*');
    expect(posted).toHaveLength(8);
    const sessionId = posted[0]!.get('sessionId')!;
    expect(sessionId).toMatch(/^ATUid_/);
    for (const form of posted) {
      expect([...form.keys()].sort()).toEqual(['networkCode', 'phoneNumber', 'serviceCode', 'sessionId', 'text']);
      expect(form.get('sessionId')).toBe(sessionId);
      expect(form.get('serviceCode')).toBe('*123*456#');
      expect(form.get('phoneNumber')).toBe(number);
      expect(form.get('networkCode')).toBe('63902');
    }
    expect(posted.map((f) => f.get('text'))).toEqual(['', ...inputs.map((_, i) => inputs.slice(0, i + 1).join('*'))]);

    // Nothing on the page shows the PIN or the cumulative text.
    expect(await phone.entry.inputValue()).toBe('');
    const html = await page.content();
    expect(html).not.toContain(pin);
    expect(html).not.toContain(cumulative);

    // The SMS reaches the inbox panel (refreshed every 2 s), newest first.
    const bought = page.locator('#sms li', { hasText: /You bought 980 TXTC/ });
    await bought.waitFor({ timeout: 25000 });
    expect(await page.locator('#sms li p').first().textContent()).toMatch(/^You bought 980 TXTC/);
    await page.screenshot({ path: '/tmp/simulator.png', fullPage: true });
    await page.close();
  });
});

test('simulator page: Cancel ends the session with the gateway’s end notice', async () => {
  const number = newSafaricomNumber();
  await withSimulator(async (baseUrl) => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/simulator`);
    const phone = new SimulatorPage(page);
    await page.getByLabel('Phone number').fill(number);
    expect(await phone.dial()).toMatch(/English/);
    const endNotice = page.waitForResponse((r) => new URL(r.url()).pathname === '/simulator/ussd/end');
    expect(await phone.nextScreen(() => page.getByRole('button', { name: 'Cancel' }).click())).toMatch(/cancelled/);
    expect(await phone.state()).toBe('ended');
    const notice = await endNotice;
    expect(notice.status()).toBe(200);
    const form = new URLSearchParams(notice.request().postData() ?? '');
    expect(form.get('status')).toBe('Incomplete');
    const sessionId = form.get('sessionId')!;
    const state = await stack.client.workflow.getHandle(ussdWorkflowId(sessionId)).result();
    expect(state).toMatchObject({ phase: 'ended', endReason: 'dropped' });
    await page.close();
  });
});

test('the simulator is not served outside local mode', async () => {
  const config = { ...stack.config, appEnv: 'production' as const };
  const app = createApp({ ...stack.runtime, config, temporal: stack.client, log: testLog });
  expect((await app.request('/simulator')).status).toBe(404);
  expect((await app.request('/simulator/sms/%2B254712345678')).status).toBe(404);
});
