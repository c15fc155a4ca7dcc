/** A limit told back in the unit the person typed, always inside the limit it names. */
import { formatLimit } from '../../../lib/money/format';

const kes = { unit: 'local' as const, currency: 'KES', minorDigits: 2, minorUnitsPerUsd: 12900n };
const txtc = { unit: 'txtc' as const, txtcPerUsd: 100n * 10n ** 18n };

test('USD stays USD', () => {
  expect(formatLimit(100n, 'up')).toBe('$1.00');
});

test('KES: the minimum rounds up, the maximum down, with the USD beside it', () => {
  expect(formatLimit(100n, 'up', kes)).toBe('KES 129.00 ($1.00)');
  expect(formatLimit(10000n, 'down', kes)).toBe('KES 12,900.00 ($100.00)');
  const odd = { ...kes, minorUnitsPerUsd: 12345n };
  expect(formatLimit(1n, 'up', odd)).toBe('KES 1.24 ($0.01)');
  expect(formatLimit(1n, 'down', odd)).toBe('KES 1.23 ($0.01)');
});

test('TXTC to the cent, rounded toward the inside of the limit', () => {
  expect(formatLimit(100n, 'up', txtc)).toBe('100 TXTC ($1.00)');
  const odd = { unit: 'txtc' as const, txtcPerUsd: 98_765_432_100_000_000_000n };
  expect(formatLimit(100n, 'up', odd)).toBe('98.77 TXTC ($1.00)');
  expect(formatLimit(100n, 'down', odd)).toBe('98.76 TXTC ($1.00)');
});
