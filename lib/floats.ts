/**
 * The float: what the platform holds at each operator to pay people out from (MoMo's disbursement and
 * collection accounts, Africa's Talking's application balance). A schedule reads it every minute
 * (floatReadingWorkflow, lib/price-schedule.ts) into operator_floats; /metrics shows it beside the last
 * hour's payouts, and TxtcOperatorFloatLow fires when it would not cover the next hour at that rate. A
 * payout (an airtime transfer's credit, a SWAP's airtime) that the latest fresh reading cannot cover is
 * refused before any debit (PayoutUnavailable); with no reading, or a stale one, nothing is refused on it.
 */
import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { BridgeError } from './definitions/errors';
import type { FloatReading } from './telco/types';
import { readRow, type RowOf } from './db/rows';

export interface FloatRow extends FloatReading {
  adapter: string;
  readAt: Date;
}

const FLOAT_COLUMNS = 'adapter, account, currency, balance_minor, read_at';
const floatOf = (r: RowOf<FloatRow>): FloatRow => readRow(r, ['balance_minor']);

export function createFloatRepo(pool: Pool) {
  return {
    /** The adapter's accounts as just read (one row each: the latest reading). */
    async record(adapter: string, readings: FloatReading[]): Promise<void> {
      for (const r of readings) {
        await pool.query(
          `INSERT INTO operator_floats (adapter, account, currency, balance_minor, read_at) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (adapter, account) DO UPDATE
             SET currency = EXCLUDED.currency, balance_minor = EXCLUDED.balance_minor, read_at = EXCLUDED.read_at`,
          [adapter, r.account, r.currency, r.balanceMinor.toString()],
        );
      }
    },

    async latest(adapter: string, account: string): Promise<FloatRow | undefined> {
      const { rows } = await pool.query<RowOf<FloatRow>>(
        `SELECT ${FLOAT_COLUMNS} FROM operator_floats WHERE adapter = $1 AND account = $2`,
        [adapter, account],
      );
      return rows[0] && floatOf(rows[0]);
    },

    async all(): Promise<FloatRow[]> {
      const { rows } = await pool.query<RowOf<FloatRow>>(
        `SELECT ${FLOAT_COLUMNS} FROM operator_floats ORDER BY adapter, account`,
      );
      return rows.map(floatOf);
    },

    /** Airtime paid out in the last hour (airtime transfers' credits and SWAPs), by currency, minor units. */
    async payoutsLastHour(): Promise<{ currency: string; minor: bigint }[]> {
      const { rows } = await pool.query<{ currency: string; minor: string }>(
        `SELECT currency, sum(minor)::text AS minor FROM (
           SELECT r.currency, t.amount_minor AS minor FROM p2p_transfers t
             JOIN operator_rates r ON r.operator = t.to_operator
            WHERE t.transfer_type = 'airtime' AND t.status <> 'failed' AND t.created_at > now() - interval '1 hour'
           UNION ALL
           SELECT currency, airtime_minor FROM txtc_swaps
            WHERE status <> 'failed' AND created_at > now() - interval '1 hour'
         ) p GROUP BY currency`,
      );
      return rows.map((r) => ({ currency: r.currency, minor: BigInt(r.minor) }));
    },
  };
}

export type FloatRepo = ReturnType<typeof createFloatRepo>;

/** The account an operator's payouts come from, and the adapter that holds it (TelcoRouter.payoutAccount). */
export interface PayoutAccount {
  adapter: string;
  account: string;
}

/**
 * Refuses a payout of `amountMinor` (in `currency`) the float cannot cover: the latest reading of the
 * account it is paid from, when it is in that currency and younger than `staleSeconds`.
 */
export async function checkPayoutFloat(
  floats: FloatRepo,
  payout: PayoutAccount | undefined,
  amountMinor: bigint,
  currency: string,
  staleSeconds: number,
  now: number = Date.now(),
): Promise<void> {
  if (!payout) return;
  const reading = await floats.latest(payout.adapter, payout.account);
  if (!reading || reading.currency !== currency) return;
  if (now - reading.readAt.getTime() > staleSeconds * 1000) return;
  if (reading.balanceMinor < amountMinor)
    throw new BridgeError(
      'PayoutUnavailable',
      `the platform cannot pay out this amount right now (${payout.adapter} ${payout.account} float too low); nothing was taken`,
    );
}

/**
 * The float and the last hour's payouts on /metrics (the records registry: read from Postgres at scrape),
 * each read once per scrape through the registry's cache (`cache`), so the two float gauges share one query.
 */
export function registerFloatMetrics(
  registry: Registry,
  repo: FloatRepo,
  cache: <T>(read: () => Promise<T>) => () => Promise<T>,
): void {
  const read = { floats: cache(() => repo.all()), payouts: cache(() => repo.payoutsLastHour()) };
  new Gauge({
    name: 'txtc_operator_float_minor',
    help: 'What the platform holds at an operator to pay out from, by adapter, account and currency, in minor units (latest reading)',
    labelNames: ['adapter', 'account', 'currency'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of await read.floats())
        this.set({ adapter: f.adapter, account: f.account, currency: f.currency }, Number(f.balanceMinor));
    },
  });
  new Gauge({
    name: 'txtc_operator_float_age_seconds',
    help: 'Age of the latest float reading, by adapter and account (the schedule reads every minute)',
    labelNames: ['adapter', 'account'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of await read.floats())
        this.set({ adapter: f.adapter, account: f.account }, (Date.now() - f.readAt.getTime()) / 1000);
    },
  });
  new Gauge({
    name: 'txtc_payouts_last_hour_minor',
    help: 'Airtime paid out (airtime transfers, SWAPs) in the last hour, by currency, in minor units',
    labelNames: ['currency'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const p of await read.payouts()) this.set({ currency: p.currency }, Number(p.minor));
    },
  });
}
