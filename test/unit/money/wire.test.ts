import fc from 'fast-check';
import {
  AmountTooSmallError,
  CONVERSION_QUOTE_AMOUNTS,
  quoteWithRates,
  type ConversionQuote,
} from '../../../lib/money/conversion';
import { fromWire, toWire } from '../../../lib/money/wire';

const KES = { operator: 'safaricom-ke', currency: 'KES', minorDigits: 2, minorUnitsPerUsd: 12900n, operatorFeeBps: 0n };
const POOL = { numerator: 100n * 10n ** 18n, denominator: 1n, source: 'uniswap-v2:0xpair' };

test('a quote crosses Temporal as strings of integers and comes back exactly', () => {
  const quote = quoteWithRates(129000n, KES, POOL, { platformFeeBps: 200n, gasFeeTxtc: 0n });
  const wire = toWire(quote);
  expect(wire).toMatchObject({
    airtimeAmountMinor: '129000',
    txtcNet: (980n * 10n ** 18n).toString(),
    currency: 'KES',
    minorDigits: 2,
    rateSource: 'uniswap-v2:0xpair',
  });
  expect(JSON.parse(JSON.stringify(wire))).toEqual(wire);
  expect(fromWire<ConversionQuote>(wire, CONVERSION_QUOTE_AMOUNTS)).toEqual(quote);
});

test('any amount survives the round trip to the base unit', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 100n, max: 10n ** 12n }),
      fc.bigInt({ min: 1n, max: 10n ** 24n }),
      (airtime, perUsd) => {
        let quote: ConversionQuote;
        try {
          quote = quoteWithRates(
            airtime,
            KES,
            { numerator: perUsd, denominator: 1n, source: 'fixed' },
            { platformFeeBps: 200n, gasFeeTxtc: 0n },
          );
        } catch (e) {
          if (!(e instanceof AmountTooSmallError)) throw e; // only "too small to pay anything" is expected
          return;
        }
        expect(
          fromWire<ConversionQuote>(JSON.parse(JSON.stringify(toWire(quote))) as never, CONVERSION_QUOTE_AMOUNTS),
        ).toEqual(quote);
      },
    ),
  );
});
