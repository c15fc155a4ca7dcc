import fc from 'fast-check';
import {
  AmountTooSmallError,
  quoteConversion,
  quoteForNetTxtc,
  txtcForUsdCents,
  usdMicrosOfTxtc,
  type OperatorRate,
} from '../../../lib/money/conversion';
import { quoteTransfer, usdLimitBreach } from '../../../lib/money/transfer';

const E18 = 10n ** 18n;
const KES: OperatorRate = {
  operator: 'safaricom-ke',
  currency: 'KES',
  minorDigits: 2,
  minorUnitsPerUsd: 12900n,
  operatorFeeBps: 0n,
};
const POOL = { numerator: 100n * E18, denominator: 1n, source: 'pool' };
const FEES = { platformFeeBps: 200n, gasFeeTxtc: 0n };

test("MONEY.md: '$10' of TXTC is the 980 TXTC that 10 USD buys now, worth $9.80", () => {
  expect(txtcForUsdCents(1000n, POOL, FEES)).toBe(980n * E18);
  expect(usdMicrosOfTxtc(980n * E18, POOL)).toBe(9_800_000n);
});

test('a shortfall of 980 TXTC on a Kenyan number is bought with exactly the airtime of $10', () => {
  const q = quoteForNetTxtc(980n * E18, KES, POOL, FEES);
  expect(q).toMatchObject({
    airtimeAmountMinor: 129000n,
    txtcGross: 1000n * E18,
    platformFee: 20n * E18,
    txtcNet: 980n * E18,
  });
});

const operators = fc.record({
  minorUnitsPerUsd: fc.bigInt({ min: 1n, max: 200_000n }),
  operatorFeeBps: fc.bigInt({ min: 0n, max: 500n }),
});
const rates = fc.record({
  numerator: fc.bigInt({ min: 1n, max: 10n ** 24n }),
  denominator: fc.bigInt({ min: 1n, max: 10n ** 6n }),
});
const fees = fc.record({
  platformFeeBps: fc.bigInt({ min: 0n, max: 1000n }),
  gasFeeTxtc: fc.bigInt({ min: 0n, max: 10n ** 16n }),
});

test('the gross-up mints exactly the shortfall with the least airtime, and the books still add up to the base unit', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 10n ** 22n }), operators, rates, fees, (target, op, r, f) => {
      const operator = { ...KES, ...op };
      const txtc = { ...r, source: 'x' };
      const q = quoteForNetTxtc(target, operator, txtc, f);
      expect(q.txtcNet).toBe(target);
      expect(q.txtcGross).toBe(q.txtcNet + q.platformFee + q.operatorFee + q.gasFee);
      // never less than the fee the normal quote charges: rounding goes the platform's way
      const plain = quoteConversion(q.airtimeAmountMinor, operator, txtc, f);
      expect(plain.txtcNet).toBeGreaterThanOrEqual(target);
      expect(q.platformFee).toBeGreaterThanOrEqual(plain.platformFee);
      // one minor unit less would not cover the shortfall
      if (q.airtimeAmountMinor > 1n) {
        let less = 0n;
        try {
          less = quoteConversion(q.airtimeAmountMinor - 1n, operator, txtc, f).txtcNet;
        } catch (e) {
          if (!(e instanceof AmountTooSmallError)) throw e; // only "too small to pay anything" is expected
          less = 0n;
        }
        expect(less).toBeLessThan(target);
      }
    }),
    { numRuns: 300 },
  );
});

test('a USD-priced TXTC or hybrid transfer counts its full USD towards the limits, not the 98% that arrives', () => {
  const q = quoteTransfer('hybrid', { usdCents: 10204n }, KES, POOL, FEES);
  expect(q.usdMicros).toBe(102_040_000n);
  expect(usdLimitBreach(q.usdMicros, 0n, { minUsdCents: 100n, maxUsdCents: 10000n, dailyUsdCents: 50000n })).toBe(
    'above',
  );
  expect(quoteTransfer('txtc', { txtcAmount: 980n * E18 }, KES, POOL, FEES).usdMicros).toBe(9_800_000n);
});
