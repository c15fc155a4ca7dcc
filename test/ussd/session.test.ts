/**
 * The USSD channel through HTTP exactly as the gateway drives it: form posts with the cumulative `text`,
 * one session workflow per sessionId on the real dev server, Postgres and chain.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { createBridgeWorker } from '../../workers/worker';
import { conversionWorkflowId, ussdWorkflowId } from '../../lib/definitions';
import { hashPin } from '../../lib/pins';
import { createUssdRepo } from '../../lib/db/ussd';
import { openStack, testLog, workflowBundle, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { airtimeBalance, newSafaricomNumber, smsTo, telcoOperations, topUp } from '../support/money';
import type { Config } from '../../lib/config';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

type App = ReturnType<typeof createApp>;

/** A worker and the API on a task queue of the test's own; `ussd` overrides the session timings. */
async function withUssd<T>(
  fn: (app: App, taskQueue: string) => Promise<T>,
  ussd: Partial<Config['ussd']> = {},
  taskQueue = `ussd-${randomUUID()}`,
): Promise<T> {
  const config = {
    ...stack.config,
    ussd: { ...stack.config.ussd, ...ussd },
    temporal: { ...stack.config.temporal, taskQueue },
  };
  const worker = await createBridgeWorker({
    connection: stack.nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    activities: createActivities({ ...stack.runtime, config, log: testLog }),
    workflowBundle: await workflowBundle(),
  });
  const app = createApp({ ...stack.runtime, config, temporal: stack.client, log: testLog });
  return worker.runUntil(fn(app, taskQueue));
}

/** A feature phone: dials, types, and reads the screen the gateway would show. */
class Phone {
  sessionId = `ATUid_${randomUUID()}`;
  private inputs: string[] = [];
  constructor(
    readonly app: App,
    readonly number: string,
  ) {}

  async post(text: string): Promise<string> {
    const res = await this.app.request('/ussd', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({
        sessionId: this.sessionId,
        serviceCode: '*123*456#',
        phoneNumber: this.number,
        networkCode: '63902',
        text,
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const screen = await res.text();
    expect(screen).toMatch(/^(CON|END) /);
    return screen;
  }

  dial(): Promise<string> {
    this.inputs = [];
    return this.post('');
  }

  type(input: string): Promise<string> {
    this.inputs.push(input);
    return this.post(this.inputs.join('*'));
  }

  /** The same hop again, as a gateway retrying a request delivers it. */
  again(): Promise<string> {
    return this.post(this.inputs.join('*'));
  }

  redial(app: App = this.app): Phone {
    return new Phone(app, this.number);
  }
}

/** A number registered in English with PIN 7391 (the PIN stored as the webhook would store it). */
async function registered(balanceMinor = 500000n): Promise<string> {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', balanceMinor);
  const repo = createUssdRepo(stack.runtime.pool);
  await repo.setPin(phone, await hashPin('7391'));
  await repo.completeRegistration(phone, 'en');
  return phone;
}

/**
 * The money workflow's result. "Request received" answers as soon as the session has recorded the start
 * in its history; the server creates the workflow a moment later, so a lookup right away may not find it yet.
 */
async function waitForCompletion(workflowId: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await stack.client.workflow.getHandle(workflowId).result()) as unknown;
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError) || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * `digits` standing alone, as a PIN would be in a payload ("7391", 1*7391): not inside a longer run of
 * digits, such as a timestamp's nanoseconds (627391657 once failed a run).
 */
const alone = (digits: string) => new RegExp(`(?<![0-9])${digits}(?![0-9])`);

/** Every payload Temporal keeps for a workflow, decoded: what an operator with the history can read. */
async function historyText(workflowId: string): Promise<string> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) out.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else if (typeof v === 'string') out.push(v);
  };
  walk(history.events);
  return out.join('\n');
}

