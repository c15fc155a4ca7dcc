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
import { keccak256, toUtf8Bytes } from 'ethers';
import { stepReference } from '../definitions/common';
import type {
  ChainEvent,
  ConversionRecord,
  LedgerEntry,
  Mismatch,
  ProductRecord,
  ReconciliationCounts,
  ReconciliationInput,
  ReconciliationResult,
  Step,
  SwapRecord,
  TransferRecord,
  VoucherRecord,
} from './types';

/** The 32-byte chain reference of a reference string (the contract's `ref`). */
export const chainRefOf = (reference: string): string => keccak256(toUtf8Bytes(reference));

/** The steps that move money, each with its own reference. */
const MONEY_STEPS: Step[] = ['debit', 'credit', 'transfer', 'mint', 'send', 'refund', 'return'];

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

const sameAddress = (a: string | null | undefined, b: string | null | undefined) =>
  !a || !b || a.toLowerCase() === b.toLowerCase();

export function reconcile(input: ReconciliationInput): ReconciliationResult {
  const { window, blocks, ignore } = input;
  const mismatches: Mismatch[] = [];
  const ledgerByRef = new Map<string, LedgerEntry>(input.ledger.map((e) => [e.reference, e]));
  const chainByKey = new Map<string, ChainEvent>();
  for (const event of input.chain) {
    const key = `${event.kind}:${event.ref.toLowerCase()}`;
    if (!chainByKey.has(key)) chainByKey.set(key, event);
  }
  const recordsById = new Map<string, ProductRecord>([...input.context, ...input.records].map((r) => [r.id, r]));

  /** Checks of one record, each finding a mismatch that names the record. */
  function checker(record: ProductRecord) {
    const base = { recordKind: record.kind, recordId: record.id };
    const add = (m: Omit<Mismatch, 'recordKind' | 'recordId'>) => mismatches.push({ ...base, ...m });
    const ref = (step: Step) => stepReference(record.id, step);
    const committed = (step: Step, reference = ref(step)) => {
      const entry = ledgerByRef.get(reference);
      return entry?.status === 'committed' ? entry : undefined;
    };
    const onChain = (kind: ChainEvent['kind'], reference: string) =>
      chainByKey.get(`${kind}:${chainRefOf(reference).toLowerCase()}`);

    return {
      ref,
      committed,
      onChain,
      add,
      /** A committed ledger entry of this kind, party and amount. */
      ledger(
        step: Step,
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
      },
      /** No committed ledger entry under this step. */
      noLedger(step: Step, why: string): void {
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
      },
      /** The chain event of this step, to and from these wallets, of this amount. */
      chain(
        step: Step,
        kind: ChainEvent['kind'],
        want: { from?: string | null; to: string | null; amount: bigint },
        reference = ref(step),
      ): ChainEvent | undefined {
        const event = onChain(kind, reference);
        if (!event) {
          add({
            code: 'missing',
            source: 'chain',
            step,
            reference,
            chainRef: chainRefOf(reference),
            expected: `${kind} of ${want.amount} to ${want.to ?? 'the wallet'}`,
            message: `no ${step} on chain`,
          });
          return undefined;
        }
        if (!sameAddress(event.to, want.to) || !sameAddress(event.from, want.from)) {
          add({
            code: 'party',
            source: 'chain',
            step,
            reference,
            chainRef: event.ref,
            expected: `${want.from ?? '?'} -> ${want.to ?? '?'}`,
            found: `${event.from ?? 'mint'} -> ${event.to}`,
            message: `the chain's ${step} went to or from another wallet`,
          });
        }
        if (event.amount !== want.amount) {
          add({
            code: 'amount',
            source: 'chain',
            step,
            reference,
            chainRef: event.ref,
            expected: want.amount.toString(),
            found: event.amount.toString(),
            message: `the chain's ${step} differs from the record`,
          });
        }
        return event;
      },
      /** No chain event under this step. */
      noChain(step: Step, kind: ChainEvent['kind'], why: string, reference = ref(step)): void {
        const event = onChain(kind, reference);
        if (event) {
          add({
            code: 'unexpected',
            source: 'chain',
            step,
            reference,
            chainRef: event.ref,
            found: `${kind} of ${event.amount} to ${event.to} in ${event.txHash}`,
            message: why,
          });
        }
      },
      /** The record's reference column names its step's reference (and names one when the step happened). */
      column(step: Step, value: string | null, required: boolean): void {
        if (value === null ? required : value !== ref(step)) {
          add({
            code: 'reference',
            source: 'record',
            step,
            reference: ref(step),
            expected: ref(step),
            found: value ?? 'none',
            message: `the record's ${step} reference is not its step's`,
          });
        }
      },
      /**
       * A failed record's debit, if the ledger has one, refunded in full under `:refund`. A refund the
       * record itself says failed is money owed.
       */
      refundedInFull(debit: LedgerEntry | undefined, phoneNumber: string, owedStage: boolean): void {
        if (!debit) {
          this.noLedger('refund', 'a refund without a debit');
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
        this.ledger('refund', { kind: 'credit', phoneNumber, amountMinor: debit.amountMinor });
      },
    };
  }

  function checkConversion(r: ConversionRecord): void {
    const c = checker(r);
    if (r.status === 'completed') {
      c.ledger('debit', { kind: 'debit', phoneNumber: r.phoneNumber, amountMinor: r.airtimeMinor });
      c.chain('mint', 'mint', { to: r.wallet, amount: r.txtcAmount });
      c.noLedger('refund', 'a completed conversion was refunded');
      c.column('debit', r.debitReference, true);
      c.column('mint', r.mintReference, true);
      return;
    }
    c.noChain('mint', 'mint', 'a failed conversion was minted');
    const debit = c.committed('debit');
    if (debit) c.ledger('debit', { kind: 'debit', phoneNumber: r.phoneNumber, amountMinor: r.airtimeMinor });
    c.refundedInFull(debit, r.phoneNumber, r.stage === 'refund_failed');
  }

  function checkTransfer(r: TransferRecord): void {
    const c = checker(r);
    if (r.transferType === 'airtime') {
      const amountMinor = r.amountMinor ?? 0n;
      if (r.status === 'completed') {
        if (c.committed('transfer') || r.transferReference) {
          c.ledger('transfer', { kind: 'transfer', phoneNumber: r.fromPhone, counterparty: r.toPhone, amountMinor });
          c.column('transfer', r.transferReference, true);
        } else {
          c.ledger('debit', { kind: 'debit', phoneNumber: r.fromPhone, amountMinor });
          c.ledger('credit', { kind: 'credit', phoneNumber: r.toPhone, amountMinor });
          c.column('credit', r.creditReference, true);
        }
        c.noLedger('refund', 'a completed transfer was refunded');
        return;
      }
      c.noLedger('transfer', 'a failed transfer moved airtime');
      c.noLedger('credit', 'a failed transfer credited the receiver');
      const debit = c.committed('debit');
      if (debit) c.ledger('debit', { kind: 'debit', phoneNumber: r.fromPhone, amountMinor });
      c.refundedInFull(debit, r.fromPhone, r.stage === 'refund_failed');
      return;
    }
    const amount = r.txtcAmount ?? 0n;
    if (r.status === 'completed') {
      c.chain('send', 'transfer', { from: r.fromWallet, to: r.toWallet, amount });
      c.column('send', r.sendReference, true);
    } else {
      c.noChain('send', 'transfer', 'a failed transfer sent TXTC');
    }
    if (r.transferType !== 'hybrid') return;
    // The leg: present whenever the transfer names one or its own TXTC fell short; completed when the TXTC was bought.
    const bought = ['converted', 'completed', 'send_failed'].includes(r.stage);
    const short = r.txtcFromBalance !== null && r.txtcAmount !== null && r.txtcFromBalance < r.txtcAmount;
    if (!r.conversionId) {
      if (bought && short) {
        c.add({
          code: 'leg',
          source: 'record',
          step: 'convert',
          reference: c.ref('convert'),
          message: 'the sender was short of TXTC but no conversion leg is recorded',
        });
      }
      return;
    }
    const leg = recordsById.get(r.conversionId);
    if (!leg || leg.kind !== 'conversion' || leg.parentTransferId !== r.id) {
      c.add({
        code: 'leg',
        source: 'record',
        step: 'convert',
        reference: r.conversionId,
        message: 'the conversion leg is not recorded (or not linked to this transfer)',
      });
    } else if (bought && leg.status === 'failed') {
      c.add({
        code: 'leg',
        source: 'record',
        step: 'convert',
        reference: r.conversionId,
        expected: 'completed',
        found: leg.status,
        message: 'the transfer counts TXTC bought by a conversion leg that failed',
      });
    }
  }

  function checkSwap(r: SwapRecord): void {
    const c = checker(r);
    if (r.status === 'completed') {
      c.chain('send', 'transfer', { from: r.wallet, to: r.treasury, amount: r.txtcAmount });
      c.ledger('credit', { kind: 'credit', phoneNumber: r.phoneNumber, amountMinor: r.airtimeMinor });
      c.noChain('return', 'transfer', 'a completed swap returned its TXTC');
      return;
    }
    c.noLedger('credit', 'a failed swap credited airtime');
    if (!c.onChain('transfer', c.ref('send'))) {
      c.noChain('return', 'transfer', 'TXTC returned that was never sent');
      return;
    }
    if (!c.onChain('transfer', c.ref('return'))) {
      const owed = r.stage === 'return_failed';
      c.add({
        code: owed ? 'owed' : 'missing',
        source: 'chain',
        step: 'return',
        reference: c.ref('return'),
        chainRef: chainRefOf(c.ref('return')),
        expected: `transfer of ${r.txtcAmount} to ${r.wallet ?? 'the wallet'}`,
        message: owed ? 'the return failed: TXTC is owed' : 'TXTC sent, swap failed and never returned',
      });
      return;
    }
    c.chain('return', 'transfer', { from: r.treasury, to: r.wallet, amount: r.txtcAmount });
  }

  function checkVoucher(r: VoucherRecord): void {
    const c = checker(r);
    const reference = r.mintReference ?? c.ref('mint');
    if (r.status === 'completed') {
      c.chain('mint', 'mint', { to: r.wallet, amount: r.txtcAmount }, reference);
      return;
    }
    // A voucher's mint that failed for good has no compensation: the person is owed the TXTC.
    if (c.onChain('mint', reference)) {
      c.noChain('mint', 'mint', 'the record says the mint failed but it landed', reference);
      return;
    }
    c.add({
      code: 'owed',
      source: 'chain',
      step: 'mint',
      reference,
      chainRef: chainRefOf(reference),
      expected: `mint of ${r.txtcAmount} to ${r.wallet ?? 'the wallet'}`,
      message: 'the voucher was claimed and its mint refused: TXTC is owed',
    });
  }

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
    if (record.kind === 'conversion') checkConversion(record);
    else if (record.kind === 'transfer') checkTransfer(record);
    else if (record.kind === 'swap') checkSwap(record);
    else checkVoucher(record);
  }

  // Nothing on the ledger or the chain of this window without a record.
  const known = new Set<string>();
  for (const record of [...input.records, ...input.context]) for (const r of referencesOf(record)) known.add(r);
  const knownRefs = new Set([...known].map((r) => chainRefOf(r).toLowerCase()));
  const ignoredRefs = new Set(ignore.references);
  const ignoredChainRefs = new Set(ignore.references.map((r) => chainRefOf(r).toLowerCase()));
  const ignored = (reference: string) =>
    ignoredRefs.has(reference) || ignore.referencePrefixes.some((p) => reference.startsWith(p));

  for (const entry of input.ledger) {
    if (entry.status !== 'committed' || entry.at < window.since || entry.at >= window.until) continue;
    counts.ledgerEntries += 1;
    if (known.has(entry.reference)) continue;
    if (ignored(entry.reference)) {
      counts.ignored += 1;
      continue;
    }
    mismatches.push({
      code: 'no_record',
      source: 'ledger',
      reference: entry.reference,
      found: `${entry.kind} of ${entry.amountMinor} for ${entry.phoneNumber}`,
      message: `a ${entry.kind} on the ledger that no record explains`,
    });
  }
  for (const event of input.chain) {
    if (event.blockNumber < blocks.from || event.blockNumber > blocks.to) continue;
    counts.chainEvents += 1;
    const ref = event.ref.toLowerCase();
    if (knownRefs.has(ref)) continue;
    if (ignoredChainRefs.has(ref)) {
      counts.ignored += 1;
      continue;
    }
    mismatches.push({
      code: 'no_record',
      source: 'chain',
      chainRef: event.ref,
      found: `${event.kind} of ${event.amount} to ${event.to} in ${event.txHash}`,
      message: `a ${event.kind} on chain that no record explains`,
    });
  }

  counts.mismatches = mismatches.length;
  return { status: mismatches.length ? 'mismatches' : 'clean', counts, mismatches };
}
