/**
 * The product's records as a reconciliation reads them: conversions, transfers, swaps and redeemed vouchers,
 * by the time they were created (vouchers: redeemed) or by workflow id, optionally only those of some numbers.
 */
import type { Pool } from 'pg';
import type { ConversionRecord, ProductRecord, SwapRecord, TransferRecord } from './types';
import { readRow, type RowOf } from '../db/rows';

export interface RecordFilter {
  since?: Date;
  until?: Date;
  /** numbers taking part (either side of a transfer) */
  phones?: string[];
  /** workflow ids */
  ids?: string[];
}

/** `$1..$4`: since, until, phones, ids; `time`, `phone` and `id` are the table's expressions for them. */
const where = (time: string, phone: string, id: string) =>
  `($1::timestamptz IS NULL OR ${time} >= $1) AND ($2::timestamptz IS NULL OR ${time} < $2)
   AND ($3::text[] IS NULL OR ${phone}) AND ($4::text[] IS NULL OR ${id} = ANY($4))`;

export async function loadRecords(pool: Pool, filter: RecordFilter): Promise<ProductRecord[]> {
  const params = [filter.since ?? null, filter.until ?? null, filter.phones ?? null, filter.ids ?? null];
  const [conversions, transfers, swaps, vouchers] = await Promise.all([
    pool.query<RowOf<Omit<ConversionRecord, 'kind'>>>(
      `SELECT id, phone_number, status::text AS status, stage, airtime_amount_minor::text AS airtime_minor,
              txtc_amount::text, wallet_address AS wallet, debit_reference, mint_reference, refund_reference,
              parent_transfer_id, created_at
         FROM airtime_transactions
        WHERE ${where('created_at', 'phone_number = ANY($3)', 'id')}`,
      params,
    ),
    pool.query<RowOf<Omit<TransferRecord, 'kind'>>>(
      `SELECT id, transfer_type::text AS transfer_type, from_phone, to_phone, status::text AS status, stage,
              amount_minor::text, txtc_amount::text, from_wallet, to_wallet, transfer_reference, debit_reference,
              credit_reference, send_reference, refund_reference, conversion_id, txtc_from_balance::text, created_at
         FROM p2p_transfers
        WHERE ${where('created_at', '(from_phone = ANY($3) OR to_phone = ANY($3))', 'id')}`,
      params,
    ),
    pool.query<RowOf<Omit<SwapRecord, 'kind'>>>(
      `SELECT id, phone_number, status, stage, txtc_amount::text, airtime_minor::text, wallet, treasury,
              send_reference, credit_reference, return_reference, created_at
         FROM txtc_swaps
        WHERE ${where('created_at', 'phone_number = ANY($3)', 'id')}`,
      params,
    ),
    pool.query<{
      id: string;
      redeemed_by: string | null;
      txtc_amount: string;
      wallet: string | null;
      mint_reference: string | null;
      minted_at: Date | null;
      mint_failure: string | null;
      redeemed_at: Date;
    }>(
      `SELECT id, redeemed_by, txtc_amount::text, wallet, mint_reference, minted_at, mint_failure, redeemed_at
         FROM vouchers
        WHERE redeemed_at IS NOT NULL AND ${where('redeemed_at', 'redeemed_by = ANY($3)', "'voucher:' || id")}`,
      params,
    ),
  ]);
  return [
    ...conversions.rows.map(
      (r): ProductRecord => ({ kind: 'conversion', ...readRow(r, ['airtime_minor', 'txtc_amount']) }),
    ),
    ...transfers.rows.map(
      (r): ProductRecord => ({
        kind: 'transfer',
        ...readRow(r, ['amount_minor', 'txtc_amount', 'txtc_from_balance']),
      }),
    ),
    ...swaps.rows.map((r): ProductRecord => ({ kind: 'swap', ...readRow(r, ['txtc_amount', 'airtime_minor']) })),
    ...vouchers.rows.map(
      (r): ProductRecord => ({
        kind: 'voucher',
        id: `voucher:${r.id}`,
        voucherId: r.id,
        redeemedBy: r.redeemed_by,
        txtcAmount: BigInt(r.txtc_amount),
        wallet: r.wallet,
        mintReference: r.mint_reference,
        status: r.minted_at ? 'completed' : r.mint_failure ? 'failed' : 'pending',
        createdAt: r.redeemed_at,
      }),
    ),
  ];
}

/** The custodial wallets of these numbers (lower-case addresses). */
export async function walletsOf(pool: Pool, phones: string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ address: string }>('SELECT address FROM wallets WHERE phone_number = ANY($1)', [
    phones,
  ]);
  return new Set(rows.map((r) => r.address.toLowerCase()));
}
