/** What the chain writer carries over continue-as-new of the entries it settled, and what it writes again. */
import {
  DEADLINE_MARGIN_SECONDS,
  isNewAttempt,
  toRememberNextRun,
} from '../../../workflows/shared/chain-writer-memory';
import {
  answersAttempt,
  outcomeFor,
  wordToKeep,
  type ChainWriteOutcome,
  type RememberedOutcome,
} from '../../../lib/definitions/chain-writer';

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

test('a skipped mint is written again only for a higher attempt; applied or a used reference is told whatever the attempt', () => {
  const expired = settled('expired', 'skipped', 'Expired');
  const mint = (attempt?: number) =>
    attempt === undefined ? { kind: 'mint' as const } : { kind: 'mint' as const, attempt };

  // A conversion's hand-over re-run on replay carries no attempt: a duplicate, told the skip.
  expect(isNewAttempt(expired, mint())).toBe(false);
  expect(isNewAttempt(expired, mint(0))).toBe(false);
  // An owed mint handed over again carries its next round: written anew.
  expect(isNewAttempt(expired, mint(1))).toBe(true);
  expect(isNewAttempt(settled('given-up', 'skipped', 'Reverted'), mint(1))).toBe(true);
  // Remembered with its attempt: the same round re-run on replay, or an older one, is a duplicate.
  expect(isNewAttempt({ ...expired, attempt: 2 }, mint(2))).toBe(false);
  expect(isNewAttempt({ ...expired, attempt: 2 }, mint(1))).toBe(false);
  expect(isNewAttempt({ ...expired, attempt: 2 }, mint(3))).toBe(true);
  // The reference is spent: nothing to attempt again.
  expect(isNewAttempt(settled('applied', 'applied'), mint(5))).toBe(false);
  expect(isNewAttempt(settled('used', 'skipped', 'ReferenceUsed'), mint(5))).toBe(false);
});

test('a send is never written again as a new attempt: a skip its requester took as final stays told, whatever its attempt', () => {
  const send = (attempt: number) => ({ kind: 'transfer' as const, attempt });

  for (const reason of ['InsufficientBalance', 'BadSignature', 'ZeroReceiver', 'Expired', 'Reverted'])
    expect(isNewAttempt(settled(reason, 'skipped', reason), send(1))).toBe(false);
  expect(isNewAttempt({ ...settled('short', 'skipped', 'InsufficientBalance'), attempt: 1 }, send(7))).toBe(false);
  // The same skip of a mint is attempted anew.
  expect(isNewAttempt(settled('short', 'skipped', 'InsufficientBalance'), { kind: 'mint', attempt: 1 })).toBe(true);
});

test("a requester's round takes the writer's word for its own attempt or a later one, never a late one for an earlier round", () => {
  const told = (attempt?: number): ChainWriteOutcome => ({
    reference: 'owed',
    status: 'skipped',
    reason: 'Reverted',
    txHash: '0xabc',
    blockNumber: 7,
    ...(attempt === undefined ? {} : { attempt }),
  });

  // Without attempts (conversions, sends, an owed mint's first round) any word answers, as before attempts.
  expect(answersAttempt(told(), 0)).toBe(true);
  expect(answersAttempt(told(3), 0)).toBe(true);
  expect(answersAttempt(undefined, 0)).toBe(false);
  // Round 2 of an owed mint: round 0's or round 1's word, arriving late, is not its own.
  expect(answersAttempt(told(), 2)).toBe(false);
  expect(answersAttempt(told(1), 2)).toBe(false);
  expect(answersAttempt(told(2), 2)).toBe(true);
  expect(answersAttempt(told(3), 2)).toBe(true);
  // An earlier round's mint that landed answers any later round: the reference is minted.
  expect(answersAttempt({ ...told(), status: 'applied', reason: undefined }, 2)).toBe(true);
});

test('a requester keeps an applied word whatever comes after it, and otherwise the word for the highest attempt', () => {
  const word = (status: ChainWriteOutcome['status'], attempt?: number): ChainWriteOutcome => ({
    reference: 'owed',
    status,
    ...(status === 'skipped' ? { reason: 'Expired' } : {}),
    txHash: `0x${status}${attempt ?? ''}`,
    blockNumber: 7,
    ...(attempt === undefined ? {} : { attempt }),
  });

  expect(wordToKeep(undefined, word('skipped'))).toEqual(word('skipped'));
  // Without attempts (conversions): the latest word.
  expect(wordToKeep(word('skipped'), word('skipped', 0))).toEqual(word('skipped', 0));
  // A late skip for an earlier round never replaces a later round's word; a later round's does.
  expect(wordToKeep(word('skipped', 2), word('skipped', 1))).toEqual(word('skipped', 2));
  expect(wordToKeep(word('skipped', 1), word('skipped', 2))).toEqual(word('skipped', 2));
  // Applied, late or not, is kept, and nothing replaces it.
  expect(wordToKeep(word('skipped', 2), word('applied', 1))).toEqual(word('applied', 1));
  expect(wordToKeep(word('applied', 1), word('skipped', 3))).toEqual(word('applied', 1));
});

test("the writer echoes an entry's attempt in the outcome it tells, and adds none to an entry without one", () => {
  const outcome: ChainWriteOutcome = { reference: 'r', status: 'applied', txHash: '0xabc', blockNumber: 7 };

  expect(outcomeFor({}, outcome)).toBe(outcome);
  expect(Object.keys(outcomeFor({}, outcome))).not.toContain('attempt');
  expect(outcomeFor({ attempt: 0 }, outcome)).toEqual({ ...outcome, attempt: 0 });
  expect(outcomeFor({ attempt: 4 }, outcome)).toEqual({ ...outcome, attempt: 4 });
});
