/** The reconciliation's matching rules, on hand-made records, ledger entries and chain events (no stack). */
import { reconcile, chainRefOf, referencesOf } from '../../../lib/reconcile/match';
import type {
  ChainEvent,
  ConversionRecord,
  LedgerEntry,
  ProductRecord,
  ReconciliationInput,
  SwapRecord,
  TransferRecord,
  VoucherRecord,
} from '../../../lib/reconcile/types';

const since = new Date('2025-01-01T09:00:00Z');
const until = new Date('2025-01-01T10:00:00Z');
const at = new Date('2025-01-01T09:30:00Z');
const PHONE = '+254712345678';
const OTHER = '+254798765432';
const WALLET = '0x00000000000000000000000000000000000000aa';
const WALLET_B = '0x00000000000000000000000000000000000000bb';
const TREASURY = '0x00000000000000000000000000000000000000cc';
const TXTC = 980n * 10n ** 18n;

function conversion(id: string, over: Partial<ConversionRecord> = {}): ConversionRecord {
  return {
    kind: 'conversion',
    id,
    phoneNumber: PHONE,
    status: 'completed',
    stage: 'completed',
    airtimeMinor: 129000n,
    txtcAmount: TXTC,
    wallet: WALLET,
    debitReference: `${id}:debit`,
    mintReference: `${id}:mint`,
    refundReference: null,
    parentTransferId: null,
    createdAt: at,
    ...over,
  };
}

function transfer(id: string, over: Partial<TransferRecord> = {}): TransferRecord {
  return {
    kind: 'transfer',
    id,
    transferType: 'airtime',
    fromPhone: PHONE,
    toPhone: OTHER,
    status: 'completed',
    stage: 'completed',
    amountMinor: 64500n,
    txtcAmount: null,
    fromWallet: null,
    toWallet: null,
    transferReference: null,
    debitReference: null,
    creditReference: null,
    sendReference: null,
    refundReference: null,
    conversionId: null,
    txtcFromBalance: null,
    createdAt: at,
    ...over,
  };
}

const entry = (reference: string, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  reference,
  kind: 'debit',
  phoneNumber: PHONE,
  counterparty: null,
  amountMinor: 129000n,
  status: 'committed',
  at,
  ...over,
});

let block = 10;
const event = (reference: string, over: Partial<ChainEvent> = {}): ChainEvent => ({
  kind: 'mint',
  ref: chainRefOf(reference),
  from: null,
  to: WALLET,
  amount: TXTC,
  txHash: `0x${(block++).toString(16).padStart(64, '0')}`,
  blockNumber: 20,
  ...over,
});

function run(parts: Partial<ReconciliationInput>) {
  return reconcile({
    window: { since, until },
    records: [],
    context: [],
    ledger: [],
    chain: [],
    blocks: { from: 10, to: 30 },
    ignore: { referencePrefixes: [], references: [] },
    ...parts,
  });
}

/** A completed conversion with its debit and its mint: the clean case everything below varies. */
const clean = (id = 'conversion:api:a') => ({
  records: [conversion(id)] as ProductRecord[],
  ledger: [entry(`${id}:debit`)],
  chain: [event(`${id}:mint`)],
});

test('a completed conversion debited once and minted once with the recorded amounts is clean', () => {
  const result = run(clean());
  expect(result).toMatchObject({ status: 'clean', mismatches: [] });
  expect(result.counts).toMatchObject({ conversions: 1, ledgerEntries: 1, chainEvents: 1, mismatches: 0 });
});

test('a ledger debit with no record is the one mismatch, named by its reference', () => {
  const base = clean();
  const result = run({ ...base, ledger: [...base.ledger, entry('conversion:api:ghost:debit', { amountMinor: 500n })] });
  expect(result.status).toBe('mismatches');
  expect(result.mismatches).toEqual([
    expect.objectContaining({ code: 'no_record', source: 'ledger', reference: 'conversion:api:ghost:debit' }),
  ]);
});

test('a rejected operation on the ledger moved nothing and needs no record', () => {
  const base = clean();
  expect(run({ ...base, ledger: [...base.ledger, entry('nobody:debit', { status: 'rejected' })] }).status).toBe(
    'clean',
  );
});

test('a completed conversion whose mint is not on chain is reported missing', () => {
  const result = run({ ...clean(), chain: [] });
  expect(result.mismatches).toEqual([
    expect.objectContaining({ code: 'missing', source: 'chain', step: 'mint', recordId: 'conversion:api:a' }),
  ]);
});

