/**
 * The Airtel Money adapter against a local Airtel Open API (test/support/protocol/airtel-server.ts): each
 * movement once, whatever fails in between, and Airtel's answers as the person should read them.
 */
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AirtelOperator, type AirtelConfig } from '../../lib/telco/airtel';
import { uuidFromReference } from '../../lib/telco/ids';
import { TelcoPendingError, TelcoTimeoutError } from '../../lib/telco/types';
import { AirtelServer, type AirtelSubscriber } from '../support/protocol/airtel-server';

const credentials = {
  clientId: 'airtel-client-id',
  clientSecret: 'airtel-client-secret',
  disbursementPin: 'ENC-PIN==',
};

let server: AirtelServer;
beforeAll(async () => {
  server = await new AirtelServer({ country: 'UG', currency: 'UGX', digits: 0, ...credentials }).start();
});
afterAll(() => server.stop());

function airtel(overrides: Partial<AirtelConfig> = {}): AirtelOperator {
  return new AirtelOperator({
    baseUrl: server.url,
    country: 'UG',
    currency: 'UGX',
    ...credentials,
    approvalTimeoutMs: 3000,
    pollInitialMs: 10,
    pollMaxMs: 50,
    // Generous for a loaded machine (a first call there took more than 400 ms); the timeout test sets its own.
    limits: { timeoutMs: 3000 },
    ...overrides,
  });
}

