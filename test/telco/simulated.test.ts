import { createPool } from '../../lib/db/pool';
import { DEMO_ACCOUNTS, SimulatedOperator } from '../../lib/telco/simulated';
import { TelcoReferenceConflictError, TelcoTimeoutError, TelcoUnavailableError } from '../../lib/telco/types';
import { readStack } from '../support/stack-file';
import { airtimeBalance, newSafaricomNumber, telcoOperations, topUp } from '../support/money';

const pool = createPool(readStack().databaseUrl);
afterAll(async () => {
  await pool.end();
});

const move = (phoneNumber: string, amountMinor: bigint, reference: string) => ({
  phoneNumber,
  operator: 'safaricom-ke',
  amountMinor,
  reference,
});

test('a debit repeated with the same reference returns the first result and moves money once, even concurrently', async () => {
  const sim = new SimulatedOperator(pool);
  const phone = newSafaricomNumber();
  await topUp(pool, phone, 'safaricom-ke', 10000n);
  const results = await Promise.all(Array.from({ length: 10 }, () => sim.debit(move(phone, 2500n, `${phone}:d1`))));
  expect(new Set(results.map((r) => `${r.status}:${r.balanceAfterMinor}`))).toEqual(new Set(['committed:7500']));
  expect(await airtimeBalance(pool, phone)).toBe(7500n);
  expect(await telcoOperations(pool, phone)).toHaveLength(1);
});

test('a debit beyond the balance is rejected, recorded, and stays rejected when repeated', async () => {
  const sim = new SimulatedOperator(pool);
  const phone = newSafaricomNumber();
  await topUp(pool, phone, 'safaricom-ke', 100n);
  expect(await sim.debit(move(phone, 101n, `${phone}:big`))).toMatchObject({
    status: 'rejected',
    reason: 'InsufficientAirtime',
  });
  await topUp(pool, phone, 'safaricom-ke', 1000n);
  expect(await sim.debit(move(phone, 101n, `${phone}:big`))).toMatchObject({ status: 'rejected' });
  expect(await airtimeBalance(pool, phone)).toBe(1100n);
});

test('a reference reused for a different movement is a conflict, not a second movement', async () => {
  const sim = new SimulatedOperator(pool);
  const phone = newSafaricomNumber();
  await topUp(pool, phone, 'safaricom-ke', 1000n);
  await sim.debit(move(phone, 10n, `${phone}:r`));
  await expect(sim.debit(move(phone, 20n, `${phone}:r`))).rejects.toThrow(TelcoReferenceConflictError);
  await expect(sim.credit(move(phone, 10n, `${phone}:r`))).rejects.toThrow(TelcoReferenceConflictError);
  expect(await airtimeBalance(pool, phone)).toBe(990n);
});

test('failure injection: an error before committing moves nothing; a timeout after committing moved the money, and status says so', async () => {
  const phone = newSafaricomNumber();
  await topUp(pool, phone, 'safaricom-ke', 1000n);
  const failing = new SimulatedOperator(pool, { latencyMs: 0, errorRate: 1, timeoutAfterCommitRate: 0 });
  await expect(failing.debit(move(phone, 100n, `${phone}:e`))).rejects.toThrow(TelcoUnavailableError);
  expect(await failing.status({ reference: `${phone}:e`, operator: 'safaricom-ke', kind: 'debit' })).toBeUndefined();
  expect(await airtimeBalance(pool, phone)).toBe(1000n);

  const timingOut = new SimulatedOperator(pool, { latencyMs: 0, errorRate: 0, timeoutAfterCommitRate: 1 });
  await expect(timingOut.debit(move(phone, 100n, `${phone}:t`))).rejects.toThrow(TelcoTimeoutError);
  expect(await timingOut.status({ reference: `${phone}:t`, operator: 'safaricom-ke', kind: 'debit' })).toEqual({
    reference: `${phone}:t`,
    status: 'committed',
    balanceAfterMinor: 900n,
    recorded: { kind: 'debit', phoneNumber: phone, amountMinor: 100n },
  });
  expect(await airtimeBalance(pool, phone)).toBe(900n);
});

test('demo accounts are seeded once and keep their balances', async () => {
  const sim = new SimulatedOperator(pool);
  await sim.seedDemoAccounts();
  const demo = DEMO_ACCOUNTS[0]!;
  expect(await airtimeBalance(pool, demo.phoneNumber)).toBe(demo.balanceMinor);
  await sim.debit({ ...demo, amountMinor: 1n, reference: `demo-test:${Date.now()}` });
  await sim.seedDemoAccounts();
  expect(await airtimeBalance(pool, demo.phoneNumber)).toBe(demo.balanceMinor - 1n);
});

test('a balance check of an unknown number answers zero and opens no account', async () => {
  const sim = new SimulatedOperator(pool);
  const phone = newSafaricomNumber();
  expect(await sim.checkBalance(phone, 'safaricom-ke')).toEqual({
    phoneNumber: phone,
    operator: 'safaricom-ke',
    currency: 'KES',
    balanceMinor: 0n,
  });
  const { rowCount } = await pool.query('SELECT 1 FROM sim_telco_accounts WHERE phone_number = $1', [phone]);
  expect(rowCount).toBe(0);
});
