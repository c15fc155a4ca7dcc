/** Fees, limits, the TXTC price (its source and its guard) and the operator floats' freshness. */
import { z } from 'zod';
import { bool, decimal, int, nonNegativeInt } from './kinds';
import { variable } from './variable';

export const moneyVariables = {
  fees: {
    /** basis points of gross TXTC */
    platformFeeBps: variable(
      'PLATFORM_FEE_PERCENT',
      decimal(2, '2').refine((bps) => bps <= 10000n, 'must be between 0 and 100'),
    ),
    /** TXTC base units charged per conversion */
    gasFeeTxtc: variable('GAS_FEE_TXTC', decimal(18, '0')),
  },
  limits: {
    minUsdCents: variable('MIN_AIRTIME_AMOUNT', decimal(2, '1')),
    maxUsdCents: variable('MAX_AIRTIME_AMOUNT', decimal(2, '100')),
    dailyUsdCents: variable('DAILY_LIMIT_USD', decimal(2, '500')),
  },
  rates: {
    source: variable('RATE_SOURCE', z.enum(['uniswap', 'fixed']).default('uniswap')),
    /** TXTC base units per 1 USD for the fixed source */
    fixedTxtcPerUsd: variable(
      'TXTC_PER_USD',
      decimal(18, '100').refine((v) => v > 0n, 'must be greater than 0'),
    ),
    fallbackToFixed: variable('RATE_FALLBACK_TO_FIXED', bool.default(true)),
    cacheTtlMs: variable('RATES_CACHE_TTL_MS', nonNegativeInt.default(60000)),
    /** the pool's spot is quoted only within maxDeviationBps of its average over windowSeconds (lib/money/price-guard.ts) */
    guard: {
      windowSeconds: variable('PRICE_TWAP_WINDOW', int(60, 86400).default(1800)),
      maxDeviationBps: variable('PRICE_MAX_DEVIATION', decimal(2, '5')),
      staleSeconds: variable('PRICE_STALE_SECONDS', int(60, 86400).default(600)),
    },
  },
  /** operator floats (lib/floats.ts): a payout the latest reading younger than staleSeconds cannot cover is refused */
  floats: {
    /** a float reading older than this refuses no payout (the schedule reads every minute) */
    staleSeconds: variable('FLOAT_STALE_SECONDS', int(60, 86400).default(600)),
  },
};
