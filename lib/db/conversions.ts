/** The airtime_transactions table: one row per conversion, kept by the conversion workflow's activities. */
import type { Pool } from 'pg';
import { type Channel, type ConversionStage, type ConversionUpdate, type TransferStatus } from '../definitions';
import { CONVERSION_QUOTE_AMOUNTS, type ConversionQuote } from '../money/conversion';
import { RecordNotFoundError, readRow, stepWriter, type RowOf } from './rows';
import { recordMovement, type Recording } from './limits';

export type { ConversionUpdate };
/** Now in lib/db/rows.ts with the step writes that throw it; still exported here, where it used to live. */
export { RecordNotFoundError };

/** Where each field of the quote is kept; the one map both the insert and the read use. */
const QUOTE_COLUMNS = {
  operator: 'operator',
  currency: 'currency',
  airtimeAmountMinor: 'airtime_amount_minor',
  usdMicros: 'usd_micros',
  txtcGross: 'txtc_gross',
  platformFee: 'platform_fee',
  operatorFee: 'operator_fee',
  gasFee: 'gas_fee',
  txtcNet: 'txtc_amount',
  txtcPerUsd: 'txtc_per_usd',
  minorUnitsPerUsd: 'minor_units_per_usd',
  rateSource: 'rate_source',
} as const satisfies Partial<Record<keyof ConversionQuote, string>>;
const QUOTE_FIELDS = Object.keys(QUOTE_COLUMNS) as (keyof typeof QUOTE_COLUMNS)[];
/** The columns read as bigint: the quote's amounts. */
const AMOUNT_COLUMNS = CONVERSION_QUOTE_AMOUNTS.map((f) => QUOTE_COLUMNS[f]);
/** What a step writes (lib/db/rows.ts stepWriter), in this order. */
const STEP_FIELDS = [
  'status',
  'debitReference',
  'mintReference',
  'refundReference',
  'walletAddress',
  'txHash',
  'failure',
] as const;

export interface ConversionRecord extends ConversionQuote {
  id: string;
  channel: Channel;
  phoneNumber: string;
  status: TransferStatus;
  stage: ConversionStage;
  /** the TXTC minted to the person (= txtcNet; column txtc_amount) */
  txtcAmount: bigint;
  walletAddress: string | null;
  txHash: string | null;
  debitReference: string | null;
  mintReference: string | null;
  refundReference: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  refundedAt: Date | null;
  /** a hybrid transfer's leg: the transfer it bought TXTC for */
  parentTransferId: string | null;
  /** the REST API key that created it (null: USSD, SMS, or keys off) */
  apiKeyId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const SELECT = `SELECT t.id, t.channel, t.phone_number, t.status, t.stage, r.minor_digits,
  ${QUOTE_FIELDS.map((f) => `t.${QUOTE_COLUMNS[f]}::text AS ${QUOTE_COLUMNS[f]}`).join(', ')},
  t.wallet_address, t.tx_hash, t.debit_reference, t.mint_reference, t.refund_reference, t.failure_code,
  t.failure_message, t.refunded_at, t.created_at, t.updated_at, t.parent_transfer_id, t.api_key_id
  FROM airtime_transactions t JOIN operator_rates r ON r.operator = t.operator`;

/** The SELECT's columns: each field of the record but txtcNet, which is kept as txtc_amount. */
type Row = RowOf<Omit<ConversionRecord, 'txtcNet'>>;

function toRecord(r: Row): ConversionRecord {
  const record = readRow(r, AMOUNT_COLUMNS);
  return { ...record, txtcNet: record.txtcAmount };
}

/** A conversion's recording: a hybrid transfer's leg also names its transfer. */
export interface LegRecording extends Recording {
  parentTransferId?: string;
}

export function createConversionRepo(pool: Pool) {
  return {
    /**
     * Records a quoted conversion (a second call for the same id changes nothing) and returns the quote
     * as first recorded with the USD value of the number's other money movements in the last 24 hours,
     * under the number's lock; with a screen, also what the fraud rules read (lib/fraud/rules.ts). A hybrid
     * transfer's leg names its transfer (`parentTransferId`).
     */
    async insertQuoted(id: string, phoneNumber: string, quote: ConversionQuote, origin: LegRecording) {
      const subject = { id, kind: 'conversion' as const, fromPhone: phoneNumber };
      return recordMovement(pool, subject, origin.screen, async (client) => {
        const columns = QUOTE_FIELDS.map((f) => QUOTE_COLUMNS[f]);
        const values = QUOTE_FIELDS.map((f) => String(quote[f]));
        await client.query(
          `INSERT INTO airtime_transactions (id, channel, phone_number, parent_transfer_id, api_key_id, ${columns.join(', ')})
           VALUES ($1, $2, $3, $4, $5, ${columns.map((_, i) => `$${i + 6}`).join(', ')})
           ON CONFLICT (id) DO NOTHING`,
          [id, origin.channel, phoneNumber, origin.parentTransferId ?? null, origin.apiKeyId ?? null, ...values],
        );
        const { rows } = await client.query<Row>(`${SELECT} WHERE t.id = $1`, [id]);
        const stored = toRecord(rows[0]!);
        return Object.fromEntries(
          [...QUOTE_FIELDS, 'minorDigits' as const].map((f) => [f, stored[f]]),
        ) as unknown as ConversionQuote;
      });
    },

    update: stepWriter<ConversionUpdate>(pool, { name: 'airtime_transactions', record: 'conversion' }, STEP_FIELDS),

    async get(id: string): Promise<ConversionRecord | undefined> {
      const { rows } = await pool.query<Row>(`${SELECT} WHERE t.id = $1`, [id]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
  };
}

export type ConversionRepo = ReturnType<typeof createConversionRepo>;
