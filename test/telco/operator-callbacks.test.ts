/**
 * The callback path of MTN MoMo and Airtel Money: their local protocol servers send a payment's final state
 * to our API (served on a port, on the real Postgres), which keeps it; the adapter waiting for that payment
 * sees it and reads the status at once. The poll interval here is longer than the approval wait, so a debit
 * can only end committed through a callback; the servers' count of status reads shows what happened.
 */
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve } from '@hono/node-server';
import { createApp } from '../../api/app';
import { createOperatorCallbackRepo } from '../../lib/db/operator-callbacks';
import { uuidFromReference, uuidV4FromReference } from '../../lib/telco/ids';
import { MomoOperator, type MomoConfig } from '../../lib/telco/momo';
import { AirtelOperator, type AirtelConfig } from '../../lib/telco/airtel';
import { TelcoPendingError } from '../../lib/telco/types';
import { createLogger } from '../../lib/log';
import { openStack, testLog, type TestStackHandle } from '../support/stack';
import { MomoServer, type MomoPayer } from '../support/protocol/momo-server';
import { AirtelServer, type AirtelSubscriber } from '../support/protocol/airtel-server';

const momoCredentials = {
  collection: { subscriptionKey: 'coll-sub-key', apiUser: '0b5a5c1e-user', apiKey: 'coll-api-key' },
  disbursement: { subscriptionKey: 'disb-sub-key', apiUser: '7c1d2e3f-user', apiKey: 'disb-api-key' },
};
const airtelCredentials = {
  clientId: 'airtel-client-id',
  clientSecret: 'airtel-client-secret',
  disbursementPin: 'PIN',
};

/** Longer than any approval wait below: a poll after the first read never comes in time. */
const SLOW_POLL_MS = 60_000;

let stack: TestStackHandle;
let api: ReturnType<typeof serve>;
let apiUrl: string;
let momoServer: MomoServer;
let airtelServer: AirtelServer;

beforeAll(async () => {
  stack = await openStack();
  const app = createApp({ ...stack.runtime, temporal: stack.client, log: testLog });
  const port = await new Promise<number>((resolve) => {
    api = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
  });
  apiUrl = `http://127.0.0.1:${port}`;
  momoServer = await new MomoServer({
    currency: 'UGX',
    digits: 0,
    targetEnvironment: 'mtnuganda',
    ...momoCredentials,
  }).start();
  airtelServer = await new AirtelServer({ country: 'UG', currency: 'UGX', digits: 0, ...airtelCredentials }).start();
  // Airtel's callback URL is set once, on its portal, with the secret in the path.
  airtelServer.callbackUrl = `${apiUrl}/airtel/callback/${stack.config.webhooks.airtelCallbackSecret}`;
});

afterAll(async () => {
  await momoServer?.stop();
  await airtelServer?.stop();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await stack?.close();
});

const callbacks = () => createOperatorCallbackRepo(stack.runtime.pool);

function momo(overrides: Partial<MomoConfig> = {}): MomoOperator {
  return new MomoOperator(
    {
      baseUrl: momoServer.url,
      targetEnvironment: 'mtnuganda',
      currency: 'UGX',
      ...momoCredentials,
      callbackUrl: `${apiUrl}/momo/callback`,
      callbackSecret: stack.config.webhooks.momoCallbackSecret,
      callbackCheckMs: 20,
      approvalTimeoutMs: 20_000,
      pollInitialMs: SLOW_POLL_MS,
      pollMaxMs: SLOW_POLL_MS,
      limits: { timeoutMs: 2000 },
      ...overrides,
    },
    { callbacks: callbacks() },
  );
}

