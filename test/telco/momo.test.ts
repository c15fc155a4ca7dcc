/**
 * The MTN MoMo adapter against a local MoMo (test/support/protocol/momo-server.ts): each movement once,
 * whatever fails in between, and MoMo's answers as the person should read them.
 */
import { randomInt } from 'node:crypto';
import { MomoOperator, type MomoConfig } from '../../lib/telco/momo';
import { uuidFromReference, uuidV4FromReference } from '../../lib/telco/ids';
import { TelcoPendingError, TelcoReferenceConflictError, TelcoTimeoutError } from '../../lib/telco/types';
import { MomoServer, type MomoPayer } from '../support/protocol/momo-server';

const credentials = {
  collection: { subscriptionKey: 'coll-sub-key', apiUser: '0b5a5c1e-user', apiKey: 'coll-api-key' },
  disbursement: { subscriptionKey: 'disb-sub-key', apiUser: '7c1d2e3f-user', apiKey: 'disb-api-key' },
};

let server: MomoServer;
beforeAll(async () => {
  server = await new MomoServer({ currency: 'UGX', digits: 0, targetEnvironment: 'mtnuganda', ...credentials }).start();
});
afterAll(() => server.stop());

function momo(overrides: Partial<MomoConfig> = {}): MomoOperator {
  return new MomoOperator({
    baseUrl: server.url,
    targetEnvironment: 'mtnuganda',
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

/** A fresh MTN Uganda number with a MoMo wallet. */
function newPayer(balanceMinor: bigint, extra: Omit<MomoPayer, 'balanceMinor'> = {}) {
  const phone = `+25677${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  server.payer(phone, { balanceMinor, ...extra });
  return phone;
}

let seq = 0;
const ref = (what: string) => `conversion:test:${Date.now()}-${++seq}:${what}`;
const debit = (phoneNumber: string, amountMinor: bigint, reference = ref('debit')) => ({
  phoneNumber,
  operator: 'mtn-ug',
  amountMinor,
  reference,
});

test('a request-to-pay the payer approves debits once and status finds it committed', async () => {
  const phone = newPayer(100_000n);
  const adapter = momo();
  const movement = debit(phone, 25_000n);
  const recorded = { kind: 'debit', phoneNumber: phone, amountMinor: 25_000n };
  expect(await adapter.debit(movement)).toEqual({ reference: movement.reference, status: 'committed', recorded });
  expect(server.balance(phone)).toBe(75_000n);
  expect(server.movementsOf(phone)).toEqual([
    {
      partyId: phone.slice(1),
      product: 'collection',
      amountMinor: 25_000n,
      id: uuidV4FromReference(movement.reference),
    },
  ]);
  expect(await adapter.status({ reference: movement.reference, operator: 'mtn-ug', kind: 'debit' })).toEqual({
    reference: movement.reference,
    status: 'committed',
    recorded,
  });
});

test('MoMo keeps the balance to itself: checkBalance answers it as unknown', async () => {
  expect(await momo().checkBalance('+256772123456', 'mtn-ug')).toEqual({
    phoneNumber: '+256772123456',
    operator: 'mtn-ug',
    currency: 'UGX',
    balanceMinor: null,
  });
});

test('NOT_ENOUGH_FUNDS is InsufficientAirtime, said plainly, and moves nothing', async () => {
  const phone = newPayer(100n);
  const result = await momo().debit(debit(phone, 1_000n));
  expect(result).toMatchObject({
    status: 'rejected',
    reason: 'InsufficientAirtime',
    message: 'not enough money in the MoMo account',
  });
  expect(server.balance(phone)).toBe(100n);
  expect(server.movementsOf(phone)).toEqual([]);
});

test('a number without a MoMo wallet is PAYER_NOT_FOUND, a declined approval APPROVAL_REJECTED, a full limit PAYER_LIMIT_REACHED', async () => {
  const adapter = momo();
  expect(await adapter.debit(debit('+256779999000', 500n))).toMatchObject({
    status: 'rejected',
    reason: 'PAYER_NOT_FOUND',
    message: 'this number has no MoMo account',
  });
  const declining = newPayer(10_000n, { approval: 'reject' });
  expect(await adapter.debit(debit(declining, 500n))).toMatchObject({
    status: 'rejected',
    reason: 'APPROVAL_REJECTED',
    message: 'the payment was declined on the phone',
  });
  const limited = newPayer(10_000n, { limitReached: true });
  expect(await adapter.debit(debit(limited, 500n))).toMatchObject({
    status: 'rejected',
    reason: 'PAYER_LIMIT_REACHED',
  });
  expect(server.balance(declining)).toBe(10_000n);
  expect(server.balance(limited)).toBe(10_000n);
});

test('a 5xx before MoMo took the request is an unknown outcome; status finds nothing and the retry debits once', async () => {
  const phone = newPayer(10_000n);
  const adapter = momo();
  const movement = debit(phone, 2_000n);
  server.failNext(1, 500, true);
  await expect(adapter.debit(movement)).rejects.toThrow(TelcoTimeoutError);
  expect(await adapter.status({ reference: movement.reference, operator: 'mtn-ug', kind: 'debit' })).toBeUndefined();
  expect(await adapter.debit(movement)).toMatchObject({ status: 'committed' });
  expect(server.movementsOf(phone)).toHaveLength(1);
  expect(server.balance(phone)).toBe(8_000n);
});

test('a timeout after MoMo committed: status says committed, and the retry (409, same id) moves nothing more', async () => {
  const phone = newPayer(10_000n);
  const adapter = momo({ limits: { timeoutMs: 400 } });
  const movement = debit(phone, 3_000n);
  server.hangAfterCommitNext();
  await expect(adapter.debit(movement)).rejects.toThrow(TelcoTimeoutError);
  expect(await adapter.status({ reference: movement.reference, operator: 'mtn-ug', kind: 'debit' })).toMatchObject({
    status: 'committed',
  });
  expect(await adapter.debit(movement)).toMatchObject({ status: 'committed' });
  expect(server.movementsOf(phone)).toHaveLength(1);
  expect(server.balance(phone)).toBe(7_000n);
});

test('a reused reference returns the first result; reused for another amount it is a conflict, never a second debit', async () => {
  const phone = newPayer(10_000n);
  const adapter = momo();
  const movement = debit(phone, 1_000n);
  await adapter.debit(movement);
  expect(await adapter.debit(movement)).toMatchObject({ status: 'committed' });
  await expect(adapter.debit({ ...movement, amountMinor: 2_000n })).rejects.toThrow(TelcoReferenceConflictError);
  expect(server.movementsOf(phone)).toHaveLength(1);
  expect(server.balance(phone)).toBe(9_000n);
});

test('PENDING until the payer approves: the debit polls until SUCCESSFUL', async () => {
  const phone = newPayer(10_000n, { approval: { afterPolls: 4 } });
  const movement = debit(phone, 4_000n);
  expect(await momo().debit(movement)).toMatchObject({ status: 'committed' });
  expect(server.payments.get(uuidV4FromReference(movement.reference))?.polls).toBeGreaterThanOrEqual(4);
  expect(server.movementsOf(phone)).toHaveLength(1);
});

test('still PENDING after the approval wait: pending, not failed; once approved, status and a retry find it committed', async () => {
  const phone = newPayer(10_000n, { approval: 'never' });
  const adapter = momo({ approvalTimeoutMs: 100 });
  const movement = debit(phone, 1_500n);
  const lookup = { reference: movement.reference, operator: 'mtn-ug', kind: 'debit' as const };
  await expect(adapter.debit(movement)).rejects.toThrow(TelcoPendingError);
  await expect(adapter.status(lookup)).rejects.toThrow(TelcoPendingError);
  expect(server.balance(phone)).toBe(10_000n);
  server.decide(uuidV4FromReference(movement.reference), true);
  expect(await adapter.status(lookup)).toMatchObject({ status: 'committed' });
  expect(await adapter.debit(movement)).toMatchObject({ status: 'committed' });
  expect(server.movementsOf(phone)).toHaveLength(1);
});

test('an expired token is refreshed and the call goes through', async () => {
  const phone = newPayer(10_000n);
  const adapter = momo();
  await adapter.debit(debit(phone, 100n));
  const issued = server.tokensIssued;
  server.expireTokens();
  expect(await adapter.debit(debit(phone, 100n))).toMatchObject({ status: 'committed' });
  expect(server.tokensIssued).toBe(issued + 1);
  expect(server.movementsOf(phone)).toHaveLength(2);
});

test('wrong credentials are a configuration error: final at once (OperatorRejected, never retried), nothing moved', async () => {
  const phone = newPayer(10_000n);
  const adapter = momo({ collection: { ...credentials.collection, apiKey: 'wrong' } });
  await expect(adapter.debit(debit(phone, 100n))).rejects.toMatchObject({
    name: 'OperatorAuthError',
    code: 'OperatorRejected',
    message: expect.stringMatching(/credentials were refused/),
  });
  expect(server.movementsOf(phone)).toEqual([]);
});

test('a movement begun before the v4 ids (under its v5 id) is found and finished, never paid a second time', async () => {
  const phone = newPayer(10_000n);
  const movement = debit(phone, 1_500n);
  const legacyId = uuidFromReference(movement.reference);
  // What the adapter of before sent: the same request under the v5 id (the server took v5 ids then).
  const token = (await (
    await fetch(`${server.url}/collection/token/`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('0b5a5c1e-user:coll-api-key').toString('base64')}`,
        'ocp-apim-subscription-key': 'coll-sub-key',
      },
    })
  ).json()) as { access_token: string };
  server.acceptAnyReferenceIdOnce();
  const res = await fetch(`${server.url}/collection/v1_0/requesttopay`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token.access_token}`,
      'ocp-apim-subscription-key': 'coll-sub-key',
      'x-target-environment': 'mtnuganda',
      'x-reference-id': legacyId,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      amount: '1500',
      currency: 'UGX',
      externalId: movement.reference,
      payer: { partyIdType: 'MSISDN', partyId: phone.slice(1) },
    }),
  });
  expect(res.status).toBe(202);
  const adapter = momo();
  expect(await adapter.status({ reference: movement.reference, operator: 'mtn-ug', kind: 'debit' })).toMatchObject({
    status: 'committed',
  });
  expect(await adapter.debit(movement)).toMatchObject({ status: 'committed' });
  expect(server.movementsOf(phone)).toEqual([
    { partyId: phone.slice(1), product: 'collection', amountMinor: 1_500n, id: legacyId },
  ]);
  expect(server.balance(phone)).toBe(8_500n);
});

test('a credit is a disbursement transfer: once per reference, found by status; an unknown payee is refused', async () => {
  const phone = newPayer(0n);
  const adapter = momo();
  const credit = { ...debit(phone, 5_000n), reference: ref('refund') };
  expect(await adapter.credit(credit)).toMatchObject({ status: 'committed' });
  expect(await adapter.credit(credit)).toMatchObject({ status: 'committed' });
  expect(server.balance(phone)).toBe(5_000n);
  expect(await adapter.status({ reference: credit.reference, operator: 'mtn-ug', kind: 'credit' })).toMatchObject({
    status: 'committed',
  });
  // A debit's lookup asks collections, which never saw this reference.
  expect(await adapter.status({ reference: credit.reference, operator: 'mtn-ug', kind: 'debit' })).toBeUndefined();
  expect(await adapter.credit({ ...debit('+256779999001', 100n), reference: ref('credit') })).toMatchObject({
    status: 'rejected',
    reason: 'PAYEE_NOT_FOUND',
  });
});
