/**
 * What the chain writer remembers of the entries it settled, and what of it a new run must still know. A
 * late duplicate of a settled entry (its requester's hand-over run again on replay) is told the remembered
 * outcome instead of being written again, unless it is a new attempt (isNewAttempt). Only some outcomes need
 * remembering beyond the run: those a requester takes as final without asking the chain, while a rewrite of
 * the entry could still land.
 */
import type { ChainWriteEntry, ChainWriteOutcome, RememberedOutcome } from '../../lib/definitions/chain-writer';

/**
 * Skips a requester takes as final (movements.ts) that a rewrite could still turn around:
 * - InsufficientBalance: a send fails for good (InsufficientTxtc), yet the sender's balance may grow;
 * - Reverted: a mint fails for good (MintRejected, then refunded), yet the next write may well not revert;
 * - BadSignature, ZeroReceiver: a send fails for good; the same entry would be skipped again, but a hand-over
 *   run again signs the authorisation afresh, so a rewrite need not be the same entry (both are rare).
 * The others need no memory. Applied: a rewrite is skipped ReferenceUsed, and on ReferenceUsed both
 * mintTxtcOnce and sendTxtcOnce ask the chain, which finds the earlier write. ReferenceUsed: the reference is
 * spent for good. Expired, ZeroReference: the requester asks the chain, by the deadline of its own hand-over.
 */
const SKIPS_A_REWRITE_MAY_TURN = new Set(['InsufficientBalance', 'Reverted', 'BadSignature', 'ZeroReceiver']);

/**
 * Deadlines are chain time and the writer reads workflow time; an entry is remembered this much longer, so a
 * chain clock behind the workflow's cannot accept a rewrite the writer thought expired.
 */
export const DEADLINE_MARGIN_SECONDS = 3600;

/** Whether an entry settled so would need remembering: its requester took it as final and a rewrite could land. */
export function mayLandIfWrittenAgain(outcome: ChainWriteOutcome): boolean {
  return outcome.status === 'skipped' && SKIPS_A_REWRITE_MAY_TURN.has(outcome.reason ?? '');
}

/**
 * What a new run must remember of what this run remembers (`nowSeconds`: workflow time): the skips a rewrite
 * could turn around whose entries' deadlines, with the margin, have not passed. A send's duplicate carries the
 * signed deadline, so past it a rewrite is skipped Expired. A mint's duplicate does not: its hand-over run
 * again reads chain time anew, so it carries a fresh deadline. What keeps that safe: such a duplicate arises only
 * before the hand-over's result (its deadline) is recorded in the requester's history (a local activity retried;
 * once recorded, replay does not run it again), so the requester settles the entry by the latest deadline handed
 * over; and the writer raises the remembered deadline to a duplicate's, so the memory lasts until that one
 * passes. Applied entries, the vast majority, are left out, so the carried input stays small.
 */
export function toRememberNextRun(remembered: Iterable<RememberedOutcome>, nowSeconds: number): RememberedOutcome[] {
  return [...remembered].filter(
    (r) => mayLandIfWrittenAgain(r.outcome) && r.deadline + DEADLINE_MARGIN_SECONDS >= nowSeconds,
  );
}

/**
 * Whether an enqueue of a settled reference is a new attempt, written anew, rather than a duplicate told the
 * remembered outcome: it is a mint whose attempt is above the settled one (an owed mint handed over again on
 * purpose; a hand-over re-run on replay keeps its number, and a conversion's never has one), and the entry did
 * not land and left its reference unused. Applied or ReferenceUsed, the reference is spent: told so whatever
 * the attempt. A send is never attempted anew: its requester takes a short balance or a bad signature as final
 * (InsufficientTxtc, TransferRejected), so a rewrite landing once the balance grew would move TXTC refused.
 */
export function isNewAttempt(known: RememberedOutcome, entry: Pick<ChainWriteEntry, 'kind' | 'attempt'>): boolean {
  const { status, reason } = known.outcome;
  return (
    entry.kind === 'mint' &&
    status === 'skipped' &&
    reason !== 'ReferenceUsed' &&
    (entry.attempt ?? 0) > (known.attempt ?? 0)
  );
}
