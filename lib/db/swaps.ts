/** The txtc_swaps table: one row per SWAP (TXTC to the treasury, airtime credited, TXTC returned on failure). */
import type { Pool } from 'pg';
import type { Channel, SwapStage, SwapUpdate, TransferStatus } from '../definitions';
import type { SwapQuote } from '../money/swap';
import { withTransaction } from './pool';
import { stepWriter } from './rows';
import { lockNumber, usedTodayUsdMicros } from './limits';

export interface SwapRecord {
  id: string;
  channel: Channel;
  phoneNumber: string;
  operator: string;
  txtcAmount: bigint;
  platformFee: bigint;
  usdMicros: bigint;
  currency: string;
  airtimeMinor: bigint;
  stage: SwapStage;
  status: TransferStatus;
  wallet: string | null;
  treasury: string | null;
  sendReference: string | null;
  sendTxHash: string | null;
  creditReference: string | null;
  returnReference: string | null;
  returnTxHash: string | null;
  failureType: string | null;
  failureMessage: string | null;
  createdAt: Date;
}

interface Row {
  id: string;
  channel: Channel;
  phone_number: string;
  operator: string;
  txtc_amount: string;
  platform_fee_txtc: string;
  usd_micros: string;
  currency: string;
  airtime_minor: string;
  stage: SwapStage;
  status: TransferStatus;
  wallet: string | null;
  treasury: string | null;
  send_reference: string | null;
  send_tx_hash: string | null;
  credit_reference: string | null;
  return_reference: string | null;
  return_tx_hash: string | null;
  failure_type: string | null;
  failure_message: string | null;
  created_at: Date;
}

const COLUMNS = `id, channel, phone_number, operator, txtc_amount::text, platform_fee_txtc::text, usd_micros::text, currency,
  airtime_minor::text, stage, status, wallet, treasury, send_reference, send_tx_hash, credit_reference, return_reference,
  return_tx_hash, failure_type, failure_message, created_at`;

const toRecord = (r: Row): SwapRecord => ({
  id: r.id,
  channel: r.channel,
  phoneNumber: r.phone_number,
  operator: r.operator,
  txtcAmount: BigInt(r.txtc_amount),
  platformFee: BigInt(r.platform_fee_txtc),
  usdMicros: BigInt(r.usd_micros),
  currency: r.currency,
  airtimeMinor: BigInt(r.airtime_minor),
  stage: r.stage,
  status: r.status,
  wallet: r.wallet,
  treasury: r.treasury,
  sendReference: r.send_reference,
  sendTxHash: r.send_tx_hash,
  creditReference: r.credit_reference,
  returnReference: r.return_reference,
  returnTxHash: r.return_tx_hash,
  failureType: r.failure_type,
  failureMessage: r.failure_message,
  createdAt: r.created_at,
});

/** What a step writes (lib/db/rows.ts stepWriter), in this order. */
const STEP_FIELDS = [
  'status',
  'failure',
  'wallet',
  'treasury',
  'sendReference',
  'sendTxHash',
  'creditReference',
  'returnReference',
  'returnTxHash',
] as const;

export function createSwapRepo(pool: Pool) {
  return {
    /**
     * Records the swap (a repeat for the same id keeps the first quote) and returns what the number moved in
     * the last 24 hours besides it, under the number's one lock shared with conversions and transfers.
     */
    async insertRecorded(
      id: string,
      channel: Channel,
      party: { phoneNumber: string; operator: string },
      quote: SwapQuote,
    ): Promise<{ usedTodayUsdMicros: bigint; quote: SwapQuote }> {
      return withTransaction(pool, async (client) => {
        await lockNumber(client, party.phoneNumber);
        await client.query(
          `INSERT INTO txtc_swaps (id, channel, phone_number, operator, txtc_amount, platform_fee_txtc, usd_micros,
             currency, airtime_minor, txtc_per_usd, rate_source)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (id) DO NOTHING`,
          [
            id,
            channel,
            party.phoneNumber,
            party.operator,
            quote.txtcAmount.toString(),
            quote.platformFee.toString(),
            quote.usdMicros.toString(),
            quote.currency,
            quote.airtimeMinor.toString(),
            quote.txtcPerUsd.toString(),
            quote.rateSource,
          ],
        );
        // A retried attempt may have quoted again at a newer rate: the first recorded amounts are the amounts.
        const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM txtc_swaps WHERE id = $1`, [id]);
        const stored = toRecord(rows[0]!);
        const first: SwapQuote = {
          ...quote,
          txtcAmount: stored.txtcAmount,
          platformFee: stored.platformFee,
          usdMicros: stored.usdMicros,
          airtimeMinor: stored.airtimeMinor,
        };
        return { usedTodayUsdMicros: await usedTodayUsdMicros(client, party.phoneNumber, id), quote: first };
      });
    },

    update: stepWriter<SwapUpdate>(
      pool,
      { name: 'txtc_swaps', record: 'swap', failureColumn: 'failure_type' },
      STEP_FIELDS,
    ),

    async get(id: string): Promise<SwapRecord | undefined> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM txtc_swaps WHERE id = $1`, [id]);
      return rows[0] && toRecord(rows[0]);
    },
  };
}

export type SwapRepo = ReturnType<typeof createSwapRepo>;