test('first dial: language, terms, a PIN entered twice, then the main menu; the PIN is stored only as a scrypt hash', async () => {
  const number = newSafaricomNumber();
  await withUssd(async (app) => {
    const phone = new Phone(app, number);
    expect(await phone.dial()).toMatch(/^CON [\s\S]*1[\s\S]*English[\s\S]*2[\s\S]*Kiswahili/);
    expect(await phone.type('1')).toMatch(/^CON [\s\S]*terms/i);
    expect(await phone.type('1')).toMatch(/^CON [\s\S]*PIN/);
    expect(await phone.type('5820')).toMatch(/^CON [\s\S]*PIN/);
    const main = await phone.type('5820');
    expect(main).toMatch(/^CON [\s\S]*1[\s\S]*Buy[\s\S]*6/);
    const profile = await createUssdRepo(stack.runtime.pool).profile(number);
    expect(profile).toMatchObject({ language: 'en', pinFailedAttempts: 0 });
    expect(profile!.registeredAt).toBeInstanceOf(Date);
    expect(profile!.pinHash).toMatch(/^scrypt-hmac\$/); // keyed with PIN_PEPPER, then scrypt
    expect(profile!.pinHash).not.toContain('5820');
    expect(await historyText(ussdWorkflowId(phone.sessionId))).not.toMatch(alone('5820'));
  });
});

test('two different PINs at registration create nothing and ask again', async () => {
  const number = newSafaricomNumber();
  await withUssd(async (app) => {
    const phone = new Phone(app, number);
    await phone.dial();
    await phone.type('2'); // Kiswahili
    await phone.type('1');
    await phone.type('1111');
    const again = await phone.type('2222');
    expect(again).toMatch(/^CON [\s\S]*PIN/);
    expect((await createUssdRepo(stack.runtime.pool).profile(number))?.pinHash ?? null).toBeNull();
  });
});

test('buy TXTC through the menu: amount, confirm screen with airtime, TXTC and fee, PIN, one conversion, the SMS; no PIN in history', async () => {
  const number = await registered();
  await withUssd(async (app) => {
    const phone = new Phone(app, number);
    expect(await phone.dial()).toMatch(/Buy/);
    expect(await phone.type('1')).toMatch(/^CON [\s\S]*KES/);
    const confirm = await phone.type('1290');
    expect(confirm).toMatch(/^CON /);
    expect(confirm).toContain('KES 1,290.00');
    expect(confirm).toContain('980');
    expect(confirm).toContain('20');
    const done = await phone.type('7391');
    expect(done).toMatch(/^END [\s\S]*SMS/);
    // The gateway delivers the confirmation hop again: the same answer, nothing new started.
    expect(await phone.again()).toBe(done);

    const conversionId = conversionWorkflowId('ussd', phone.sessionId);
    expect(await waitForCompletion(conversionId)).toMatchObject({ status: 'completed' });
    expect(await telcoOperations(stack.runtime.pool, number)).toHaveLength(1);
    expect(await airtimeBalance(stack.runtime.pool, number)).toBe(500000n - 129000n);
    expect(await smsTo(stack.runtime.pool, number)).toEqual([expect.stringMatching(/^You bought 980 TXTC/)]);
    const text = await historyText(ussdWorkflowId(phone.sessionId));
    expect(text).toContain('1290'); // the amount is in the history...
    expect(text).not.toMatch(alone('7391')); // ...the PIN is not
  });
  // The PIN stored before the pepper was upgraded at this right PIN: HMAC'd with PIN_PEPPER, then scrypt.
  expect((await createUssdRepo(stack.runtime.pool).profile(number))?.pinHash).toMatch(/^scrypt-hmac\$/);
});

test('back, home and invalid input re-prompt without moving anything', async () => {
  const number = await registered();
  await withUssd(async (app) => {
    const phone = new Phone(app, number);
    const main = await phone.dial();
    expect(await phone.type('9')).toMatch(/^CON [\s\S]*Invalid/i);
    expect(await phone.type('1')).toMatch(/KES/);
    expect(await phone.type('abc')).toMatch(/^CON /);
    expect(await phone.type('0')).toBe(main);
    await phone.type('2');
    expect(await phone.type('00')).toBe(main);
  });
  expect(await telcoOperations(stack.runtime.pool, number)).toEqual([]);
});

test('an input longer than a USSD string gets a clear screen, not "busy", and moves nothing', async () => {
  const number = await registered();
  await withUssd(async (app) => {
    const phone = new Phone(app, number);
    await phone.dial();
    await phone.type('1');
    // The API answers before it knows the language: English, then Swahili.
    expect(await phone.type('9'.repeat(183))).toBe(
      'END That input is too long. Please dial *123*456# and try again.\nUlichoandika ni kirefu mno. Tafadhali piga *123*456# ujaribu tena.',
    );
  });
  expect(await telcoOperations(stack.runtime.pool, number)).toEqual([]);
});