function airtel(overrides: Partial<AirtelConfig> = {}): AirtelOperator {
  return new AirtelOperator(
    {
      baseUrl: airtelServer.url,
      country: 'UG',
      currency: 'UGX',
      ...airtelCredentials,
      callbackCheckMs: 20,
      approvalTimeoutMs: 20_000,
      pollInitialMs: SLOW_POLL_MS,
      pollMaxMs: SLOW_POLL_MS,
      limits: { timeoutMs: 2000 },
      ...overrides,
    },
    { callbacks: callbacks() },
  );
}

function newMomoPayer(balanceMinor: bigint, extra: Omit<MomoPayer, 'balanceMinor'> = {}) {
  const phone = `+25677${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  momoServer.payer(phone, { balanceMinor, ...extra });
  return phone;
}

function newAirtelSubscriber(balanceMinor: bigint, extra: Omit<AirtelSubscriber, 'balanceMinor'> = {}) {
  const national = `75${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  airtelServer.subscriber(national, { balanceMinor, ...extra });
  return { phone: `+256${national}`, national };
}

let seq = 0;
const debit = (phoneNumber: string, operator: string, amountMinor: bigint) => ({
  phoneNumber,
  operator,
  amountMinor,
  reference: `conversion:test-callback:${Date.now()}-${++seq}:debit`,
});

/** Waits (briefly) until `ready` holds: the adapter has made its first status read. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!ready()) throw new Error('condition not reached in 5 s');
}

function send(path: string, body: unknown, method: 'PUT' | 'POST' = 'POST') {
  return fetch(`${apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
}

describe('MTN MoMo', () => {
  test('a payment approved on the phone is committed as its callback arrives: one more status read, no waiting for the next poll', async () => {
    const phone = newMomoPayer(10_000n, { approval: 'never' });
    const movement = debit(phone, 'mtn-ug', 4_000n);
    const id = uuidV4FromReference(movement.reference);
    const result = momo().debit(movement);
    await until(() => momoServer.statusReads(id) === 1);

    momoServer.decide(id, true); // approved on the handset: MoMo PUTs the final state to the URL we gave

    expect(await result).toEqual({
      reference: movement.reference,
      status: 'committed',
      recorded: { kind: 'debit', phoneNumber: phone, amountMinor: 4_000n },
    });
    expect(momoServer.statusReads(id)).toBe(2); // the first read, then the one the callback called for
    expect(momoServer.movementsOf(phone)).toHaveLength(1);
    await momoServer.callbacksDelivered();
    const delivery = momoServer.callbacks.find((c) => c.id === id);
    // the reference id rides in the path we gave: MoMo's body does not have to carry it
    expect(delivery).toMatchObject({ method: 'PUT', httpStatus: 200 });
    expect(new URL(delivery!.url).pathname).toBe(
      `/momo/callback/${stack.config.webhooks.momoCallbackSecret}/collection/${id}`,
    );
    expect(await callbacks().list('momo', id)).toEqual([
      expect.objectContaining({
        operator: 'momo',
        product: 'collection',
        referenceId: id,
        status: 'SUCCESSFUL',
        reason: null,
        raw: expect.objectContaining({ externalId: movement.reference, amount: '4000', status: 'SUCCESSFUL' }),
      }),
    ]);
  });

  test('the sandbox POSTs its callback: a payment declined on the phone ends as rejected at once', async () => {
    const phone = newMomoPayer(10_000n, { approval: 'never' });
    const movement = debit(phone, 'mtn-ug', 1_000n);
    const id = uuidV4FromReference(movement.reference);
    momoServer.callbackMethod = 'POST';
    try {
      const result = momo().debit(movement);
      await until(() => momoServer.statusReads(id) === 1);
      momoServer.decide(id, false);
      expect(await result).toMatchObject({ status: 'rejected', reason: 'APPROVAL_REJECTED' });
    } finally {
      momoServer.callbackMethod = 'PUT';
    }
    expect(momoServer.statusReads(id)).toBe(2);
    expect(momoServer.balance(phone)).toBe(10_000n);
    expect(await callbacks().list('momo', id)).toEqual([
      expect.objectContaining({ status: 'FAILED', reason: 'APPROVAL_REJECTED' }),
    ]);
  });

  test('a forged callback: the wrong secret is refused (401) and kept nowhere; with the right secret, a SUCCESSFUL MoMo does not confirm commits nothing', async () => {
    const phone = newMomoPayer(10_000n, { approval: 'never' });
    const movement = debit(phone, 'mtn-ug', 2_500n);
    const id = uuidV4FromReference(movement.reference);
    const forged = { externalId: movement.reference, amount: '2500', currency: 'UGX', status: 'SUCCESSFUL' };

    const wrong = await send(`/momo/callback/not-the-secret-0123456789/collection/${id}`, forged, 'PUT');
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'Unauthorized' } } });
    expect(await callbacks().list('momo', id)).toEqual([]);

    const result = momo({ approvalTimeoutMs: 1500 }).debit(movement);
    await until(() => momoServer.statusReads(id) === 1);
    const path = `/momo/callback/${stack.config.webhooks.momoCallbackSecret}/collection/${id}`;
    expect(await send(path, forged, 'PUT')).toMatchObject({ status: 200, body: { status: 'recorded' } });

    // The callback woke the wait; MoMo's status said PENDING, so the debit is still pending, not committed.
    await expect(result).rejects.toThrow(TelcoPendingError);
    expect(momoServer.statusReads(id)).toBe(2);
    expect(momoServer.movementsOf(phone)).toEqual([]);
    expect(momoServer.balance(phone)).toBe(10_000n);
    await expect(momo().status({ reference: movement.reference, operator: 'mtn-ug', kind: 'debit' })).rejects.toThrow(
      TelcoPendingError,
    );
  });

  test('a duplicate callback is harmless: kept once, answered 200, and the money moved once', async () => {
    const phone = newMomoPayer(10_000n);
    const movement = debit(phone, 'mtn-ug', 3_000n);
    const id = uuidV4FromReference(movement.reference);
    expect(await momo().debit(movement)).toMatchObject({ status: 'committed' });
    await momoServer.callbacksDelivered();

    momoServer.notify(momoServer.payments.get(id)!); // MoMo repeats it (its retries when an answer was slow)
    await momoServer.callbacksDelivered();

    expect(momoServer.callbacks.filter((c) => c.id === id).map((c) => c.httpStatus)).toEqual([200, 200]);
    expect(await callbacks().list('momo', id)).toHaveLength(1);
    expect(await momo().debit(movement)).toMatchObject({ status: 'committed' });
    expect(momoServer.movementsOf(phone)).toHaveLength(1);
    expect(momoServer.balance(phone)).toBe(7_000n);
  });
});

describe('Airtel Money', () => {
  test('a collection approved on the phone is committed as its callback arrives: one more status read, no waiting for the next poll', async () => {
    const { phone, national } = newAirtelSubscriber(10_000n, { approval: 'never' });
    const movement = debit(phone, 'airtel-ug', 4_000n);
    const id = uuidFromReference(movement.reference);
    const result = airtel().debit(movement);
    await until(() => airtelServer.statusReads(id) === 1);

    airtelServer.decide(id, true);

    expect(await result).toEqual({ reference: movement.reference, status: 'committed' });
    expect(airtelServer.statusReads(id)).toBe(2);
    expect(airtelServer.movementsOf(national)).toHaveLength(1);
    expect(await callbacks().list('airtel', id)).toEqual([
      expect.objectContaining({
        operator: 'airtel',
        product: '',
        referenceId: id,
        status: 'TS',
        raw: {
          transaction: expect.objectContaining({ id, status_code: 'TS', airtel_money_id: `AM-${id.slice(0, 8)}` }),
        },
      }),
    ]);
  });

  test('a forged callback: the wrong secret is refused (401) and kept nowhere; with the right secret, a TS Airtel does not confirm commits nothing', async () => {
    const { phone, national } = newAirtelSubscriber(10_000n, { approval: 'never' });
    const movement = debit(phone, 'airtel-ug', 2_500n);
    const id = uuidFromReference(movement.reference);
    const forged = { transaction: { id, message: 'Paid', status_code: 'TS', airtel_money_id: 'AM-forged' } };

    const wrong = await send('/airtel/callback/not-the-secret-0123456789', forged);
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'Unauthorized' } } });
    expect(await callbacks().list('airtel', id)).toEqual([]);

    const result = airtel({ approvalTimeoutMs: 1500 }).debit(movement);
    await until(() => airtelServer.statusReads(id) === 1);
    const path = `/airtel/callback/${stack.config.webhooks.airtelCallbackSecret}`;
    expect(await send(path, forged)).toMatchObject({ status: 200, body: { status: 'recorded' } });

    await expect(result).rejects.toThrow(TelcoPendingError);
    expect(airtelServer.statusReads(id)).toBe(2);
    expect(airtelServer.movementsOf(national)).toEqual([]);
    expect(airtelServer.balance(national)).toBe(10_000n);
  });

  test('a duplicate callback is harmless: kept once, answered 200, and the money moved once', async () => {
    const { phone, national } = newAirtelSubscriber(10_000n);
    const movement = debit(phone, 'airtel-ug', 3_000n);
    const id = uuidFromReference(movement.reference);
    expect(await airtel().debit(movement)).toMatchObject({ status: 'committed' });
    await airtelServer.callbacksDelivered();

    airtelServer.notify(airtelServer.payments.get(id)!);
    await airtelServer.callbacksDelivered();

    expect(airtelServer.callbacks.filter((c) => c.id === id).map((c) => c.httpStatus)).toEqual([200, 200]);
    expect(await callbacks().list('airtel', id)).toHaveLength(1);
    expect(await airtel().debit(movement)).toMatchObject({ status: 'committed' });
    expect(airtelServer.movementsOf(national)).toHaveLength(1);
    expect(airtelServer.balance(national)).toBe(7_000n);
  });

  test('a callback that does not fit is refused with 400 and kept nowhere', async () => {
    const path = `/airtel/callback/${stack.config.webhooks.airtelCallbackSecret}`;
    expect(await send(path, { transaction: { id: 'not-ours', status_code: 'TS' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'InvalidRequest' } },
    });
  });
});

test('no log line carries a callback secret: refused, kept, malformed and unstorable callbacks alike', async () => {
  let logged = '';
  const log = createLogger('debug', 'test', {
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        logged += chunk.toString();
        done();
      },
    }),
  });
  const app = createApp({ ...stack.runtime, temporal: stack.client, log });
  const { momoCallbackSecret, airtelCallbackSecret } = stack.config.webhooks;
  const id = uuidV4FromReference(`conversion:test-callback-log:${Date.now()}:debit`);
  const call = (path: string, body: unknown) =>
    app.request(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const guessed = `${momoCallbackSecret.slice(0, -1)}x`;
  expect((await call(`/momo/callback/${guessed}/collection/${id}`, { status: 'SUCCESSFUL' })).status).toBe(401);
  expect((await call(`/momo/callback/${momoCallbackSecret}/collection/${id}`, { status: 'FAILED' })).status).toBe(200);
  expect((await call(`/momo/callback/${momoCallbackSecret}/collection/${id}`, { status: 42 })).status).toBe(400);
  const nul = { transaction: { id, message: 'bad\u0000text', status_code: 'TF' } };
  const unstorable = await app.request(`/airtel/callback/${airtelCallbackSecret}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(nul),
  });
  expect(unstorable.status).toBe(400);

  expect(logged).toContain('webhook refused');
  expect(logged).toContain('operator callback');
  for (const secret of [momoCallbackSecret, airtelCallbackSecret, guessed]) expect(logged).not.toContain(secret);
});
