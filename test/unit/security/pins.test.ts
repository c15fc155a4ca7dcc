/**
 * PINs with a server-side pepper (issue 23): scrypt alone let a database dump search the 10,000 PINs offline;
 * keyed by an HMAC with PIN_PEPPER first, a dump without the pepper matches no PIN. Older hashes still verify.
 */
import { hashPin, needsUpgrade, verifyPin } from '../../../lib/pins';

const PEPPER = 'the-production-pepper-0123456789';

test('a peppered hash verifies with the pepper only: a dump searched without it finds no PIN', async () => {
  const stored = await hashPin('2468', PEPPER);
  expect(stored).toMatch(/^scrypt-hmac\$16384\$8\$1\$/);
  expect(await verifyPin('2468', stored, PEPPER)).toBe(true);
  expect(await verifyPin('1357', stored, PEPPER)).toBe(false);
  // The offline search: every PIN against the dump, without the pepper (or with a guessed one).
  expect(await verifyPin('2468', stored)).toBe(false);
  expect(await verifyPin('2468', stored, 'a-guess-at-the-pepper')).toBe(false);
});

test('a hash from before the pepper still verifies, and is marked for an upgrade at the next right PIN', async () => {
  const old = await hashPin('2468');
  expect(old).toMatch(/^scrypt\$/);
  expect(await verifyPin('2468', old, PEPPER)).toBe(true);
  expect(needsUpgrade(old, PEPPER)).toBe(true);
  expect(needsUpgrade(await hashPin('2468', PEPPER), PEPPER)).toBe(false);
});
