/**
 * The reconciliation itself, without I/O: every record of the window is held against the operator's
 * ledger and the chain by its step references (`${id}:debit`, `:mint`, ...), and every ledger entry and
 * chain event of the window must belong to a record. What the outcome of a record requires:
 * - conversion completed: debited once and minted once with the recorded amounts, never refunded;
 *   failed: never minted, and any debit refunded in full;
 * - airtime transfer completed: the operator's transfer, or a debit and a credit, of the amount; failed:
 *   nothing credited, and any debit refunded in full;
 * - TXTC and hybrid transfer: the send of the amount when completed, none when failed; a hybrid's
 *   conversion leg present (and completed when the TXTC was bought);
 * - swap completed: TXTC sent to the treasury and the airtime credited; failed: no credit, and any TXTC
 *   sent returned in full;
 * - voucher minted once with its amount; one whose mint failed for good is TXTC owed.
 * Pending records are counted, not judged: their movements are still under way.
 */
import { stepReference } from '../definitions/common';
import type {
  ChainEvent,
  Mismatch,
  ProductRecord,
  ReconciliationCounts,
  ReconciliationInput,
  ReconciliationResult,
  RecordStep,
} from './types';
import { chainKeyOf, chainRefOf } from './match-chain';
import { checkRecord, type MatchIndex } from './match-records';

export { chainRefOf };

/** The steps that move money, each with its own reference. */
const MONEY_STEPS: RecordStep[] = ['debit', 'credit', 'transfer', 'mint', 'send', 'refund', 'return'];

/** Every reference a record may have used: its steps' and whatever its columns name. */
export function referencesOf(record: ProductRecord): string[] {
  if (record.kind === 'voucher') return [record.mintReference ?? stepReference(record.id, 'mint')];
  const columns =
    record.kind === 'conversion'
      ? [record.debitReference, record.mintReference, record.refundReference]
      : record.kind === 'transfer'
        ? [
            record.transferReference,
            record.debitReference,
            record.creditReference,
            record.sendReference,
            record.refundReference,
          ]
        : [record.sendReference, record.creditReference, record.returnReference];
  const refs = MONEY_STEPS.map((step) => stepReference(record.id, step));
  for (const column of columns) if (column && !refs.includes(column)) refs.push(column);
  return refs;
}

export function reconcile(input: ReconciliationInput): ReconciliationResult {
  const { window, blocks, ignore } = input;
  const mismatches: Mismatch[] = [];
  const chainByKey = new Map<string, ChainEvent>();
  for (const event of input.chain) {
    const key = chainKeyOf(event.kind, event.ref);
    if (!chainByKey.has(key)) chainByKey.set(key, event);
  }
  const index: MatchIndex = {
    ledgerByRef: new Map(input.ledger.map((e) => [e.reference, e])),
    chainByKey,
    recordsById: new Map([...input.context, ...input.records].map((r) => [r.id, r])),
  };

  const counts: ReconciliationCounts = {
    conversions: 0,
    transfers: 0,
    swaps: 0,
    vouchers: 0,
    pending: 0,
    ledgerEntries: 0,
    chainEvents: 0,
    ignored: 0,
    mismatches: 0,
  };
  for (const record of input.records) {
    counts[`${record.kind}s`] += 1;
    if (record.status === 'pending') {
      counts.pending += 1;
      continue;
    }
    checkRecord(record, index, mismatches);
  }

  // Nothing on the ledger or the chain of this window without a record.
  const known = new Set<string>();
  for (const record of [...input.records, ...input.context]) for (const r of referencesOf(record)) known.add(r);
  const knownRefs = new Set([...known].map((r) => chainRefOf(r).toLowerCase()));
  const ignoredRefs = new Set(ignore.references);
  const ignoredChainRefs = new Set(ignore.references.map((r) => chainRefOf(r).toLowerCase()));
  const ignored = (reference: string) =>
    ignoredRefs.has(reference) || ignore.referencePrefixes.some((p) => reference.startsWith(p));

  /** One entry or event of the window, counted; unless a record explains it or it is ignored, a mismatch. */
  function account(
    counted: 'ledgerEntries' | 'chainEvents',
    explained: boolean,
    isIgnored: () => boolean,
    unexplained: () => Mismatch,
  ): void {
    counts[counted] += 1;
    if (explained) return;
    if (isIgnored()) counts.ignored += 1;
    else mismatches.push(unexplained());
  }
  for (const entry of input.ledger) {
    if (entry.status !== 'committed' || entry.at < window.since || entry.at >= window.until) continue;
    account(
      'ledgerEntries',
      known.has(entry.reference),
      () => ignored(entry.reference),
      () => ({
        code: 'no_record',
        source: 'ledger',
        reference: entry.reference,
        found: `${entry.kind} of ${entry.amountMinor} for ${entry.phoneNumber}`,
        message: `a ${entry.kind} on the ledger that no record explains`,
      }),
    );
  }
  for (const event of input.chain) {
    if (event.blockNumber < blocks.from || event.blockNumber > blocks.to) continue;
    const ref = event.ref.toLowerCase();
    account(
      'chainEvents',
      knownRefs.has(ref),
      () => ignoredChainRefs.has(ref),
      () => ({
        code: 'no_record',
        source: 'chain',
        chainRef: event.ref,
        found: `${event.kind} of ${event.amount} to ${event.to} in ${event.txHash}`,
        message: `a ${event.kind} on chain that no record explains`,
      }),
    );
  }

  counts.mismatches = mismatches.length;
  return { status: mismatches.length ? 'mismatches' : 'clean', counts, mismatches };
}
