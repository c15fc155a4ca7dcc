/**
 * A price nobody can push (issue 23): the pair's spot price is used only when it agrees with its own
 * time-weighted average (Uniswap V2's cumulative-price oracle) over PRICE_TWAP_WINDOW, within
 * PRICE_MAX_DEVIATION. One block's dump into the pool moves the spot at once but the average barely, so a
 * quote at a pushed price is refused. Pure: the observations and the pair's state come in, a verdict goes out.
 */

/** 2^112: the UQ112.112 fixed point of Uniswap V2's cumulative prices. */
export const Q112 = 1n << 112n;

/** A reading of the pair's cumulative price of TXTC in the USD token (raw units, UQ112.112 * seconds). */
export interface PriceObservation {
  /** chain seconds */
  at: number;
  cumulative: bigint;
}

export interface PriceGuardSettings {
  windowSeconds: number;
  /** basis points the spot may differ from the average */
  maxDeviationBps: bigint;
  /** observations older than this (the schedule stopped) prove nothing: refused */
  staleSeconds: number;
}

export type PriceVerdict =
  | { ok: true; basis: 'twap' | 'reference'; averageRaw?: { numerator: bigint; denominator: bigint } }
  | { ok: false; reason: 'stale' | 'deviation'; message: string };

/**
 * The cumulative price now, carried from the pair's last update to `now` at the current reserves' price
 * (what `currentCumulativePrices` of Uniswap's oracle library computes).
 */
export function cumulativeNow(last: bigint, lastAt: number, priceQ112: bigint, now: number): bigint {
  return last + priceQ112 * BigInt(Math.max(0, now - lastAt));
}

/**
 * Whether the spot (TXTC raw units per USD raw unit, as numerator/denominator) may be quoted. `observations`
 * are the recorded readings, any order; `now` and `cumulative` the pair's state now. Without any recorded
 * observation (a fresh stack, before the schedule's first run) the spot is compared with `reference` (the
 * configured TXTC_PER_USD) instead.
 */
export function guardPrice(input: {
  spot: { numerator: bigint; denominator: bigint };
  now: number;
  cumulative: bigint;
  observations: PriceObservation[];
  reference: { numerator: bigint; denominator: bigint };
  settings: PriceGuardSettings;
}): PriceVerdict {
  const { spot, now, cumulative, settings } = input;
  const past = input.observations.filter((o) => o.at < now).sort((a, b) => a.at - b.at);
  const deviates = (avg: { numerator: bigint; denominator: bigint }) => {
    // |spot - avg| / avg > max, multiplied out: |s.n*a.d - a.n*s.d| * 10000 > max * a.n * s.d
    const diff = spot.numerator * avg.denominator - avg.numerator * spot.denominator;
    const abs = diff < 0n ? -diff : diff;
    return abs * 10_000n > settings.maxDeviationBps * avg.numerator * spot.denominator;
  };
  if (past.length === 0) {
    if (deviates(input.reference))
      return { ok: false, reason: 'deviation', message: 'the pool price is far from the reference price' };
    return { ok: true, basis: 'reference' };
  }
  const newest = past[past.length - 1]!;
  if (now - newest.at > settings.staleSeconds)
    return { ok: false, reason: 'stale', message: `no price observation for ${now - newest.at} s` };
  // The newest reading at least a window old; a younger history averages over what it has.
  const from = [...past].reverse().find((o) => o.at <= now - settings.windowSeconds) ?? past[0]!;
  const seconds = BigInt(now - from.at);
  const average = { numerator: cumulative - from.cumulative, denominator: seconds * Q112 };
  if (average.numerator <= 0n) return { ok: false, reason: 'stale', message: 'the price average is empty' };
  if (deviates(average))
    return { ok: false, reason: 'deviation', message: 'the pool price moved away from its time-weighted average' };
  return { ok: true, basis: 'twap', averageRaw: average };
}
