/**
 * rate_limit_counters: fixed-window request counts shared by every API process. One upsert per hit counts
 * it in the current window (the database's clock, so processes agree) or starts the next window at 1.
 */
import type { Pool } from 'pg';

export interface RateLimitHit {
  /** hits in the current window, this one included */
  hits: number;
  windowStart: Date;
  /** whole seconds until the window ends (at least 1) */
  retryAfterSeconds: number;
}

/** How often (one hit in N) a hit also clears windows long gone, so the table holds only live buckets. */
const SWEEP_EVERY = 500;

/**
 * The upsert that counts one hit, as the CTEs `w` and `hit` of a WITH (bucket and window seconds at the given
 * placeholders), so a caller can count a hit and read what it needs in the same round trip (a USSD hop). One hit
 * in SWEEP_EVERY also clears the windows long gone, in the same statement (`swept`: every bucket but the one
 * it counts, since one statement must not change a row twice).
 */
export function hitCte(bucket: string, windowSeconds: string): string {
  const sweep =
    Math.random() * SWEEP_EVERY < 1
      ? `, swept AS (
          DELETE FROM rate_limit_counters WHERE window_start < now() - interval '1 day' AND bucket <> ${bucket})`
      : '';
  return `w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / ${windowSeconds}) * ${windowSeconds}) AS start),
   hit AS (
     INSERT INTO rate_limit_counters AS r (bucket, window_start, hits)
     SELECT ${bucket}, w.start, 1 FROM w
     ON CONFLICT (bucket) DO UPDATE SET
       hits = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.hits + 1 ELSE 1 END,
       notified = r.notified AND r.window_start = EXCLUDED.window_start,
       window_start = EXCLUDED.window_start
     RETURNING r.hits, r.window_start,
       ceil(extract(epoch FROM r.window_start + make_interval(secs => ${windowSeconds}) - now()))::text AS retry_after)${sweep}`;
}

export interface HitRow {
  hits: number;
  window_start: Date;
  retry_after: string;
}

export const hitOf = (row: HitRow): RateLimitHit => ({
  hits: row.hits,
  windowStart: row.window_start,
  retryAfterSeconds: Math.max(1, Number(row.retry_after)),
});

export function createRateLimitRepo(pool: Pool) {
  return {
    async hit(bucket: string, windowSeconds: number): Promise<RateLimitHit> {
      const { rows } = await pool.query<HitRow>(`WITH ${hitCte('$1', '$2')} SELECT * FROM hit`, [
        bucket,
        windowSeconds,
      ]);
      return hitOf(rows[0]!);
    },

    /** True once per bucket and window: whoever gets it tells the person (one polite reply per window). */
    async claimNotice(bucket: string, windowStart: Date): Promise<boolean> {
      const { rowCount } = await pool.query(
        `UPDATE rate_limit_counters SET notified = true WHERE bucket = $1 AND window_start = $2 AND NOT notified`,
        [bucket, windowStart],
      );
      return rowCount === 1;
    },
  };
}

export type RateLimitRepo = ReturnType<typeof createRateLimitRepo>;