test('a mint of another amount and a debit for another number are reported', () => {
  const id = 'conversion:api:a';
  const result = run({
    records: [conversion(id)],
    ledger: [entry(`${id}:debit`, { phoneNumber: OTHER })],
    chain: [event(`${id}:mint`, { amount: TXTC - 1n })],
  });
  expect(result.mismatches.map((m) => [m.code, m.source, m.step])).toEqual([
    ['party', 'ledger', 'debit'],
    ['amount', 'chain', 'mint'],
  ]);
});

test('a failed conversion: refunded in full is clean; not refunded, part refunded or minted is not', () => {
  const id = 'conversion:api:f';
  const failed = conversion(id, { status: 'failed', stage: 'refunded', mintReference: null });
  const debit = entry(`${id}:debit`);
  const refund = entry(`${id}:refund`, { kind: 'credit' });
  expect(run({ records: [failed], ledger: [debit, refund] }).status).toBe('clean');
  expect(run({ records: [failed], ledger: [debit] }).mismatches).toEqual([
    expect.objectContaining({ code: 'missing', step: 'refund' }),
  ]);
  expect(run({ records: [failed], ledger: [debit, { ...refund, amountMinor: 1000n }] }).mismatches).toEqual([
    expect.objectContaining({ code: 'amount', step: 'refund', expected: '129000', found: '1000' }),
  ]);
  expect(run({ records: [failed], ledger: [debit, refund], chain: [event(`${id}:mint`)] }).mismatches).toEqual([
    expect.objectContaining({ code: 'unexpected', source: 'chain', step: 'mint' }),
  ]);
  // refused before the debit: nothing on either side is clean
  expect(run({ records: [conversion(id, { status: 'failed', stage: 'rejected' })] }).status).toBe('clean');
  // the record itself says the refund failed: airtime owed
  expect(
    run({ records: [conversion(id, { status: 'failed', stage: 'refund_failed' })], ledger: [debit] }).mismatches,
  ).toEqual([expect.objectContaining({ code: 'owed', step: 'refund' })]);
});

test('pending records are counted, not judged, and their movements are not orphans', () => {
  const id = 'conversion:api:p';
  const result = run({
    records: [conversion(id, { status: 'pending', stage: 'debited', mintReference: null })],
    ledger: [entry(`${id}:debit`)],
  });
  expect(result).toMatchObject({ status: 'clean', counts: { pending: 1 } });
});

test('airtime transfers: one operator transfer, or a debit and a credit; a failed one credits nothing', () => {
  const same = 'transfer:api:same';
  expect(
    run({
      records: [transfer(same, { transferReference: `${same}:transfer` })],
      ledger: [entry(`${same}:transfer`, { kind: 'transfer', counterparty: OTHER, amountMinor: 64500n })],
    }).status,
  ).toBe('clean');
  const across = 'transfer:api:across';
  const debit = entry(`${across}:debit`, { amountMinor: 64500n });
  const credit = entry(`${across}:credit`, { kind: 'credit', phoneNumber: OTHER, amountMinor: 64500n });
  expect(
    run({
      records: [transfer(across, { debitReference: debit.reference, creditReference: credit.reference })],
      ledger: [debit, credit],
    }).status,
  ).toBe('clean');
  expect(run({ records: [transfer(across, { debitReference: debit.reference })], ledger: [debit] }).mismatches).toEqual(
    [
      expect.objectContaining({ code: 'missing', step: 'credit' }),
      expect.objectContaining({ code: 'reference', step: 'credit' }),
    ],
  );
  const failed = transfer(across, { status: 'failed', stage: 'refunded' });
  const refund = entry(`${across}:refund`, { kind: 'credit', amountMinor: 64500n });
  expect(run({ records: [failed], ledger: [debit, refund] }).status).toBe('clean');
  expect(run({ records: [failed], ledger: [debit, refund, credit] }).mismatches).toEqual([
    expect.objectContaining({ code: 'unexpected', step: 'credit' }),
  ]);
});