test('three wrong PINs lock money movement with the attempts shown; ops list and reset it; the next dial sets a new PIN', async () => {
  const number = await registered();
  await withUssd(async (app) => {
    const phone = new Phone(app, number);
    await phone.dial();
    await phone.type('1');
    await phone.type('1290');
    expect(await phone.type('0000')).toMatch(/^CON [\s\S]*2/);
    expect(await phone.type('0001')).toMatch(/^CON [\s\S]*1/);
    expect(await phone.type('0002')).toMatch(/^END [\s\S]*lock/i);
    expect(await telcoOperations(stack.runtime.pool, number)).toEqual([]);

    const locked = (await (await app.request('/api/pins/locked')).json()) as { locked: { phoneNumber: string }[] };
    expect(locked.locked.map((l) => l.phoneNumber)).toContain(number);
    expect((await app.request(`/api/pins/${encodeURIComponent(number)}/reset`, { method: 'POST' })).status).toBe(200);

    const next = phone.redial();
    expect(await next.dial()).toMatch(/^CON [\s\S]*PIN/);
    await next.type('4826');
    expect(await next.type('4826')).toMatch(/Buy/);
    expect((await createUssdRepo(stack.runtime.pool).profile(number))?.pinLockedAt ?? null).toBeNull();
  });
});

test('a session idle past its limit ends; a redial within the window offers to continue where it left off', async () => {
  const number = await registered();
  await withUssd(
    async (app) => {
      const phone = new Phone(app, number);
      await phone.dial();
      await phone.type('1');
      const confirm = await phone.type('645');
      await new Promise((r) => setTimeout(r, 3500));
      expect(await phone.type('7391')).toMatch(/^END [\s\S]*ended/);

      const again = phone.redial();
      expect(await again.dial()).toMatch(/^CON [\s\S]*1[\s\S]*2/);
      expect(await again.type('1')).toBe(confirm);
      expect(await again.type('7391')).toMatch(/^END [\s\S]*SMS/);
      expect(await waitForCompletion(conversionWorkflowId('ussd', again.sessionId))).toMatchObject({
        status: 'completed',
      });
      expect(await airtimeBalance(stack.runtime.pool, number)).toBe(500000n - 64500n);
    },
    { idleTimeoutSeconds: 2 },
  );
});

test('a redial seconds after a dropped session (no end notice, not idle yet) offers to continue it', async () => {
  const number = await registered();
  await withUssd(async (app) => {
    const phone = new Phone(app, number);
    await phone.dial();
    await phone.type('1');
    const confirm = await phone.type('645');
    // The network drops the call: the gateway sends nothing, and the person dials again at once.
    const again = phone.redial();
    expect(await again.dial()).toMatch(/^CON [\s\S]*1[\s\S]*2/);
    expect(await again.type('1')).toBe(confirm);
    // The dropped session is over: a late hop for it starts nothing.
    expect(await phone.type('7391')).toMatch(/^END [\s\S]*(ended|dial)/i);
    expect(await again.type('7391')).toMatch(/^END [\s\S]*SMS/);
    expect(await waitForCompletion(conversionWorkflowId('ussd', again.sessionId))).toMatchObject({
      status: 'completed',
    });
  });
  expect(await airtimeBalance(stack.runtime.pool, number)).toBe(500000n - 64500n);
});

test('a session goes on after its worker and the API restart between two hops (a new worker process and app instance)', async () => {
  const number = await registered();
  const taskQueue = `ussd-${randomUUID()}`;
  const phone = await withUssd(
    async (app) => {
      const p = new Phone(app, number);
      await p.dial();
      await p.type('1');
      return p;
    },
    {},
    taskQueue,
  );
  await withUssd(
    async (app) => {
      const resumed = Object.assign(Object.create(Phone.prototype) as Phone, phone, { app });
      expect(await resumed.type('1290')).toContain('KES 1,290.00');
      expect(await resumed.type('7391')).toMatch(/^END /);
      expect(await waitForCompletion(conversionWorkflowId('ussd', phone.sessionId))).toMatchObject({
        status: 'completed',
      });
    },
    {},
    taskQueue,
  );
  expect(await airtimeBalance(stack.runtime.pool, number)).toBe(500000n - 129000n);
});

