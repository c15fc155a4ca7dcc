/**
 * Money metrics read from the records in Postgres when Prometheus scrapes, not counted as things happen:
 * a workflow replays and several workers and API replicas run, so only the records are right once. Each
 * scrape reads a few grouped queries (cached for METRICS_CACHE_TTL_MS, shared by every metric of a scrape).
 *
 * - The `_total` series are counters in the Prometheus sense: they count records in a final status
 *   (completed, failed), which never leave it, so rate() and increase() work on them as on any counter.
 *   Pending records are gauges. Every API replica reports the same values: aggregate with max, not sum.
 * - The latency histogram is built from completed records too (created_at -> updated_at, all of them, so
 *   its buckets only grow): histogram_quantile(0.95, rate(txtc_transaction_duration_seconds_bucket[1h]))
 *   is the end-to-end latency of what completed in that hour, whichever process ran it.
 * - A hybrid transfer's conversion leg counts in its transfer (kind transfer_hybrid), not as a conversion,
 *   so volume counts once; its refund, if it fails, is still money owed.
 */
import { createFloatRepo, registerFloatMetrics } from './floats';
import type { Pool } from 'pg';
import type { JsonRpcProvider } from 'ethers';
import { readPoolReserves } from './chain/pool-reserves';
import { Counter, Gauge, Registry } from 'prom-client';
import { DURATION_BUCKETS, RecordHistogram } from './record-histogram';

/** conversion, transfer_airtime, transfer_txtc, transfer_hybrid, swap */
export const TRANSACTION_KINDS = ['conversion', 'transfer_airtime', 'transfer_txtc', 'transfer_hybrid', 'swap'];

/** Providers' delivery words, lower-cased; anything else counts as other (providers differ). */
const SMS_STATUSES = new Set([
  'received',
  'sent',
  'submitted',
  'queued',
  'buffered',
  'success',
  'delivered',
  'failed',
  'rejected',
  'expired',
]);

interface Snapshot {
  transactions: {
    kind: string;
    channel: string;
    operator: string;
    status: string;
    failure: string;
    n: number;
    usd: number;
  }[];
  pending: { kind: string; n: number; oldestAgeSeconds: number }[];
  owed: { kind: string; n: number; usd: number }[];
  durations: { kind: string; count: number; sum: number; buckets: number[] }[];
  sms: { direction: string; status: string; n: number }[];
  ussd: { total: number; active: number; resumed: number };
  pins: { locked: number; registered: number };
}

const ALL_RECORDS = `
  SELECT 'conversion' AS kind, channel::text AS channel, operator, status::text AS status,
         COALESCE(failure_code, '') AS failure, usd_micros, created_at, updated_at, stage
    FROM airtime_transactions WHERE parent_transfer_id IS NULL
  UNION ALL
  SELECT 'transfer_' || transfer_type::text, channel::text, COALESCE(from_operator, 'none'), status::text,
         COALESCE(failure_code, ''), usd_micros, created_at, updated_at, stage
    FROM p2p_transfers
  UNION ALL
  SELECT 'swap', channel::text, operator, status, COALESCE(failure_type, ''), usd_micros, created_at, updated_at, stage
    FROM txtc_swaps`;

