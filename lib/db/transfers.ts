/** The p2p_transfers table (one row per airtime, TXTC or hybrid transfer) and a number's history. */
import type { Pool } from 'pg';
import type { Channel, TransferKind, TransferStage, TransferStatus, TransferUpdate } from '../definitions';
import type { TransferQuote } from '../money/transfer';
import { readRow, stepWriter, type RowOf } from './rows';
import { recordMovement, type Recording } from './limits';

export type { TransferUpdate };

export interface TransferParties {
  fromPhone: string;
  fromOperator: string;
  toPhone: string;
  toOperator: string;
}

export interface TransferRecord extends TransferParties {
  id: string;
  channel: Channel;
  kind: TransferKind;
  status: TransferStatus;
  stage: TransferStage;
  currency: string | null;
  amountMinor: bigint | null;
  txtcAmount: bigint | null;
  usdMicros: bigint;
  txtcFromBalance: bigint | null;
  conversionId: string | null;
  fromWallet: string | null;
  toWallet: string | null;
  txHash: string | null;
  transferReference: string | null;
  debitReference: string | null;
  creditReference: string | null;
  sendReference: string | null;
  refundReference: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  refundedAt: Date | null;
  /** the REST API key that created it (null: USSD, SMS, or keys off) */
  apiKeyId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One line of a number's history: a conversion, a transfer it sent or received, a SWAP, a voucher redeemed,
 * or money it got back (a refund of airtime, a return of swapped TXTC). `id` reads the movement back.
 */
export interface HistoryEntry {
  id: string;
  kind: 'conversion' | TransferKind | 'swap' | 'voucher' | 'refund' | 'return';
  direction: 'out' | 'in';
  counterparty: string | null;
  currency: string | null;
  amountMinor: bigint | null;
  txtcAmount: bigint | null;
  usdMicros: bigint;
  status: TransferStatus;
  createdAt: Date;
}

/** The SELECT's columns: each field of the record, transfer_type read as `kind`. */
type Row = RowOf<TransferRecord>;

const COLUMNS = `id, channel, transfer_type AS kind, status, stage, from_phone, from_operator, to_phone, to_operator, currency,
  amount_minor::text, txtc_amount::text, usd_micros::text, txtc_from_balance::text, conversion_id, from_wallet, to_wallet,
  tx_hash, transfer_reference, debit_reference, credit_reference, send_reference, refund_reference, failure_code,
  failure_message, refunded_at, api_key_id, created_at, updated_at`;

/** What a step writes (lib/db/rows.ts stepWriter), in this order. */
const STEP_FIELDS = [
  'status',
  'failure',
  'transferReference',
  'debitReference',
  'creditReference',
  'sendReference',
  'refundReference',
  'conversionId',
  'txtcFromBalance',
  'fromWallet',
  'toWallet',
  'txHash',
] as const;

const toRecord = (r: Row): TransferRecord =>
  readRow(r, ['amount_minor', 'txtc_amount', 'usd_micros', 'txtc_from_balance']);

export function createTransferRepo(pool: Pool) {
  return {
    /**
     * Records a transfer (a repeat for the same id changes nothing) and returns what the sender moved in
     * the last 24 hours besides it, under the sender's one lock shared with conversions; with `screen`, also
     * what the fraud rules read (lib/fraud/rules.ts).
     */
    async insertRecorded(id: string, parties: TransferParties, quote: TransferQuote, origin: Recording) {
      const subject = { id, kind: quote.kind, fromPhone: parties.fromPhone, toPhone: parties.toPhone };
      return recordMovement(pool, subject, origin.screen, async (client): Promise<TransferQuote> => {
        await client.query(
          `INSERT INTO p2p_transfers (id, channel, transfer_type, from_phone, from_operator, to_phone, to_operator,
             currency, amount_minor, txtc_amount, usd_micros, api_key_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (id) DO NOTHING`,
          [
            id,
            origin.channel,
            quote.kind,
            parties.fromPhone,
            parties.fromOperator,
            parties.toPhone,
            parties.toOperator,
            quote.currency ?? null,
            quote.amountMinor?.toString() ?? null,
            quote.txtcAmount?.toString() ?? null,
            quote.usdMicros.toString(),
            origin.apiKeyId ?? null,
          ],
        );
        const { rows } = await client.query<{
          amount_minor: string | null;
          txtc_amount: string | null;
          usd_micros: string;
        }>('SELECT amount_minor::text, txtc_amount::text, usd_micros::text FROM p2p_transfers WHERE id = $1', [id]);
        const stored = rows[0]!;
        return {
          ...quote,
          usdMicros: BigInt(stored.usd_micros),
          ...(stored.amount_minor === null ? {} : { amountMinor: BigInt(stored.amount_minor) }),
          ...(stored.txtc_amount === null ? {} : { txtcAmount: BigInt(stored.txtc_amount) }),
        };
      });
    },

    update: stepWriter<TransferUpdate>(pool, { name: 'p2p_transfers', record: 'transfer' }, STEP_FIELDS),

    /** Whether a number ever used the service: it has a wallet, bought TXTC or sent something. */
    async hasUsedService(phoneNumber: string): Promise<boolean> {
      const { rows } = await pool.query<{ used: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM wallets WHERE phone_number = $1)
             OR EXISTS (SELECT 1 FROM airtime_transactions WHERE phone_number = $1)
             OR EXISTS (SELECT 1 FROM p2p_transfers WHERE from_phone = $1) AS used`,
        [phoneNumber],
      );
      return rows[0]!.used;
    },

    async get(id: string): Promise<TransferRecord | undefined> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM p2p_transfers WHERE id = $1`, [id]);
      return rows[0] && toRecord(rows[0]);
    },

    /**
     * A number's last movements, newest first, every one that moved its money: its conversions (a hybrid's
     * airtime leg too, as its own line), the transfers it sent and those it received that completed, its
     * SWAPs, its voucher redemptions, and each refund or return it got back as a line of its own.
     */
    async history(phoneNumber: string, limit: number): Promise<HistoryEntry[]> {
      const { rows } = await pool.query<RowOf<HistoryEntry>>(
        `SELECT id, kind, direction, counterparty, currency, amount_minor, txtc_amount, usd_micros, status, created_at FROM (
           SELECT id, 'conversion' AS kind, 'out' AS direction, NULL::text AS counterparty, currency::text AS currency,
             airtime_amount_minor::text AS amount_minor, txtc_amount::text AS txtc_amount, usd_micros::text AS usd_micros,
             status::text AS status, created_at
           FROM airtime_transactions WHERE phone_number = $1
           UNION ALL
           SELECT id, 'refund', 'in', NULL, currency::text, airtime_amount_minor::text, NULL, usd_micros::text,
             'completed', updated_at
           FROM airtime_transactions WHERE phone_number = $1 AND stage = 'refunded'
           UNION ALL
           SELECT id, transfer_type::text, CASE WHEN from_phone = $1 THEN 'out' ELSE 'in' END,
             CASE WHEN from_phone = $1 THEN to_phone ELSE from_phone END, currency::text, amount_minor::text,
             txtc_amount::text, usd_micros::text, status::text, created_at
           FROM p2p_transfers WHERE from_phone = $1 OR (to_phone = $1 AND status = 'completed')
           UNION ALL
           SELECT id, 'refund', 'in', to_phone, currency::text, amount_minor::text, NULL, usd_micros::text,
             'completed', updated_at
           FROM p2p_transfers WHERE from_phone = $1 AND stage = 'refunded'
           UNION ALL
           SELECT id, 'swap', 'out', NULL, currency, airtime_minor::text, txtc_amount::text, usd_micros::text,
             status::text, created_at
           FROM txtc_swaps WHERE phone_number = $1
           UNION ALL
           SELECT id, 'return', 'in', NULL, NULL, NULL, txtc_amount::text, usd_micros::text, 'completed', updated_at
           FROM txtc_swaps WHERE phone_number = $1 AND stage = 'returned'
           UNION ALL
           SELECT 'voucher:' || id, 'voucher', 'in', NULL, NULL, NULL, txtc_amount::text, 0::text,
             CASE WHEN minted_at IS NOT NULL THEN 'completed' WHEN mint_failure IS NOT NULL THEN 'failed' ELSE 'pending' END,
             redeemed_at
           FROM vouchers WHERE redeemed_by = $1
         ) movements ORDER BY created_at DESC, id, kind LIMIT $2`,
        [phoneNumber, limit],
      );
      return rows.map((r) => readRow(r, ['amount_minor', 'txtc_amount', 'usd_micros']));
    },
  };
}

export type TransferRepo = ReturnType<typeof createTransferRepo>;
