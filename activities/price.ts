/** The price schedule's one step: read the pair's cumulative price and keep it (lib/money/price-guard.ts). */
import type { RateService } from '../lib/rates';
import type { createPriceObservationRepo } from '../lib/db/price-observations';

export function createPriceActivities(deps: {
  rates: RateService;
  priceObservations: ReturnType<typeof createPriceObservationRepo>;
}) {
  return {
    async recordPriceObservation(): Promise<{ pair: string; at: number } | { skipped: string }> {
      // A fixed rate (RATE_SOURCE=fixed) or no pair: nothing to watch, and no failed run every minute.
      if (!deps.rates.watchesPair()) return { skipped: 'no rate pair is quoted' };
      const o = await deps.rates.observePair();
      await deps.priceObservations.record(o.pair, { at: o.at, cumulative: o.cumulative });
      return { pair: o.pair, at: o.at };
    },
  };
}

export type PriceActivities = ReturnType<typeof createPriceActivities>;
