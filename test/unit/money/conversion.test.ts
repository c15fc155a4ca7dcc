import fc from 'fast-check';
import {
  AmountTooSmallError,
  airtimeForUsdCents,
  compareAirtimeToUsdCents,
  quoteConversion,
  type OperatorRate,
} from '../../../lib/money/conversion';
import { formatDecimal, parseDecimal } from '../../../lib/money/decimal';
import { formatAirtime, formatTxtc } from '../../../lib/money/format';

const E18 = 10n ** 18n;
const KES: OperatorRate = {
  operator: 'safaricom-ke',
  currency: 'KES',
  minorDigits: 2,
  minorUnitsPerUsd: 12900n,
  operatorFeeBps: 0n,
};
const POOL_RATE = { numerator: 100_000_000n * E18 * 10n ** 6n, denominator: 1_000_000n * 10n ** 6n, source: 'pool' };

test("the design's example in the default configuration: 10 USD -> 1000 TXTC gross -> 20 TXTC fee -> 980 TXTC", () => {
  const airtime = airtimeForUsdCents(1000n, KES);
  expect(airtime).toBe(129000n);
  const q = quoteConversion(airtime, KES, POOL_RATE, { platformFeeBps: 200n, gasFeeTxtc: 0n });
  expect(q).toEqual({
    airtimeAmountMinor: 129000n,
    usdMicros: 10_000_000n,
    txtcGross: 1000n * E18,
    platformFee: 20n * E18,
    operatorFee: 0n,
    gasFee: 0n,
    txtcNet: 980n * E18,
    txtcPerUsd: 100n * E18,
  });
});

const operatorRate = fc.record({
  operator: fc.constant('x'),
  currency: fc.constant('XXX'),
  minorDigits: fc.integer({ min: 0, max: 3 }),
  minorUnitsPerUsd: fc.bigInt({ min: 1n, max: 10n ** 9n }),
  operatorFeeBps: fc.bigInt({ min: 0n, max: 500n }),
});
const txtcRate = fc.record({
  numerator: fc.bigInt({ min: 1n, max: 10n ** 40n }),
  denominator: fc.bigInt({ min: 1n, max: 10n ** 20n }),
  source: fc.constant('prop'),
});
const fees = fc.record({
  platformFeeBps: fc.bigInt({ min: 0n, max: 2000n }),
  gasFeeTxtc: fc.bigInt({ min: 0n, max: 10n ** 18n }),
});
const airtime = fc.bigInt({ min: 1n, max: 10n ** 12n });

describe('rate calculator properties', () => {
  test('never negative, and fees + net = gross exactly; otherwise it refuses the amount', () => {
    fc.assert(
      fc.property(airtime, operatorRate, txtcRate, fees, (a, op, tx, f) => {
        try {
          const q = quoteConversion(a, op, tx, f);
          expect(q.txtcNet).toBeGreaterThan(0n);
          for (const v of [q.txtcGross, q.platformFee, q.operatorFee, q.gasFee, q.usdMicros])
            expect(v).toBeGreaterThanOrEqual(0n);
          expect(q.txtcNet + q.platformFee + q.operatorFee + q.gasFee).toBe(q.txtcGross);
        } catch (e) {
          expect(e).toBeInstanceOf(AmountTooSmallError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('rounding never favours the user: gross at most the exact value, fees at least the exact share', () => {
    fc.assert(
      fc.property(airtime, operatorRate, txtcRate, fees, (a, op, tx, f) => {
        let q;
        try {
          q = quoteConversion(a, op, tx, f);
        } catch (e) {
          if (!(e instanceof AmountTooSmallError)) throw e; // only "too small to pay anything" is expected
          return;
        }
        // exact gross = a * num / (perUsd * den); floor means gross * denom <= a * num < (gross + 1) * denom
        const num = a * tx.numerator;
        const den = op.minorUnitsPerUsd * tx.denominator;
        expect(q.txtcGross * den <= num).toBe(true);
        expect((q.txtcGross + 1n) * den > num).toBe(true);
        // fee = ceil(gross * bps / 10000): fee * 10000 >= gross * bps, and by less than one unit
        expect(q.platformFee * 10000n >= q.txtcGross * f.platformFeeBps).toBe(true);
        expect((q.platformFee - 1n) * 10000n < q.txtcGross * f.platformFeeBps).toBe(true);
        expect(q.operatorFee * 10000n >= q.txtcGross * op.operatorFeeBps).toBe(true);
        // net never exceeds what the exact (unrounded) arithmetic would give
        expect(
          q.txtcNet * den * 10000n <=
            num * (10000n - f.platformFeeBps - op.operatorFeeBps) - f.gasFeeTxtc * den * 10000n,
        ).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('airtime for a USD amount rounds up: the person pays at least the USD they named', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 7n }), operatorRate, (cents, op) => {
        const a = airtimeForUsdCents(cents, op);
        expect(compareAirtimeToUsdCents(a, op, cents)).toBeGreaterThanOrEqual(0);
        expect(compareAirtimeToUsdCents(a - 1n, op, cents)).toBeLessThan(0);
      }),
    );
  });

  test('more airtime never buys less TXTC', () => {
    fc.assert(
      fc.property(airtime, airtime, operatorRate, txtcRate, fees, (a, b, op, tx, f) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        let qLo, qHi;
        try {
          qLo = quoteConversion(lo, op, tx, f);
          qHi = quoteConversion(hi, op, tx, f);
        } catch (e) {
          if (!(e instanceof AmountTooSmallError)) throw e; // only "too small to pay anything" is expected
          return;
        }
        expect(qHi.txtcNet >= qLo.txtcNet).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('decimals as people write them', () => {
  test('parse and format round-trip without floats', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (v, d) => {
        expect(parseDecimal(formatDecimal(v, d), d)).toBe(v);
      }),
    );
  });

  test.each(['1e3', '-1', '1.234', ' ', 'abc', '1,000', '0x10'])('"%s" is refused for 2 decimals', (text) => {
    expect(() => parseDecimal(text, 2)).toThrow();
  });

  test('display: TXTC with at most 2 decimals truncated, airtime with thousands', () => {
    expect(formatTxtc(980n * E18)).toBe('980');
    expect(formatTxtc(1234n * E18 + 567n * 10n ** 15n)).toBe('1234.56');
    expect(formatAirtime(129000n, 'KES', 2)).toBe('KES 1,290.00');
    expect(formatAirtime(50000n, 'UGX', 0)).toBe('UGX 50,000');
  });
});
