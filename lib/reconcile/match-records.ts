/**
 * What the outcome of each kind of record requires (match.ts has the list), checked on the operator side
 * (match-ledger.ts) and the chain side (match-chain.ts) within the record's scope (match-scope.ts).
 */
import type {
  ChainEvent,
  ConversionRecord,
  LedgerEntry,
  Mismatch,
  ProductRecord,
  SwapRecord,
  TransferRecord,
  VoucherRecord,
} from './types';
import { recordScope, type RecordScope } from './match-scope';
import { ledgerChecks, type LedgerChecks } from './match-ledger';
import { chainChecks, chainRefOf, type ChainChecks } from './match-chain';

/** What the reconciliation holds a record against: the ledger and the chain by reference, the records by id. */
export interface MatchIndex {
  ledgerByRef: Map<string, LedgerEntry>;
  chainByKey: Map<string, ChainEvent>;
  recordsById: Map<string, ProductRecord>;
}

type Checks = RecordScope & LedgerChecks & ChainChecks;

/** Checks one settled record, each finding a mismatch (added to `mismatches`) that names the record. */
export function checkRecord(record: ProductRecord, index: MatchIndex, mismatches: Mismatch[]): void {
  const scope = recordScope(record, mismatches);
  const c: Checks = {
    ...scope,
    ...ledgerChecks(scope, index.ledgerByRef),
    ...chainChecks(scope, index.chainByKey),
  };
  if (record.kind === 'conversion') checkConversion(record, c);
  else if (record.kind === 'transfer') checkTransfer(record, c, index.recordsById);
  else if (record.kind === 'swap') checkSwap(record, c);
  else checkVoucher(record, c);
}

function checkConversion(r: ConversionRecord, c: Checks): void {
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

function checkTransfer(r: TransferRecord, c: Checks, recordsById: Map<string, ProductRecord>): void {
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

function checkSwap(r: SwapRecord, c: Checks): void {
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

function checkVoucher(r: VoucherRecord, c: Checks): void {
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