test('a malformed callback is a 400 and starts nothing; an unsupported number gets a polite END', async () => {
  const caller = newSafaricomNumber();
  await withUssd(async (app) => {
    const bad = await app.request('/ussd', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({ serviceCode: '*123*456#', phoneNumber: caller, text: '' }),
    });
    expect(bad.status).toBe(400);
    // No session recorded for the caller (so no session workflow either), nothing debited.
    const sessions = await stack.runtime.pool.query('SELECT 1 FROM ussd_sessions WHERE phone_number = $1', [caller]);
    expect(sessions.rows).toEqual([]);
    expect(await telcoOperations(stack.runtime.pool, caller)).toEqual([]);
    const foreign = new Phone(app, '+14155550100');
    expect(await foreign.dial()).toMatch(/^END /);
    const alias = await app.request('/ussd/session', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({
        sessionId: `ATUid_${randomUUID()}`,
        serviceCode: '*123*456#',
        phoneNumber: newSafaricomNumber(),
        text: '',
      }),
    });
    expect(await alias.text()).toMatch(/^CON /);
  });
});

describe('the rest of the menu, through HTTP', () => {
  test('2 Transfer airtime: a local-format number, an amount, the PIN: one airtime transfer to the receiver', async () => {
    const number = await registered();
    const receiver = newSafaricomNumber();
    await withUssd(async (app) => {
      const phone = new Phone(app, number);
      await phone.dial();
      expect(await phone.type('2')).toMatch(/phone number/);
      expect(await phone.type(number.replace('+254', '0'))).toMatch(/^CON [\s\S]*(own|yours)/i);
      expect(await phone.type(receiver.replace('+254', '0'))).toContain(receiver);
      expect(await phone.type('500')).toMatch(/^CON Send KES 500.00 airtime to/);
      expect(await phone.type('7391')).toMatch(/^END [\s\S]*SMS/);
      const id = `transfer:ussd:${phone.sessionId}`;
      expect(await waitForCompletion(id)).toMatchObject({ status: 'completed', kind: 'airtime' });
      expect(await airtimeBalance(stack.runtime.pool, receiver)).toBe(50000n);
    });
  });

  test('5 Send TXTC: the TXTC that an amount of airtime buys, hybrid when short; 3 balance and 4 history show it', async () => {
    const number = await registered();
    const receiver = newSafaricomNumber();
    await withUssd(async (app) => {
      const phone = new Phone(app, number);
      await phone.dial();
      await phone.type('5');
      await phone.type(receiver);
      const confirm = await phone.type('1290');
      expect(confirm).toMatch(/^CON Send 980 TXTC \(KES 1,290.00\) to/);
      expect(await phone.type('7391')).toMatch(/^END /);
      expect(await waitForCompletion(`transfer:ussd:${phone.sessionId}`)).toMatchObject({
        status: 'completed',
        kind: 'hybrid',
      });

      const other = phone.redial();
      await other.dial();
      expect(await other.type('3')).toMatch(/^CON Airtime: KES 3,710.00\nTXTC: 0/);
      expect(await other.type('00')).toMatch(/Buy/);
      const history = await other.type('4');
      // Both legs of the hybrid: the airtime it bought (the leg, recorded after its transfer) and the send.
      expect(history).toMatch(/^CON Buy 980 TXTC\n-980 TXTC/);
      const theirs = new Phone(app, receiver);
      await theirs.dial(); // not registered: the registration starts, nothing else
      expect(await smsTo(stack.runtime.pool, receiver)).toEqual([expect.stringMatching(/^Received 980 TXTC from/)]);
    });
  });

  test('4 History pages five at a time with 98 More', async () => {
    const number = await registered(10_000_000n);
    const friend = newSafaricomNumber();
    // Seven transfers out, straight through the workflows' REST route.
    await withUssd(async (app) => {
      for (let i = 0; i < 7; i++) {
        const res = await app.request('/api/airtime/transfer', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'Idempotency-Key': `hist-${randomUUID()}` },
          body: JSON.stringify({ fromPhone: number, toPhone: friend, amount: String(200 + i) }),
        });
        await waitForCompletion(((await res.json()) as { id: string }).id);
      }
      const phone = new Phone(app, number);
      await phone.dial();
      const first = await phone.type('4');
      expect(
        first
          .replace(/^CON /, '')
          .split('\n')
          .filter((l) => l.startsWith('-KES')),
      ).toHaveLength(5);
      expect(first).toContain('-KES 206.00');
      expect(first).toContain('98');
      const second = await phone.type('98');
      expect(
        second
          .replace(/^CON /, '')
          .split('\n')
          .filter((l) => l.startsWith('-KES')),
      ).toEqual(['-KES 201.00', '-KES 200.00']);
    });
  });

  test('6 My account: the wallet, Swahili from then on (remembered on the next dial), and a PIN change', async () => {
    const number = await registered();
    await withUssd(async (app) => {
      const phone = new Phone(app, number);
      await phone.dial();
      await phone.type('6');
      expect(await phone.type('1')).toMatch(/No wallet yet/);
      await phone.type('0');
      await phone.type('2');
      const swahili = await phone.type('2');
      expect(swahili).toMatch(/Nunua TXTC/);
      const next = phone.redial();
      expect(await next.dial()).toMatch(/Nunua TXTC/);
      await next.type('6');
      await next.type('3');
      await next.type('7391');
      await next.type('2468');
      expect(await next.type('2468')).toMatch(/^CON /);
      const pin = (await createUssdRepo(stack.runtime.pool).profile(number))!.pinHash!;
      const { verifyPin } = await import('../../lib/pins');
      expect(await verifyPin('2468', pin, stack.config.pinPepper)).toBe(true);
      expect(await verifyPin('7391', pin, stack.config.pinPepper)).toBe(false);
      expect(await historyText(ussdWorkflowId(next.sessionId))).not.toMatch(/2468|7391/);
    });
  });

  test('the gateway’s end-of-session notice ends the session; a later hop is told to dial again', async () => {
    const number = await registered();
    await withUssd(async (app) => {
      const phone = new Phone(app, number);
      await phone.dial();
      await phone.type('1');
      const res = await app.request('/ussd/end', {
        method: 'POST',
        headers: gatewayHeaders(stack.config, 'ussd'),
        body: new URLSearchParams({ sessionId: phone.sessionId, status: 'Incomplete' }),
      });
      expect(res.status).toBe(200);
      const state = await stack.client.workflow.getHandle(ussdWorkflowId(phone.sessionId)).result();
      expect(state).toMatchObject({ phase: 'ended', endReason: 'dropped' });
      expect(await phone.type('1290')).toMatch(/^END [\s\S]*ended/);
    });
  });
});

