/** The airtime_transactions table: one row per conversion, kept by the conversion workflow's activities. */
import type { Pool } from 'pg';
import type { Channel, ConversionQuote, ConversionStage } from '../../workflows/definitions';

export interface ConversionRecord {
  id: string;
  channel: Channel;
  phoneNumber: string;
  operator: string;
  currency: string;
  status: 'pending' | 'completed' | 'failed';
  stage: ConversionStage;
  airtimeAmountMinor: bigint;
  usdMicros: bigint;
  txtcGross: bigint;
  platformFee: bigint;
  operatorFee: bigint;
  gasFee: bigint;
  txtcAmount: bigint;
  txtcPerUsd: bigint;
  minorUnitsPerUsd: bigint;
  rateSource: string;
  walletAddress: string | null;
  txHash: string | null;
  debitReference: string | null;
  mintReference: string | null;
  refundReference: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  refundedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: string; channel: Channel; phone_number: string; operator: string; currency: string;
  status: ConversionRecord['status']; stage: ConversionStage;
  airtime_amount_minor: string; usd_micros: string; txtc_gross: string; platform_fee: string; operator_fee: string;
  gas_fee: string; txtc_amount: string; txtc_per_usd: string; minor_units_per_usd: string; rate_source: string;
  wallet_address: string | null; tx_hash: string | null; debit_reference: string | null; mint_reference: string | null;
  refund_reference: string | null; failure_code: string | null; failure_message: string | null;
  refunded_at: Date | null; created_at: Date; updated_at: Date;
}

const toRecord = (r: Row): ConversionRecord => ({
  id: r.id,
  channel: r.channel,
  phoneNumber: r.phone_number,
  operator: r.operator,
  currency: r.currency,
  status: r.status,
  stage: r.stage,
  airtimeAmountMinor: BigInt(r.airtime_amount_minor),
  usdMicros: BigInt(r.usd_micros),
  txtcGross: BigInt(r.txtc_gross),
  platformFee: BigInt(r.platform_fee),
  operatorFee: BigInt(r.operator_fee),
  gasFee: BigInt(r.gas_fee),
  txtcAmount: BigInt(r.txtc_amount),
  txtcPerUsd: BigInt(r.txtc_per_usd),
  minorUnitsPerUsd: BigInt(r.minor_units_per_usd),
  rateSource: r.rate_source,
  walletAddress: r.wallet_address,
  txHash: r.tx_hash,
  debitReference: r.debit_reference,
  mintReference: r.mint_reference,
  refundReference: r.refund_reference,
  failureCode: r.failure_code,
  failureMessage: r.failure_message,
  refundedAt: r.refunded_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** What a step changes on the record. */
export interface ConversionUpdate {
  stage: ConversionStage;
  status?: ConversionRecord['status'];
  debitReference?: string;
  mintReference?: string;
  refundReference?: string;
  walletAddress?: string;
  txHash?: string;
  failureCode?: string;
  failureMessage?: string;
  refunded?: boolean;
}

export function createConversionRepo(pool: Pool) {
  return {
    /**
     * Records a quoted conversion (a second call for the same id changes nothing) and returns the USD
     * value of the number's other conversions in the last 24 hours that did not fail. A per-number lock
     * makes the two one step, so concurrent requests of one number each see the others.
     */
    async insertQuoted(id: string, channel: Channel, phoneNumber: string, quote: ConversionQuote): Promise<bigint> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("SELECT pg_advisory_xact_lock(hashtext('airtime_transactions:' || $1))", [phoneNumber]);
        await client.query(
          `INSERT INTO airtime_transactions (id, channel, phone_number, operator, currency, airtime_amount_minor, usd_micros,
             txtc_gross, platform_fee, operator_fee, gas_fee, txtc_amount, txtc_per_usd, minor_units_per_usd, rate_source)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (id) DO NOTHING`,
          [id, channel, phoneNumber, quote.operator, quote.currency, quote.airtimeAmountMinor, quote.usdMicros, quote.txtcGross,
            quote.platformFee, quote.operatorFee, quote.gasFee, quote.txtcNet, quote.txtcPerUsd, quote.minorUnitsPerUsd, quote.rateSource],
        );
        const { rows } = await client.query<{ total: string }>(
          `SELECT COALESCE(SUM(usd_micros), 0)::text AS total FROM airtime_transactions
           WHERE phone_number = $1 AND id <> $2 AND status <> 'failed' AND created_at > now() - interval '24 hours'`,
          [phoneNumber, id],
        );
        await client.query('COMMIT');
        return BigInt(rows[0]!.total);
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },

    async update(id: string, u: ConversionUpdate): Promise<void> {
      const { rowCount } = await pool.query(
        `UPDATE airtime_transactions SET
           stage = $2,
           status = COALESCE($3::transfer_status, status),
           debit_reference = COALESCE($4, debit_reference),
           mint_reference = COALESCE($5, mint_reference),
           refund_reference = COALESCE($6, refund_reference),
           wallet_address = COALESCE($7, wallet_address),
           tx_hash = COALESCE($8, tx_hash),
           failure_code = COALESCE($9, failure_code),
           failure_message = COALESCE($10, failure_message),
           refunded_at = CASE WHEN $11 THEN COALESCE(refunded_at, now()) ELSE refunded_at END,
           updated_at = now()
         WHERE id = $1`,
        [id, u.stage, u.status ?? null, u.debitReference ?? null, u.mintReference ?? null, u.refundReference ?? null,
          u.walletAddress ?? null, u.txHash ?? null, u.failureCode ?? null, u.failureMessage ?? null, u.refunded ?? false],
      );
      if (rowCount === 0) throw new Error(`no conversion ${id} to update`);
    },

    async get(id: string): Promise<ConversionRecord | undefined> {
      const { rows } = await pool.query<Row>('SELECT * FROM airtime_transactions WHERE id = $1', [id]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
  };
}

export type ConversionRepo = ReturnType<typeof createConversionRepo>;
