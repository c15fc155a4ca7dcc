/** price_observations: the pair's cumulative price, read every minute by a schedule (lib/rates.ts reads them). */
import type { Pool } from 'pg';
import type { PriceObservation } from '../money/price-guard';

export function createPriceObservationRepo(pool: Pool) {
  return {
    async record(pair: string, o: PriceObservation): Promise<void> {
      await pool.query(
        'INSERT INTO price_observations (pair, observed_at, cumulative) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [pair.toLowerCase(), o.at, o.cumulative.toString()],
      );
    },

    /** The readings since `sinceAt` (chain seconds), and the newest one before it. */
    async since(pair: string, sinceAt: number): Promise<PriceObservation[]> {
      const { rows } = await pool.query<{ observed_at: string; cumulative: string }>(
        `(SELECT observed_at, cumulative::text FROM price_observations WHERE pair = $1 AND observed_at >= $2)
         UNION ALL
         (SELECT observed_at, cumulative::text FROM price_observations WHERE pair = $1 AND observed_at < $2
          ORDER BY observed_at DESC LIMIT 1)`,
        [pair.toLowerCase(), sinceAt],
      );
      return rows.map((r) => ({ at: Number(r.observed_at), cumulative: BigInt(r.cumulative) }));
    },
  };
}
