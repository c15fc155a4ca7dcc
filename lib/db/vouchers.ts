/**
 * The vouchers table: one-time codes issued by ops (stored as a hash), claimed by one SMS with one
 * conditional UPDATE (a code claims once; the claiming message claims again harmlessly on a retry), and the
 * mint that pays it out.
 */
import type { Pool } from 'pg';

export interface VoucherRecord {
  id: string;
  txtcAmount: bigint;
  note: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  redeemedBy: string | null;
  redeemedMessageId: string | null;
  redeemedAt: Date | null;
  wallet: string | null;
  mintReference: string | null;
  mintTxHash: string | null;
  mintedAt: Date | null;
  mintFailure: string | null;
  /** its USD value when it was redeemed (counted toward the redeemer's daily limit) */
  redeemedUsdMicros: bigint | null;
}

export type VoucherStatus = 'issued' | 'expired' | 'revoked' | 'redeemed' | 'minted' | 'mint_failed';

/** Why a code claims nothing: unknown, already used (by another message), expired or revoked. */
export type ClaimOutcome =
  | { status: 'claimed'; voucher: VoucherRecord }
  | { status: 'unknown' | 'used' | 'expired' | 'revoked' };

interface Row {
  id: string;
  txtc_amount: string;
  note: string | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  redeemed_by: string | null;
  redeemed_message_id: string | null;
  redeemed_at: Date | null;
  wallet: string | null;
  mint_reference: string | null;
  mint_tx_hash: string | null;
  minted_at: Date | null;
  mint_failure: string | null;
  redeemed_usd_micros: string | null;
}

const COLUMNS = `id, txtc_amount::text, note, expires_at, revoked_at, created_at, redeemed_by, redeemed_message_id,
  redeemed_at, wallet, mint_reference, mint_tx_hash, minted_at, mint_failure, redeemed_usd_micros::text`;

const toRecord = (r: Row): VoucherRecord => ({
  id: r.id,
  txtcAmount: BigInt(r.txtc_amount),
  note: r.note,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  createdAt: r.created_at,
  redeemedBy: r.redeemed_by,
  redeemedMessageId: r.redeemed_message_id,
  redeemedAt: r.redeemed_at,
  wallet: r.wallet,
  mintReference: r.mint_reference,
  mintTxHash: r.mint_tx_hash,
  mintedAt: r.minted_at,
  mintFailure: r.mint_failure,
  redeemedUsdMicros: r.redeemed_usd_micros === null ? null : BigInt(r.redeemed_usd_micros),
});

export function voucherStatus(v: VoucherRecord, now = new Date()): VoucherStatus {
  if (v.mintedAt) return 'minted';
  if (v.mintFailure) return 'mint_failed';
  // A redemption ops rejected revokes its voucher.
  if (v.revokedAt) return 'revoked';
  if (v.redeemedAt) return 'redeemed';
  if (v.expiresAt && v.expiresAt <= now) return 'expired';
  return 'issued';
}

export function createVoucherRepo(pool: Pool) {
  return {
    async issue(
      vouchers: { id: string; codeHash: string; txtcAmount: bigint; note?: string; expiresAt?: Date }[],
    ): Promise<VoucherRecord[]> {
      const { rows } = await pool.query<Row>(
        `INSERT INTO vouchers (id, code_hash, txtc_amount, note, expires_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::timestamptz[])
         RETURNING ${COLUMNS}`,
        [
          vouchers.map((v) => v.id),
          vouchers.map((v) => v.codeHash),
          vouchers.map((v) => v.txtcAmount.toString()),
          vouchers.map((v) => v.note ?? null),
          vouchers.map((v) => v.expiresAt ?? null),
        ],
      );
      return rows.map(toRecord);
    },

    /**
     * Claims the code for `phoneNumber` by message `messageId`: once per code; the same message claiming
     * again (a retried activity) gets the same voucher back.
     */
    async claim(
      codeHash: string,
      phoneNumber: string,
      messageId: string,
      /** its USD value now, counted toward the redeemer's daily limit */
      usdMicros?: bigint,
    ): Promise<ClaimOutcome> {
      const { rows } = await pool.query<Row>(
        `UPDATE vouchers SET redeemed_by = $2, redeemed_message_id = $3, redeemed_at = COALESCE(redeemed_at, now()),
           redeemed_usd_micros = COALESCE(redeemed_usd_micros, $4)
         WHERE code_hash = $1 AND revoked_at IS NULL
           AND ((redeemed_at IS NULL AND (expires_at IS NULL OR expires_at > now()))
                OR (redeemed_message_id = $3 AND redeemed_by = $2))
         RETURNING ${COLUMNS}`,
        [codeHash, phoneNumber, messageId, usdMicros?.toString() ?? null],
      );
      if (rows[0]) return { status: 'claimed', voucher: toRecord(rows[0]) };
      const found = await pool.query<Row>(`SELECT ${COLUMNS} FROM vouchers WHERE code_hash = $1`, [codeHash]);
      const voucher = found.rows[0] && toRecord(found.rows[0]);
      if (!voucher) return { status: 'unknown' };
      if (voucher.redeemedAt) return { status: 'used' };
      if (voucher.revokedAt) return { status: 'revoked' };
      return { status: 'expired' };
    },

    async markMinted(id: string, m: { wallet: string; reference: string; txHash: string }): Promise<void> {
      await pool.query(
        `UPDATE vouchers SET wallet = $2, mint_reference = $3, mint_tx_hash = $4, minted_at = COALESCE(minted_at, now()),
           mint_failure = NULL WHERE id = $1`,
        [id, m.wallet, m.reference, m.txHash],
      );
    },

    async markMintFailed(id: string, m: { wallet: string; reference: string; failure: string }): Promise<void> {
      await pool.query(
        'UPDATE vouchers SET wallet = $2, mint_reference = $3, mint_failure = $4 WHERE id = $1 AND minted_at IS NULL',
        [id, m.wallet, m.reference, m.failure],
      );
    },

    /** The voucher a code names, whatever its state (nothing changes). */
    async byCodeHash(codeHash: string): Promise<VoucherRecord | undefined> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM vouchers WHERE code_hash = $1`, [codeHash]);
      return rows[0] && toRecord(rows[0]);
    },

    /**
     * A held redemption ops did not approve: rejected, the voucher is revoked; undecided, it goes back to
     * issued (the code still good). Only before anything was minted.
     */
    async releaseHeld(id: string, outcome: 'rejected' | 'expired'): Promise<void> {
      await pool.query(
        outcome === 'rejected'
          ? 'UPDATE vouchers SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND minted_at IS NULL'
          : `UPDATE vouchers SET redeemed_by = NULL, redeemed_message_id = NULL, redeemed_at = NULL,
               redeemed_usd_micros = NULL WHERE id = $1 AND minted_at IS NULL`,
        [id],
      );
    },

    /** Revokes a code nobody redeemed yet; false when it is unknown or already redeemed. */
    async revoke(id: string): Promise<boolean> {
      const { rowCount } = await pool.query(
        'UPDATE vouchers SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND redeemed_at IS NULL',
        [id],
      );
      return (rowCount ?? 0) > 0;
    },

    async get(id: string): Promise<VoucherRecord | undefined> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM vouchers WHERE id = $1`, [id]);
      return rows[0] && toRecord(rows[0]);
    },
  };
}

export type VoucherRepo = ReturnType<typeof createVoucherRepo>;
