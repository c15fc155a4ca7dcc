/** SWAP arithmetic (MONEY.md's rounding rule): TXTC taken and fee round up, airtime credited rounds down. */
import fc from 'fast-check';
import { parseUnits } from 'ethers';
import { quoteSwap } from '../../../lib/money/swap';
import {
  AmountTooSmallError,
  quoteConversion,
  usdMicrosOfTxtc,
  type OperatorRate,
  type TxtcRate,
} from '../../../lib/money/conversion';

const KES: OperatorRate = {
  operator: 'safaricom-ke',
  currency: 'KES',
  minorDigits: 2,
  minorUnitsPerUsd: 12900n,
  operatorFeeBps: 0n,
};
const FIXED: TxtcRate = { numerator: parseUnits('100', 18), denominator: 1n, source: 'fixed' };
const FEES = { platformFeeBps: 200n, gasFeeTxtc: 0n };
const txtc = (v: string) => parseUnits(v, 18);

test('SWAP 200 at 100 TXTC/USD: 4 TXTC fee, 196 TXTC = $1.96 = KES 252.84', () => {
  expect(quoteSwap({ txtcAmount: txtc('200') }, KES, FIXED, FEES)).toEqual({
    txtcAmount: txtc('200'),
    platformFee: txtc('4'),
    usdMicros: 2_000_000n,
    airtimeMinor: 25284n,
    currency: 'KES',
    minorDigits: 2,
    txtcPerUsd: txtc('100'),
    rateSource: 'fixed',
  });
});

test('SWAP $10 and SWAP KES 1,290 swap the TXTC worth that much: 1000 TXTC', () => {
  expect(quoteSwap({ usdCents: 1000n }, KES, FIXED, FEES)).toMatchObject({
    txtcAmount: txtc('1000'),
    airtimeMinor: 126420n,
  });
  expect(quoteSwap({ amountMinor: 129000n }, KES, FIXED, FEES)).toMatchObject({ txtcAmount: txtc('1000') });
});

test('an amount the fee eats whole, or nothing at all, is refused', () => {
  expect(() => quoteSwap({ txtcAmount: 1n }, KES, FIXED, FEES)).toThrow('too small');
  expect(() => quoteSwap({}, KES, FIXED, FEES)).toThrow(RangeError);
});

test('the platform never pays out more than it takes: airtime credited is worth at most the TXTC less the fee', () => {
  const rates = fc.record({
    numerator: fc.bigInt({ min: 1n, max: 10n ** 24n }),
    denominator: fc.bigInt({ min: 1n, max: 10n ** 6n }),
  });
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: 10n ** 24n }),
      rates,
      fc.bigInt({ min: 1n, max: 10n ** 7n }),
      fc.bigInt({ min: 0n, max: 1000n }),
      (amount, rate, minorPerUsd, feeBps) => {
        const operator = { ...KES, minorUnitsPerUsd: minorPerUsd };
        const r: TxtcRate = { ...rate, source: 'test' };
        let q;
        try {
          q = quoteSwap({ txtcAmount: amount }, operator, r, { platformFeeBps: feeBps, gasFeeTxtc: 0n });
        } catch (e) {
          if (!(e instanceof AmountTooSmallError)) throw e; // only "too small to pay anything" is expected
          return; // too small to pay anything
        }
        expect(q.platformFee * 10000n).toBeGreaterThanOrEqual(amount * feeBps);
        // airtime * (TXTC per USD) <= kept * (minor per USD): compared exactly, no division.
        expect(q.airtimeMinor * r.numerator).toBeLessThanOrEqual(
          (amount - q.platformFee) * r.denominator * minorPerUsd,
        );
        expect(q.usdMicros).toBe(usdMicrosOfTxtc(amount, r));
      },
    ),
    { numRuns: 2000 },
  );
});

test('buying with airtime and swapping straight back loses only the two fees, never gains', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 100n, max: 10n ** 9n }), (airtime) => {
      const bought = quoteConversion(airtime, KES, FIXED, FEES);
      let back;
      try {
        back = quoteSwap({ txtcAmount: bought.txtcNet }, KES, FIXED, FEES);
      } catch (e) {
        if (!(e instanceof AmountTooSmallError)) throw e; // only "too small to pay anything" is expected
        return;
      }
      expect(back.airtimeMinor).toBeLessThan(airtime);
    }),
  );
});