test('screens and SMS follow the number’s language: a Swahili speaker buys through the menu and reads the SMS in Swahili', async () => {
  const number = newSafaricomNumber();
  await topUp(stack.runtime.pool, number, 'safaricom-ke', 500000n);
  const repo = createUssdRepo(stack.runtime.pool);
  await repo.setPin(number, await hashPin('7391'));
  await repo.completeRegistration(number, 'sw');
  await withUssd(async (app) => {
    const phone = new Phone(app, number);
    expect(await phone.dial()).toMatch(/Nunua TXTC/);
    await phone.type('1');
    await phone.type('1290');
    expect(await phone.type('7391')).toMatch(/^END /);
    await waitForCompletion(conversionWorkflowId('ussd', phone.sessionId));
  });
  expect(await smsTo(stack.runtime.pool, number)).toEqual([
    expect.stringMatching(/^Umenunua TXTC 980 kwa muda wa maongezi KES 1,290.00/),
  ]);
});

test('a session ends at USSD_SESSION_TIMEOUT even while the person keeps typing', async () => {
  const number = await registered();
  await withUssd(
    async (app) => {
      const phone = new Phone(app, number);
      await phone.dial();
      // Typing every 700 ms, far inside the idle limit: the answers stay CON until the whole-session limit
      // ends the session (how many come before depends on how loaded the machine is, not on the product).
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 700));
        const screen = await phone.type(i % 2 === 0 ? '3' : '0');
        answers.push(screen);
        if (!screen.startsWith('CON ')) break;
      }
      expect(answers.at(-1)).toMatch(/^END /);
      expect(answers.slice(0, -1).every((a) => a.startsWith('CON '))).toBe(true);
      expect(answers.length).toBeGreaterThanOrEqual(2);
      // Once the session has closed, a further hop is told so.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await phone.type('0')).toMatch(/^END [\s\S]*ended/);
      const handle = stack.client.workflow.getHandle(ussdWorkflowId(phone.sessionId));
      const state = await handle.result();
      expect(state).toMatchObject({ phase: 'ended', endReason: 'timeout' });
      // What the workflow did, not how long the machine took: each wait it started was for what was left of
      // the 3 s session (never the 60 s idle minute, never restarted by a hop), each hop cut one short, and the
      // last ran out, after the hops the person typed and before the session ended.
      const events = (await handle.fetchHistory()).events ?? [];
      const kinds = events.map((e) =>
        e.timerStartedEventAttributes
          ? 'timer'
          : e.timerFiredEventAttributes
            ? 'fired'
            : e.timerCanceledEventAttributes
              ? 'cut short'
              : e.workflowExecutionUpdateAcceptedEventAttributes
                ? 'hop'
                : e.workflowExecutionCompletedEventAttributes
                  ? 'ended'
                  : undefined,
      );
      const waits = events.flatMap((e) => {
        const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
        return timeout ? [Number(timeout.seconds ?? 0) * 1000 + (timeout.nanos ?? 0) / 1e6] : [];
      });
      expect(waits.length).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < waits.length; i++) {
        expect(waits[i]).toBeGreaterThan(0);
        expect(waits[i]).toBeLessThanOrEqual(3000);
        if (i > 0) expect(waits[i]).toBeLessThan(waits[i - 1]!);
      }
      // Each wait ended once: cut short by a hop, or run out. The last runs out, unless a hop that came after
      // the limit (a loaded machine) ended the session first: then none ran out, and that hop cut it short.
      const fired = kinds.filter((k) => k === 'fired').length;
      const cutShort = kinds.filter((k) => k === 'cut short').length;
      expect(fired).toBeLessThanOrEqual(1);
      expect(fired + cutShort).toBeGreaterThanOrEqual(waits.length - 1);
      expect(fired + cutShort).toBeLessThanOrEqual(waits.length);
      if (fired === 1) {
        const at = kinds.indexOf('fired');
        expect(kinds.lastIndexOf('timer')).toBeLessThan(at);
        expect(at).toBeLessThan(kinds.indexOf('ended'));
      }
      expect(kinds.slice(0, kinds.indexOf('ended')).filter((k) => k === 'hop').length).toBeGreaterThanOrEqual(
        answers.filter((a) => a.startsWith('CON ')).length,
      );
    },
    { sessionTimeoutSeconds: 3, idleTimeoutSeconds: 60 },
  );
});