test('a hybrid transfer: its send on chain and its conversion leg present and completed', () => {
  const id = 'transfer:api:h';
  const legId = `${id}:convert`;
  const hybrid = transfer(id, {
    transferType: 'hybrid',
    amountMinor: null,
    txtcAmount: TXTC,
    txtcFromBalance: 0n,
    fromWallet: WALLET,
    toWallet: WALLET_B,
    sendReference: `${id}:send`,
    conversionId: legId,
  });
  const leg = conversion(legId, { parentTransferId: id });
  const send = event(`${id}:send`, { kind: 'transfer', from: WALLET, to: WALLET_B });
  const legMoves = { ledger: [entry(`${legId}:debit`)], chain: [event(`${legId}:mint`), send] };
  expect(run({ records: [hybrid, leg], ...legMoves }).status).toBe('clean');
  // the leg created outside the window is context: known, not judged
  expect(run({ records: [hybrid], context: [leg], ...legMoves }).status).toBe('clean');
  expect(run({ records: [hybrid], ...legMoves }).mismatches.map((m) => m.code)).toEqual([
    'leg',
    'no_record',
    'no_record',
  ]);
  expect(run({ records: [{ ...hybrid, conversionId: null }], chain: [send] }).mismatches).toEqual([
    expect.objectContaining({ code: 'leg', step: 'convert' }),
  ]);
  expect(run({ records: [hybrid, leg], ledger: legMoves.ledger, chain: [event(`${legId}:mint`)] }).mismatches).toEqual([
    expect.objectContaining({ code: 'missing', source: 'chain', step: 'send' }),
  ]);
});

test('a swap: sent to the treasury and credited; a failed one returns what it sent', () => {
  const id = 'swap:sms:s';
  const swap: SwapRecord = {
    kind: 'swap',
    id,
    phoneNumber: PHONE,
    status: 'completed',
    stage: 'completed',
    txtcAmount: TXTC,
    airtimeMinor: 126420n,
    wallet: WALLET,
    treasury: TREASURY,
    sendReference: `${id}:send`,
    creditReference: `${id}:credit`,
    returnReference: null,
    createdAt: at,
  };
  const send = event(`${id}:send`, { kind: 'transfer', from: WALLET, to: TREASURY });
  const credit = entry(`${id}:credit`, { kind: 'credit', amountMinor: 126420n });
  expect(run({ records: [swap], ledger: [credit], chain: [send] }).status).toBe('clean');
  const failed = { ...swap, status: 'failed' as const, stage: 'returned' };
  const back = event(`${id}:return`, { kind: 'transfer', from: TREASURY, to: WALLET });
  expect(run({ records: [failed], chain: [send, back] }).status).toBe('clean');
  expect(run({ records: [{ ...failed, stage: 'return_failed' }], chain: [send] }).mismatches).toEqual([
    expect.objectContaining({ code: 'owed', step: 'return' }),
  ]);
});

test('a voucher minted once is clean; one whose mint failed is TXTC owed', () => {
  const voucher: VoucherRecord = {
    kind: 'voucher',
    id: 'voucher:v_1',
    voucherId: 'v_1',
    redeemedBy: PHONE,
    txtcAmount: TXTC,
    wallet: WALLET,
    mintReference: 'voucher:v_1:mint',
    status: 'completed',
    createdAt: at,
  };
  expect(run({ records: [voucher], chain: [event('voucher:v_1:mint')] }).status).toBe('clean');
  expect(run({ records: [{ ...voucher, status: 'failed' }] }).mismatches).toEqual([
    expect.objectContaining({ code: 'owed', step: 'mint' }),
  ]);
});

test('a mint on chain with no record is a mismatch unless its reference is on the ignore list', () => {
  const base = clean();
  const stray = event('test-fund:+254700000000:1', { to: WALLET_B });
  expect(run({ ...base, chain: [...base.chain, stray] }).mismatches).toEqual([
    expect.objectContaining({ code: 'no_record', source: 'chain', chainRef: stray.ref }),
  ]);
  const ignored = run({
    ...base,
    chain: [...base.chain, stray],
    ignore: { referencePrefixes: [], references: ['test-fund:+254700000000:1'] },
  });
  expect(ignored).toMatchObject({ status: 'clean', counts: { ignored: 1 } });
});

test('ledger references by ignored prefix are skipped; entries and events outside the window are evidence only', () => {
  const base = clean();
  const planted = entry('test-plant:x:debit');
  expect(
    run({ ...base, ledger: [...base.ledger, planted], ignore: { referencePrefixes: ['test-plant:'], references: [] } })
      .status,
  ).toBe('clean');
  const before = entry('elsewhere:debit', { at: new Date('2025-01-01T08:59:59Z') });
  const later = event('elsewhere:mint', { blockNumber: 31 });
  expect(run({ ...base, ledger: [...base.ledger, before], chain: [...base.chain, later] }).status).toBe('clean');
});

test('a record names every step reference it may have used', () => {
  expect(referencesOf(conversion('c'))).toEqual(
    expect.arrayContaining(['c:debit', 'c:mint', 'c:refund', 'c:credit', 'c:send', 'c:transfer', 'c:return']),
  );
});
