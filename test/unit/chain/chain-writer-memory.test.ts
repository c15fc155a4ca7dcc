/** What the chain writer carries over continue-as-new of the entries it settled. */
import { DEADLINE_MARGIN_SECONDS, toRememberNextRun } from '../../../workflows/shared/chain-writer-memory';
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
