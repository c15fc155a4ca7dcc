/** What the chain writer carries over continue-as-new of the entries it settled, and what it writes again. */
import {
  DEADLINE_MARGIN_SECONDS,
  isNewAttempt,
  toRememberNextRun,
} from '../../../workflows/shared/chain-writer-memory';
import type { ChainWriteOutcome, RememberedOutcome } from '../../../workflows/definitions/chain-writer';

const now = 1_800_000_000;
const settled = (reference: string, status: ChainWriteOutcome['status'], reason?: string, deadline = now + 600) => ({
  outcome: { reference, status, reason, txHash: '0xabc', blockNumber: 7 },
  deadline,
});
const references = (carried: RememberedOutcome[]) => carried.map((r) => r.outcome.reference);

test('a new run remembers the skips a rewrite could still land (short balance, bad signature, zero receiver, reverted), not the rest', () => {
  const run = [
    settled('applied', 'applied'),
    settled('short', 'skipped', 'InsufficientBalance'),
    settled('used', 'skipped', 'ReferenceUsed'),
    settled('expired', 'skipped', 'Expired'),
    settled('forged', 'skipped', 'BadSignature'),
    settled('nobody', 'skipped', 'ZeroReceiver'),
    settled('zero-ref', 'skipped', 'ZeroReference'),
    settled('given-up', 'skipped', 'Reverted'),
  ];

  expect(references(toRememberNextRun(run, now))).toEqual(['short', 'forged', 'nobody', 'given-up']);
  // Carried as they were: the outcome a duplicate is told, and the deadline that ends the memory.
  expect(toRememberNextRun(run, now)[0]).toEqual(run[1]);
});

test('a skip is forgotten only once its deadline is past by the margin (workflow time may run ahead of the chain)', () => {
  const run = [
    settled('passed-long-ago', 'skipped', 'InsufficientBalance', now - DEADLINE_MARGIN_SECONDS - 1),
    settled('passed-within-margin', 'skipped', 'InsufficientBalance', now - DEADLINE_MARGIN_SECONDS),
    settled('passed-just-now', 'skipped', 'Reverted', now - 1),
    settled('still-open', 'skipped', 'InsufficientBalance', now + 600),
  ];

  expect(references(toRememberNextRun(run, now))).toEqual(['passed-within-margin', 'passed-just-now', 'still-open']);
  expect(toRememberNextRun([], now)).toEqual([]);
});

test('a skip is written again only for a higher attempt; applied or a used reference is told whatever the attempt', () => {
  const expired = settled('expired', 'skipped', 'Expired');

  // A conversion's hand-over re-run on replay carries no attempt: a duplicate, told the skip.
  expect(isNewAttempt(expired, {})).toBe(false);
  expect(isNewAttempt(expired, { attempt: 0 })).toBe(false);
  // An owed mint handed over again carries its next round: written anew.
  expect(isNewAttempt(expired, { attempt: 1 })).toBe(true);
  expect(isNewAttempt(settled('short', 'skipped', 'InsufficientBalance'), { attempt: 1 })).toBe(true);
  // Remembered with its attempt: the same round re-run on replay, or an older one, is a duplicate.
  expect(isNewAttempt({ ...expired, attempt: 2 }, { attempt: 2 })).toBe(false);
  expect(isNewAttempt({ ...expired, attempt: 2 }, { attempt: 1 })).toBe(false);
  expect(isNewAttempt({ ...expired, attempt: 2 }, { attempt: 3 })).toBe(true);
  // The reference is spent: nothing to attempt again.
  expect(isNewAttempt(settled('applied', 'applied'), { attempt: 5 })).toBe(false);
  expect(isNewAttempt(settled('used', 'skipped', 'ReferenceUsed'), { attempt: 5 })).toBe(false);
});