test('twelve people confirming with their PIN at the same moment all get through (a PIN check holds one connection)', async () => {
  const numbers = await Promise.all(Array.from({ length: 12 }, () => registered()));
  await withUssd(async (app) => {
    const phones = numbers.map((n) => new Phone(app, n));
    await Promise.all(
      phones.map(async (p) => {
        await p.dial();
        await p.type('1');
        await p.type('645');
      }),
    );
    const screens = await Promise.all(phones.map((p) => p.type('7391')));
    expect(screens.filter((s) => /^END Request received/.test(s))).toHaveLength(12);
    await Promise.all(phones.map((p) => waitForCompletion(conversionWorkflowId('ussd', p.sessionId))));
  });
});

describe('hops delivered twice, late, or from another number', () => {
  test('a redelivered amount hop is not taken for a PIN, and a late older hop does not make the next PIN plain text', async () => {
    const number = await registered();
    await withUssd(async (app) => {
      const phone = new Phone(app, number);
      await phone.dial();
      const menu = await phone.type('1');
      const confirm = await phone.type('1290');
      // The gateway retries the amount hop after we answered it: same answer, no PIN strike.
      expect(await phone.again()).toBe(confirm);
      // A retry of the hop before it arrives late: answered from its first result.
      const late = await phone.post('1');
      expect(late).toBe(menu);
      expect((await createUssdRepo(stack.runtime.pool).profile(number))?.pinFailedAttempts).toBe(0);
      // The PIN is still taken out by the API: the purchase goes through and history holds no PIN.
      expect(await phone.type('7391')).toMatch(/^END Request received/);
      await waitForCompletion(conversionWorkflowId('ussd', phone.sessionId));
      expect(await historyText(ussdWorkflowId(phone.sessionId))).not.toMatch(alone('7391'));
    });
  });

  test('a hop for someone else’s session from another number changes nothing', async () => {
    const [mine, theirs] = [await registered(), await registered()];
    await withUssd(async (app) => {
      const phone = new Phone(app, mine);
      await phone.dial();
      await phone.type('1');
      await phone.type('1290');
      const forged = Object.assign(Object.create(Phone.prototype) as Phone, phone, { number: theirs });
      expect(await forged.post('1*1290*7391')).toMatch(/^END [\s\S]*cannot continue/);
      expect(await phone.type('7391')).toMatch(/^END Request received/);
      await waitForCompletion(conversionWorkflowId('ussd', phone.sessionId));
    });
    expect(await telcoOperations(stack.runtime.pool, theirs)).toEqual([]);
    expect(await telcoOperations(stack.runtime.pool, mine)).toHaveLength(1);
  });
});
