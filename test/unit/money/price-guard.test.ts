/** The price guard: a spot that leaves its time-weighted average (or the reference, before any history) is refused. */
import { Q112, cumulativeNow, guardPrice } from '../../../lib/money/price-guard';

const settings = { windowSeconds: 1800, maxDeviationBps: 500n, staleSeconds: 600 };
// 100 TXTC (18 decimals) per USD (6 decimals): raw TXTC per raw USD unit.
const P = 100n * 10n ** 12n;
const spotAt = (multiple: bigint, divisor = 1n) => ({ numerator: P * multiple, denominator: divisor });
const reference = spotAt(1n);

test('a steady pool: the spot equals its average, quoted', () => {
  const observations = [
    { at: 0, cumulative: 0n },
    { at: 1200, cumulative: P * Q112 * 1200n },
  ];
  const cumulative = cumulativeNow(P * Q112 * 1200n, 1200, P * Q112, 1700);
  expect(guardPrice({ spot: spotAt(1n), now: 1700, cumulative, observations, reference, settings })).toMatchObject({
    ok: true,
    basis: 'twap',
  });
});

test('pushed tenfold in the last block: the average barely moved, refused', () => {
  const observations = [
    { at: 0, cumulative: 0n },
    { at: 1800, cumulative: P * Q112 * 1800n },
  ];
  // The push happened at 1800; at 1812 (one block later) the average over the window moved by 12 s of 10x.
  const cumulative = cumulativeNow(P * Q112 * 1800n, 1800, 10n * P * Q112, 1812);
  const verdict = guardPrice({ spot: spotAt(10n), now: 1812, cumulative, observations, reference, settings });
  expect(verdict).toMatchObject({ ok: false, reason: 'deviation' });
  // 4% off is inside the 5%.
  const nudged = cumulativeNow(P * Q112 * 1800n, 1800, (104n * P * Q112) / 100n, 1812);
  expect(
    guardPrice({ spot: spotAt(104n, 100n), now: 1812, cumulative: nudged, observations, reference, settings }).ok,
  ).toBe(true);
});

test('no observation yet (a fresh stack): the reference price bounds the spot', () => {
  expect(guardPrice({ spot: spotAt(1n), now: 10, cumulative: 0n, observations: [], reference, settings }).ok).toBe(
    true,
  );
  expect(
    guardPrice({ spot: spotAt(10n), now: 10, cumulative: 0n, observations: [], reference, settings }),
  ).toMatchObject({ ok: false, reason: 'deviation' });
});

test('observations that stopped (the schedule is down) are stale: refused', () => {
  const observations = [{ at: 0, cumulative: 0n }];
  const cumulative = cumulativeNow(0n, 0, P * Q112, 700);
  expect(guardPrice({ spot: spotAt(1n), now: 700, cumulative, observations, reference, settings })).toMatchObject({
    ok: false,
    reason: 'stale',
  });
});
