/**
 * The operator side of the reconciliation (match.ts): a record's steps against the operator's ledger, by
 * reference. Only committed entries count.
 */
import type { LedgerEntry, RecordStep } from './types';
import type { RecordScope } from './match-scope';

export interface LedgerChecks {
  /** the committed ledger entry under this reference (the step's own by default) */
  committed(step: RecordStep, reference?: string): LedgerEntry | undefined;
  /** A committed ledger entry of this kind, party and amount. */
  ledger(
    step: RecordStep,
    want: { kind: LedgerEntry['kind']; phoneNumber: string; counterparty?: string; amountMinor: bigint },
  ): LedgerEntry | undefined;
  /** No committed ledger entry under this step. */
  noLedger(step: RecordStep, why: string): void;
  /**
   * A failed record's debit, if the ledger has one, refunded in full under `:refund`. A refund the
   * record itself says failed is money owed.
   */
  refundedInFull(debit: LedgerEntry | undefined, phoneNumber: string, owedStage: boolean): void;
}

/** The operator-side checks of the record in `scope`, against the ledger's entries by reference. */
export function ledgerChecks(scope: RecordScope, ledgerByRef: Map<string, LedgerEntry>): LedgerChecks {
  const { ref, add } = scope;
  const committed = (step: RecordStep, reference = ref(step)) => {
    const entry = ledgerByRef.get(reference);
    return entry?.status === 'committed' ? entry : undefined;
  };

  function ledger(
    step: RecordStep,
    want: { kind: LedgerEntry['kind']; phoneNumber: string; counterparty?: string; amountMinor: bigint },
  ): LedgerEntry | undefined {
    const reference = ref(step);
    const entry = committed(step);
    const wanted = `${want.kind} of ${want.amountMinor} for ${want.phoneNumber}`;
    if (!entry) {
      add({
        code: 'missing',
        source: 'ledger',
        step,
        reference,
        expected: wanted,
        message: `no ${step} on the ledger`,
      });
      return undefined;
    }
    const party =
      entry.kind !== want.kind ||
      entry.phoneNumber !== want.phoneNumber ||
      (want.counterparty !== undefined && entry.counterparty !== want.counterparty);
    if (party) {
      add({
        code: 'party',
        source: 'ledger',
        step,
        reference,
        expected: `${want.kind} ${want.phoneNumber}${want.counterparty ? ` -> ${want.counterparty}` : ''}`,
        found: `${entry.kind} ${entry.phoneNumber}${entry.counterparty ? ` -> ${entry.counterparty}` : ''}`,
        message: `the ledger's ${step} is for another number or of another kind`,
      });
    }
    if (entry.amountMinor !== want.amountMinor) {
      add({
        code: 'amount',
        source: 'ledger',
        step,
        reference,
        expected: want.amountMinor.toString(),
        found: entry.amountMinor.toString(),
        message: `the ledger's ${step} differs from the record`,
      });
    }
    return entry;
  }

  function noLedger(step: RecordStep, why: string): void {
    const entry = committed(step);
    if (entry) {
      add({
        code: 'unexpected',
        source: 'ledger',
        step,
        reference: entry.reference,
        found: `${entry.kind} of ${entry.amountMinor} for ${entry.phoneNumber}`,
        message: why,
      });
    }
  }

  return {
    committed,
    ledger,
    noLedger,
    refundedInFull(debit, phoneNumber, owedStage) {
      if (!debit) {
        noLedger('refund', 'a refund without a debit');
        return;
      }
      if (!committed('refund')) {
        add({
          code: owedStage ? 'owed' : 'missing',
          source: 'ledger',
          step: 'refund',
          reference: ref('refund'),
          expected: `credit of ${debit.amountMinor} for ${phoneNumber}`,
          message: owedStage ? 'the refund failed: airtime is owed' : 'debited, failed and never refunded',
        });
        return;
      }
      ledger('refund', { kind: 'credit', phoneNumber, amountMinor: debit.amountMinor });
    },
  };
}