/** A fresh Airtel Uganda number with a wallet: E.164 for the port, national for Airtel. */
function newSubscriber(balanceMinor: bigint, extra: Omit<AirtelSubscriber, 'balanceMinor'> = {}) {
  const national = `75${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  server.subscriber(national, { balanceMinor, ...extra });
  return { phone: `+256${national}`, national };
}

let seq = 0;
const ref = (what: string) => `conversion:test:${Date.now()}-${++seq}:${what}`;
const movement = (phoneNumber: string, amountMinor: bigint, reference = ref('debit')) => ({
  phoneNumber,
  operator: 'airtel-ug',
  amountMinor,
  reference,
});
const lookup = (reference: string, kind: 'debit' | 'credit' = 'debit') => ({ reference, operator: 'airtel-ug', kind });

test('a collection the payer approves debits once, with the national number, and status finds it', async () => {
  const { phone, national } = newSubscriber(100_000n);
  const m = movement(phone, 25_000n);
  expect(await airtel().debit(m)).toEqual({ reference: m.reference, status: 'committed' });
  expect(server.balance(national)).toBe(75_000n);
  expect(server.movementsOf(national)).toEqual([
    { msisdn: national, product: 'collection', amountMinor: 25_000n, id: uuidFromReference(m.reference) },
  ]);
  expect(await airtel().status(lookup(m.reference))).toMatchObject({ status: 'committed' });
});

test('Airtel keeps the balance to itself: checkBalance answers it as unknown', async () => {
  expect((await airtel().checkBalance('+256752123456', 'airtel-ug')).balanceMinor).toBeNull();
});

test('not enough balance is InsufficientAirtime, said plainly, and moves nothing', async () => {
  const { phone, national } = newSubscriber(100n);
  expect(await airtel().debit(movement(phone, 1_000n))).toMatchObject({
    status: 'rejected',
    reason: 'InsufficientAirtime',
    message: 'not enough money in the Airtel Money account',
  });
  expect(server.balance(national)).toBe(100n);
  expect(server.movementsOf(national)).toEqual([]);
});

test('an amount with more decimals than UGX has, or of 0, is refused as a bad request (ESB000010), not truncated: nothing moves', async () => {
  const { national } = newSubscriber(100_000n);
  const { access_token: token } = (await (
    await fetch(`${server.url}/auth/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        grant_type: 'client_credentials',
      }),
    })
  ).json()) as { access_token: string };
  for (const amount of [100.5, 0.25, 0]) {
    const id = `bad-amount-${Date.now()}-${++seq}`;
    const res = await fetch(`${server.url}/merchant/v1/payments/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-country': 'UG',
        'x-currency': 'UGX',
      },
      body: JSON.stringify({
        reference: 'TXTC',
        subscriber: { country: 'UG', currency: 'UGX', msisdn: national },
        transaction: { amount, country: 'UG', currency: 'UGX', id },
      }),
    });
    expect({ amount, status: res.status, body: await res.json() }).toEqual({
      amount,
      status: 400,
      body: {
        data: { transaction: {} },
        status: expect.objectContaining({ success: false, response_code: 'ESB000010' }),
      },
    });
    expect(server.payments.has(id)).toBe(false);
  }
  expect(server.balance(national)).toBe(100_000n);
  expect(server.movementsOf(national)).toEqual([]);
});

test('a number without an Airtel Money wallet is refused; a declined push too; nothing moves', async () => {
  const adapter = airtel();
  expect(await adapter.debit(movement('+256759999000', 500n))).toMatchObject({ status: 'rejected' });
  const { phone, national } = newSubscriber(10_000n, { approval: 'reject' });
  expect(await adapter.debit(movement(phone, 500n))).toMatchObject({
    status: 'rejected',
    message: 'the payment was declined on the phone',
  });
  expect(server.balance(national)).toBe(10_000n);
});

test('a 5xx before Airtel took the request is an unknown outcome; status finds nothing and the retry debits once', async () => {
  const { phone, national } = newSubscriber(10_000n);
  const adapter = airtel();
  const m = movement(phone, 2_000n);
  server.failNext(1, 502);
  await expect(adapter.debit(m)).rejects.toThrow(TelcoTimeoutError);
  expect(await adapter.status(lookup(m.reference))).toBeUndefined();
  expect(await adapter.debit(m)).toMatchObject({ status: 'committed' });
  expect(server.movementsOf(national)).toHaveLength(1);
});

test('a timeout after Airtel committed: status says committed, and the retry (same id, refused as a repeat) moves nothing more', async () => {
  const { phone, national } = newSubscriber(10_000n);
  const adapter = airtel({ limits: { timeoutMs: 400 } });
  const m = movement(phone, 3_000n);
  server.hangAfterCommitNext();
  await expect(adapter.debit(m)).rejects.toThrow(TelcoTimeoutError);
  expect(await adapter.status(lookup(m.reference))).toMatchObject({ status: 'committed' });
  expect(await adapter.debit(m)).toMatchObject({ status: 'committed' });
  expect(server.movementsOf(national)).toHaveLength(1);
  expect(server.balance(national)).toBe(7_000n);
});

test('a reused reference returns the first result and never debits twice', async () => {
  const { phone, national } = newSubscriber(10_000n);
  const adapter = airtel();
  const m = movement(phone, 1_000n);
  await adapter.debit(m);
  expect(await adapter.debit(m)).toMatchObject({ status: 'committed' });
  expect(server.movementsOf(national)).toHaveLength(1);
});

test('in progress until the payer approves: the debit polls until TS', async () => {
  const { phone, national } = newSubscriber(10_000n, { approval: { afterPolls: 3 } });
  const m = movement(phone, 4_000n);
  expect(await airtel().debit(m)).toMatchObject({ status: 'committed' });
  expect(server.payments.get(uuidFromReference(m.reference))?.polls).toBeGreaterThanOrEqual(3);
  expect(server.movementsOf(national)).toHaveLength(1);
});

test('still in progress after the approval wait: pending, not failed; once approved, status finds it committed', async () => {
  const { phone, national } = newSubscriber(10_000n, { approval: 'never' });
  const adapter = airtel({ approvalTimeoutMs: 100 });
  const m = movement(phone, 1_500n);
  await expect(adapter.debit(m)).rejects.toThrow(TelcoPendingError);
  await expect(adapter.status(lookup(m.reference))).rejects.toThrow(TelcoPendingError);
  server.decide(uuidFromReference(m.reference), true);
  expect(await adapter.status(lookup(m.reference))).toMatchObject({ status: 'committed' });
  expect(await adapter.debit(m)).toMatchObject({ status: 'committed' });
  expect(server.movementsOf(national)).toHaveLength(1);
});

test('an expired token is refreshed and the call goes through', async () => {
  const { phone, national } = newSubscriber(10_000n);
  const adapter = airtel();
  await adapter.debit(movement(phone, 100n));
  const issued = server.tokensIssued;
  server.expireTokens();
  expect(await adapter.debit(movement(phone, 100n))).toMatchObject({ status: 'committed' });
  expect(server.tokensIssued).toBe(issued + 1);
  expect(server.movementsOf(national)).toHaveLength(2);
});

test('a credit is a disbursement with the PIN: once per reference, found by status; without a PIN it is refused', async () => {
  const { phone, national } = newSubscriber(0n);
  const credit = movement(phone, 5_000n, ref('refund'));
  expect(await airtel().credit(credit)).toMatchObject({ status: 'committed' });
  expect(await airtel().credit(credit)).toMatchObject({ status: 'committed' });
  expect(server.balance(national)).toBe(5_000n);
  expect(await airtel().status(lookup(credit.reference, 'credit'))).toMatchObject({ status: 'committed' });
  expect(await airtel().status(lookup(credit.reference, 'debit'))).toBeUndefined();
  await expect(airtel({ disbursementPin: undefined }).credit(movement(phone, 1n, ref('credit')))).rejects.toMatchObject(
    {
      code: 'OperatorRejected',
    },
  );
});

describe('message signing (AIRTEL_SIGNING_PUBLIC_KEY_PATH): collections go signed to v2', () => {
  let dir: string;
  let signing: AirtelServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'txtc-airtel-'));
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'airtel.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'airtel.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    signing = await new AirtelServer({
      country: 'UG',
      currency: 'UGX',
      digits: 0,
      ...credentials,
      signingPrivateKeyPath: join(dir, 'airtel.key.pem'),
    }).start();
  });
  afterAll(async () => {
    await signing.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const signed = (overrides: Partial<AirtelConfig> = {}) =>
    new AirtelOperator({
      baseUrl: signing.url,
      country: 'UG',
      currency: 'UGX',
      ...credentials,
      approvalTimeoutMs: 3000,
      pollInitialMs: 10,
      pollMaxMs: 50,
      limits: { timeoutMs: 2000 },
      signingPublicKeyPath: join(dir, 'airtel.pub.pem'),
      ...overrides,
    });

  test('x-key and x-signature decrypt to the body: the collection is taken, once', async () => {
    const national = `75${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
    signing.subscriber(national, { balanceMinor: 10_000n });
    const m = movement(`+256${national}`, 4_000n);
    expect(await signed().debit(m)).toEqual({ reference: m.reference, status: 'committed' });
    expect(signing.movementsOf(national)).toHaveLength(1);
  });

  test('signed with another key, the server refuses it and nothing moves', async () => {
    const national = `75${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
    signing.subscriber(national, { balanceMinor: 10_000n });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    writeFileSync(join(dir, 'other.pub.pem'), other);
    await expect(
      signed({ signingPublicKeyPath: join(dir, 'other.pub.pem') }).debit(movement(`+256${national}`, 4_000n)),
    ).rejects.toMatchObject({ code: 'OperatorRejected' });
    expect(signing.movementsOf(national)).toEqual([]);
  });
});
