/**
 * What a reconciliation compares, as plain values: the product's records (Postgres), the operator's ledger
 * and the chain's referenced events, for one window of time. The collectors (collect.ts, ledger.ts,
 * chain.ts) fill these; the matcher (match.ts) compares them without any I/O.
 */

export type RecordStatus = 'pending' | 'completed' | 'failed';

export interface ConversionRecord {
  kind: 'conversion';
  /** the workflow id; every step reference is `${id}:<step>` */
  id: string;
  phoneNumber: string;
  status: RecordStatus;
  stage: string;
  airtimeMinor: bigint;
  /** net TXTC minted to the wallet */
  txtcAmount: bigint;
  wallet: string | null;
  debitReference: string | null;
  mintReference: string | null;
  refundReference: string | null;
  /** a hybrid transfer's leg: the transfer it belongs to */
  parentTransferId: string | null;
  createdAt: Date;
}

export interface TransferRecord {
  kind: 'transfer';
  id: string;
  transferType: 'airtime' | 'txtc' | 'hybrid';
  fromPhone: string;
  toPhone: string;
  status: RecordStatus;
  stage: string;
  amountMinor: bigint | null;
  txtcAmount: bigint | null;
  fromWallet: string | null;
  toWallet: string | null;
  transferReference: string | null;
  debitReference: string | null;
  creditReference: string | null;
  sendReference: string | null;
  refundReference: string | null;
  /** hybrid: the conversion that bought the shortfall, and the part the sender's own TXTC covered */
  conversionId: string | null;
  txtcFromBalance: bigint | null;
  createdAt: Date;
}

export interface SwapRecord {
  kind: 'swap';
  id: string;
  phoneNumber: string;
  status: RecordStatus;
  stage: string;
  txtcAmount: bigint;
  airtimeMinor: bigint;
  wallet: string | null;
  treasury: string | null;
  sendReference: string | null;
  creditReference: string | null;
  returnReference: string | null;
  createdAt: Date;
}

export interface VoucherRecord {
  kind: 'voucher';
  /** the redemption's workflow id (`voucher:<voucher id>`) */
  id: string;
  voucherId: string;
  redeemedBy: string | null;
  txtcAmount: bigint;
  wallet: string | null;
  mintReference: string | null;
  /** pending until minted or failed for good */
  status: RecordStatus;
  createdAt: Date;
}

export type ProductRecord = ConversionRecord | TransferRecord | SwapRecord | VoucherRecord;

/** One movement on the operator's ledger (top-ups are not product movements and never reach here). */
export interface LedgerEntry {
  reference: string;
  kind: 'debit' | 'credit' | 'transfer';
  phoneNumber: string;
  /** same-operator transfers: the receiver */
  counterparty: string | null;
  amountMinor: bigint;
  /** only committed entries moved money */
  status: 'committed' | 'rejected';
  at: Date;
}

/** A referenced event of the TXTC contract: ReferencedMint or ReferencedTransfer. */
export interface ChainEvent {
  kind: 'mint' | 'transfer';
  /** the 32-byte reference, keccak256 of the reference string */
  ref: string;
  from: string | null;
  to: string;
  amount: bigint;
  txHash: string;
  blockNumber: number;
}

export interface ReconciliationWindow {
  since: Date;
  until: Date;
}

/** Movements that are not the product's and are deliberately left out (test funding, for instance). */
export interface IgnoreList {
  /** ledger references starting with one of these are skipped */
  referencePrefixes: string[];
  /** exact references (ledger text, or hashed for the chain, whose events carry only the hash) */
  references: string[];
}

export interface ReconciliationInput {
  window: ReconciliationWindow;
  /** records created (vouchers: redeemed) in the window: each is checked */
  records: ProductRecord[];
  /** records outside the window whose references are known (legs, earlier records still moving): not checked */
  context: ProductRecord[];
  /** ledger entries in the window and every entry a checked record's references name */
  ledger: LedgerEntry[];
  /** events in the window's blocks and after (the window's records settle later than they start) */
  chain: ChainEvent[];
  /** the window's blocks: events outside them are only evidence for records, never orphans */
  blocks: { from: number; to: number };
  ignore: IgnoreList;
}

export type MismatchCode =
  /** a committed ledger entry or a chain event that no record explains */
  | 'no_record'
  /** a movement the record's outcome requires is absent */
  | 'missing'
  /** a movement the record's outcome forbids is present */
  | 'unexpected'
  /** the movement exists with another amount */
  | 'amount'
  /** the movement exists for another number or wallet */
  | 'party'
  /** the record names a reference other than its step's */
  | 'reference'
  /** a failed record that left money owed (refund or return failed) */
  | 'owed'
  /** a transfer's conversion leg is absent or did not complete */
  | 'leg';

/** A record's money step, as the reconciliation matches it to the ledger and the chain (by its reference). */
export type RecordStep = 'debit' | 'credit' | 'transfer' | 'mint' | 'send' | 'refund' | 'return' | 'convert';

export interface Mismatch {
  code: MismatchCode;
  source: 'ledger' | 'chain' | 'record';
  recordKind?: ProductRecord['kind'];
  recordId?: string;
  step?: RecordStep;
  reference?: string;
  /** the chain's 32-byte reference */
  chainRef?: string;
  expected?: string;
  found?: string;
  message: string;
}

export interface ReconciliationCounts {
  conversions: number;
  transfers: number;
  swaps: number;
  vouchers: number;
  /** records still moving: not judged in this run */
  pending: number;
  ledgerEntries: number;
  chainEvents: number;
  ignored: number;
  mismatches: number;
}

export interface ReconciliationResult {
  status: 'clean' | 'mismatches';
  counts: ReconciliationCounts;
  mismatches: Mismatch[];
}
