/**
 * A PIN check holds no lock while scrypt runs (issue 25): it computes its outcome from the state it read and
 * records it in one statement that checks that state again under the row's lock. These are the races that
 * statement must decide as if the checks had run one after another: a hop delivered several times at once,
 * wrong PINs from several sessions of one number at once, and a check whose state changed after it was read.
 */
import { randomUUID } from 'node:crypto';
import { createSecretHandler, hashPin, verifyPin } from '../../lib/pins';
import { createUssdRepo } from '../../lib/db/ussd';
import { openStack, type TestStackHandle } from '../support/stack';
import { registeredPayer } from '../support/money';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

const PEPPER = 'pin-checks-pepper-0123456789';

const profile = async (phone: string) => (await createUssdRepo(stack.runtime.pool).profile(phone))!;

test('a PIN hop delivered four times at once counts once, and every delivery gets the first answer', async () => {
  const phone = await registeredPayer(stack.runtime.pool, '7391', PEPPER);
  const check = createSecretHandler(createUssdRepo(stack.runtime.pool), PEPPER);
  const sessionId = `ATUid_${randomUUID()}`;
  const answers = await Promise.all([1, 2, 3, 4].map(() => check(sessionId, 4, phone, 'pin', '1111')));
  expect(answers).toEqual(Array(4).fill({ kind: 'pin', result: 'wrong', attemptsLeft: 2 }));
  expect((await profile(phone)).pinFailedAttempts).toBe(1);
  // Later, even with the right PIN in it, a delivery of that hop is the same wrong answer, not counted again.
  expect(await check(sessionId, 4, phone, 'pin', '7391')).toEqual(answers[0]);
  expect((await profile(phone)).pinFailedAttempts).toBe(1);
});

test('six wrong PINs from six sessions of one number at once: two tries left, one left, then locked; nothing after', async () => {
  const phone = await registeredPayer(stack.runtime.pool, '7391', PEPPER);
  const check = createSecretHandler(createUssdRepo(stack.runtime.pool), PEPPER);
  const answers = await Promise.all(
    ['1111', '2222', '3333', '4444', '5555', '6666'].map((pin) => check(`sms:${randomUUID()}`, 1, phone, 'pin', pin)),
  );
  const wrong = answers.filter((a) => a.kind === 'pin' && a.result === 'wrong');
  expect(wrong.map((a) => a.kind === 'pin' && a.result === 'wrong' && a.attemptsLeft).sort()).toEqual([1, 2]);
  expect(answers.filter((a) => a.kind === 'pin' && a.result === 'locked')).toHaveLength(4);
  const after = await profile(phone);
  expect(after.pinFailedAttempts).toBe(3);
  expect(after.pinLockedAt).not.toBeNull();
  expect(await check(`sms:${randomUUID()}`, 1, phone, 'pin', '7391')).toEqual({ kind: 'pin', result: 'locked' });
});

test('a check whose state changed after the hop read it is decided on the state it finds', async () => {
  const phone = await registeredPayer(stack.runtime.pool, '7391', PEPPER);
  const repo = createUssdRepo(stack.runtime.pool);
  const check = createSecretHandler(repo, PEPPER);
  const sessionId = `ATUid_${randomUUID()}`;
  // Read by the hop, then two wrong PINs elsewhere before this one is recorded.
  const read = await repo.secretState(sessionId, 3, phone);
  expect(read.pinFailedAttempts).toBe(0);
  await check(`sms:${randomUUID()}`, 1, phone, 'pin', '1111');
  await check(`sms:${randomUUID()}`, 1, phone, 'pin', '2222');
  expect(await check(sessionId, 3, phone, 'pin', '3333', read)).toEqual({ kind: 'pin', result: 'locked' });
  expect((await profile(phone)).pinFailedAttempts).toBe(3);
  // Read while the number was locked; ops set a new PIN before it is recorded: checked against the new one.
  const locked = await repo.secretState(sessionId, 5, phone);
  await repo.setPin(phone, await hashPin('2468', PEPPER));
  expect(await check(sessionId, 5, phone, 'pin', '2468', locked)).toEqual({ kind: 'pin', result: 'ok' });
});

test('a hash from before the pepper: the right PIN passes, clears the failures and is stored peppered', async () => {
  const phone = await registeredPayer(stack.runtime.pool, '7391');
  const check = createSecretHandler(createUssdRepo(stack.runtime.pool), PEPPER);
  expect(await check(`sms:${randomUUID()}`, 1, phone, 'pin', '0000')).toMatchObject({ result: 'wrong' });
  expect(await check(`sms:${randomUUID()}`, 1, phone, 'pin', '7391')).toEqual({ kind: 'pin', result: 'ok' });
  const after = await profile(phone);
  expect(after.pinFailedAttempts).toBe(0);
  expect(after.pinHash).toMatch(/^scrypt-hmac\$/);
  expect(await verifyPin('7391', after.pinHash!, PEPPER)).toBe(true);
});