async function readSnapshot(pool: Pool): Promise<Snapshot> {
  const bucketColumns = DURATION_BUCKETS.map((b, i) => `count(*) FILTER (WHERE d <= ${b}) AS b${i}`).join(', ');
  const [transactions, pending, owed, durations, sms, ussd, pins] = await Promise.all([
    pool.query<{
      kind: string;
      channel: string;
      operator: string;
      status: string;
      failure: string;
      n: string;
      usd: string;
    }>(
      `SELECT kind, channel, operator, status, failure, count(*) AS n, COALESCE(sum(usd_micros), 0)::text AS usd
         FROM (${ALL_RECORDS}) r WHERE status <> 'pending' GROUP BY 1, 2, 3, 4, 5`,
    ),
    pool.query<{ kind: string; n: string; age: string | null }>(
      `SELECT kind, count(*) AS n, extract(epoch FROM now() - min(created_at))::text AS age
         FROM (${ALL_RECORDS}) r WHERE status = 'pending' AND stage <> 'held' GROUP BY 1`,
    ),
    // conversions' hybrid legs included: their failed refund is owed as much as any
    pool.query<{ kind: string; n: string; usd: string }>(
      `SELECT kind, count(*) AS n, COALESCE(sum(usd_micros), 0)::text AS usd FROM (
         SELECT 'conversion' AS kind, usd_micros FROM airtime_transactions WHERE stage = 'refund_failed'
         UNION ALL SELECT 'transfer_' || transfer_type::text, usd_micros FROM p2p_transfers WHERE stage = 'refund_failed'
         UNION ALL SELECT 'swap', usd_micros FROM txtc_swaps WHERE stage = 'return_failed') o GROUP BY 1`,
    ),
    pool.query<Record<string, string>>(
      `SELECT kind, count(*) AS n, COALESCE(sum(d), 0)::text AS total, ${bucketColumns}
         FROM (SELECT kind, extract(epoch FROM updated_at - created_at) AS d FROM (${ALL_RECORDS}) r
                WHERE status = 'completed') c GROUP BY 1`,
    ),
    pool.query<{ direction: string; status: string; n: string }>(
      `SELECT direction, lower(status) AS status, count(*) AS n FROM sms_messages GROUP BY 1, 2`,
    ),
    pool.query<{ total: string; active: string; resumed: string }>(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE ended_at IS NULL AND expires_at > now()) AS active,
              count(*) FILTER (WHERE resumed_at IS NOT NULL) AS resumed
         FROM ussd_sessions`,
    ),
    pool.query<{ locked: string; registered: string }>(
      `SELECT count(*) FILTER (WHERE pin_locked_at IS NOT NULL) AS locked,
              count(*) FILTER (WHERE registered_at IS NOT NULL) AS registered
         FROM ussd_profiles`,
    ),
  ]);
  const smsCounts = new Map<string, number>();
  for (const r of sms.rows) {
    const status = SMS_STATUSES.has(r.status) ? r.status : 'other';
    const key = `${r.direction}\n${status}`;
    smsCounts.set(key, (smsCounts.get(key) ?? 0) + Number(r.n));
  }
  return {
    transactions: transactions.rows.map((r) => ({ ...r, n: Number(r.n), usd: Number(r.usd) / 1e6 })),
    pending: pending.rows.map((r) => ({ kind: r.kind, n: Number(r.n), oldestAgeSeconds: Number(r.age ?? 0) })),
    owed: owed.rows.map((r) => ({ kind: r.kind, n: Number(r.n), usd: Number(r.usd) / 1e6 })),
    durations: durations.rows.map((r) => ({
      kind: r.kind!,
      count: Number(r.n),
      sum: Number(r.total),
      buckets: DURATION_BUCKETS.map((_, i) => Number(r[`b${i}`])),
    })),
    sms: [...smsCounts].map(([key, n]) => {
      const [direction, status] = key.split('\n') as [string, string];
      return { direction, status, n };
    }),
    ussd: {
      total: Number(ussd.rows[0]!.total),
      active: Number(ussd.rows[0]!.active),
      resumed: Number(ussd.rows[0]!.resumed),
    },
    pins: { locked: Number(pins.rows[0]!.locked), registered: Number(pins.rows[0]!.registered) },
  };
}

function cached<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ttlMs) {
      const value = read();
      last = { at: now, value };
      // a failed read is not cached: the next scrape asks again
      value.catch(() => {
        if (last?.value === value) last = undefined;
      });
    }
    return last.value;
  };
}

export interface RecordMetricsDeps {
  pool: Pool;
  provider?: JsonRpcProvider;
  addresses?: { txtc: string; ratePair?: string };
  cacheTtlMs: number;
}

/** Series read at scrape time; a counter adds up samples that share labels (the volume drops failure codes). */
type Samples = { labels?: Record<string, string>; value: number }[];

/** One sample per transaction kind, 0 for a kind the rows do not name. */
function perKind<R extends { kind: string }>(rows: R[], value: (row: R | undefined) => number | string | undefined) {
  return TRANSACTION_KINDS.map((kind) => ({
    labels: { kind },
    value: Number(value(rows.find((r) => r.kind === kind)) ?? 0),
  }));
}

/** A registry of the money metrics, read from Postgres (and the pair, when one is configured) at scrape time. */
export function createRecordMetrics(deps: RecordMetricsDeps): Registry {
  const registry = new Registry();
  const snapshot = cached(deps.cacheTtlMs, () => readSnapshot(deps.pool));
  const pool = cached(deps.cacheTtlMs, async () =>
    deps.provider && deps.addresses ? readPoolReserves(deps.provider, deps.addresses) : undefined,
  );

  /** Each scrape starts from nothing, so a series the records no longer hold goes away. */
  const metric = (
    type: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: string[],
    read: () => Promise<Samples>,
  ): void => {
    const config = {
      name,
      help,
      labelNames,
      registers: [registry],
      async collect(this: Counter | Gauge) {
        const samples = await read();
        this.reset();
        for (const s of samples) {
          if (this instanceof Counter) this.inc(s.labels ?? {}, s.value);
          else this.set(s.labels ?? {}, s.value);
        }
      },
    };
    if (type === 'counter') new Counter(config);
    else new Gauge(config);
  };

  metric(
    'counter',
    'txtc_transactions_total',
    "Finished conversions, P2P transfers and swaps by kind, channel, operator (the sender's), final status and failure code, from the records",
    ['kind', 'channel', 'operator', 'status', 'failure_code'],
    async () =>
      (await snapshot()).transactions.map((r) => ({
        labels: { kind: r.kind, channel: r.channel, operator: r.operator, status: r.status, failure_code: r.failure },
        value: r.n,
      })),
  );
  metric(
    'counter',
    'txtc_transaction_volume_usd_total',
    'USD value of finished conversions, transfers and swaps by kind, channel, operator and final status, from the records',
    ['kind', 'channel', 'operator', 'status'],
    async () =>
      (await snapshot()).transactions.map((r) => ({
        labels: { kind: r.kind, channel: r.channel, operator: r.operator, status: r.status },
        value: r.usd,
      })),
  );
  metric(
    'gauge',
    'txtc_transactions_pending',
    'Conversions, transfers and swaps still pending, by kind',
    ['kind'],
    async () => perKind((await snapshot()).pending, (p) => p?.n),
  );
  metric(
    'gauge',
    'txtc_transactions_oldest_pending_age_seconds',
    'Age of the oldest pending conversion, transfer or swap, by kind (0 when none is pending)',
    ['kind'],
    async () => perKind((await snapshot()).pending, (p) => p?.oldestAgeSeconds),
  );
  metric(
    'gauge',
    'txtc_money_owed_transactions',
    'Records whose refund or return failed for good (stage refund_failed or return_failed): money owed to a person, by kind',
    ['kind'],
    async () => perKind((await snapshot()).owed, (o) => o?.n),
  );
  metric(
    'gauge',
    'txtc_money_owed_usd',
    'USD value of the records whose refund or return failed for good, by kind',
    ['kind'],
    async () => perKind((await snapshot()).owed, (o) => o?.usd),
  );

  registry.registerMetric(
    new RecordHistogram(
      {
        name: 'txtc_transaction_duration_seconds',
        help: 'End-to-end time of completed conversions, transfers and swaps (record created -> last updated), by kind',
      },
      async () => (await snapshot()).durations,
    ),
  );

  metric(
    'counter',
    'txtc_sms_messages_total',
    "SMS received (in) and sent (out, one per part) by the provider's latest delivery status, from sms_messages",
    ['direction', 'status'],
    async () =>
      (await snapshot()).sms.map((r) => ({ labels: { direction: r.direction, status: r.status }, value: r.n })),
  );
  metric('counter', 'txtc_ussd_sessions_total', 'USSD sessions started, from ussd_sessions', [], async () => [
    { value: (await snapshot()).ussd.total },
  ]);
  metric('counter', 'txtc_ussd_sessions_resumed_total', 'USSD sessions a redial continued', [], async () => [
    { value: (await snapshot()).ussd.resumed },
  ]);
  metric('gauge', 'txtc_ussd_sessions_active', 'USSD sessions neither ended nor expired', [], async () => [
    { value: (await snapshot()).ussd.active },
  ]);

  // The latest reconciliation of the whole product (runs scoped to some numbers, as tests make, are not it).
  const reconciliation = cached(deps.cacheTtlMs, async () => {
    const { rows } = await deps.pool.query<{ mismatches: number; age: string }>(
      `SELECT mismatch_count AS mismatches, extract(epoch FROM now() - finished_at)::text AS age
       FROM reconciliation_runs WHERE scope->'phones' IS NULL ORDER BY finished_at DESC LIMIT 1`,
    );
    return rows[0];
  });
  metric(
    'gauge',
    'txtc_reconciliation_mismatches',
    'Mismatches found by the latest reconciliation of a window (0: clean; absent: never run)',
    [],
    async () => {
      const latest = await reconciliation();
      return latest ? [{ value: latest.mismatches }] : [];
    },
  );
  metric(
    'gauge',
    'txtc_reconciliation_last_run_age_seconds',
    'Seconds since the latest reconciliation finished (the hourly schedule keeps it under ~2 h)',
    [],
    async () => {
      const latest = await reconciliation();
      return latest ? [{ value: Number(latest.age) }] : [];
    },
  );

  metric(
    'gauge',
    'txtc_pin_locked_numbers',
    'Numbers locked after three wrong PINs, waiting for an ops reset',
    [],
    async () => [{ value: (await snapshot()).pins.locked }],
  );

  // Movements a fraud rule held for ops (approveHeld / rejectHeld), apart from pending: they wait for a person.
  const holds = cached(deps.cacheTtlMs, async () => {
    const { rows } = await deps.pool.query<{ kind: string; n: string; age: string }>(
      `SELECT CASE WHEN kind IN ('conversion', 'swap') THEN kind ELSE 'transfer_' || kind END AS kind, count(*) AS n,
              extract(epoch FROM now() - min(held_at))::text AS age
         FROM fraud_holds WHERE decision IS NULL GROUP BY 1`,
    );
    return rows;
  });
  metric(
    'gauge',
    'txtc_held_transactions',
    'Money movements a fraud rule held, waiting for an ops decision (approveHeld / rejectHeld), by kind',
    ['kind'],
    async () => perKind(await holds(), (h) => h?.n),
  );
  metric(
    'gauge',
    'txtc_held_oldest_age_seconds',
    'How long the oldest held movement has waited for ops, by kind (0 when none waits)',
    ['kind'],
    async () => perKind(await holds(), (h) => h?.age),
  );

  metric(
    'gauge',
    'txtc_registered_numbers',
    'Numbers that registered (language, terms, PIN) over USSD',
    [],
    async () => [{ value: (await snapshot()).pins.registered }],
  );

  metric(
    'gauge',
    'txtc_pool_reserve',
    'Reserves of the TXTC/USD Uniswap V2 pair, in whole tokens, by token (txtc, usd); absent without a pair',
    ['token'],
    async () => {
      const reserves = await pool().catch(() => undefined); // a node that fails shows as a missing series
      return reserves
        ? [
            { labels: { token: 'txtc' }, value: reserves.txtc },
            { labels: { token: 'usd' }, value: reserves.usd },
          ]
        : [];
    },
  );

  registerFloatMetrics(registry, createFloatRepo(deps.pool), (read) => cached(deps.cacheTtlMs, read));
  return registry;
}
