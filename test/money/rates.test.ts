import { RateService } from '../../lib/rates';
import { createProvider } from '../../lib/chain/provider';
import { freePort } from '../../scripts/local/processes';
import { openStack, type TestStackHandle } from '../support/stack';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

test('TXTC per USD is read from the Uniswap V2 pair seeded at 1 USD = 100 TXTC', async () => {
  const rate = await new RateService(stack.runtime).txtcRate();
  expect(rate.numerator / rate.denominator).toBe(100n * 10n ** 18n);
  expect(rate.source).toBe(`uniswap-v2:${stack.runtime.addresses.ratePair}`);
});

test('when the pair cannot be read, the fixed rate is the fallback', async () => {
  const dead = createProvider(`http://127.0.0.1:${await freePort()}`);
  try {
    const config = { ...stack.config, rates: { ...stack.config.rates, fixedTxtcPerUsd: 90n * 10n ** 18n } };
    const rate = await new RateService({ ...stack.runtime, provider: dead, config }).txtcRate();
    expect(rate).toEqual({ numerator: 90n * 10n ** 18n, denominator: 1n, source: 'fixed-fallback' });
    const strict = { ...config, rates: { ...config.rates, fallbackToFixed: false } };
    await expect(new RateService({ ...stack.runtime, provider: dead, config: strict }).txtcRate()).rejects.toThrow();
  } finally {
    dead.destroy();
  }
});

test('operator rates come from operator_rates and are cached until the TTL passes', async () => {
  let now = 1_000_000;
  const config = { ...stack.config, rates: { ...stack.config.rates, cacheTtlMs: 60000 } };
  const rates = new RateService({ ...stack.runtime, config, now: () => now });
  expect((await rates.operatorRate('mtn-ug')).minorUnitsPerUsd).toBe(3700n);
  await stack.runtime.pool.query("UPDATE operator_rates SET minor_units_per_usd = 3800 WHERE operator = 'mtn-ug'");
  try {
    expect((await rates.operatorRate('mtn-ug')).minorUnitsPerUsd).toBe(3700n);
    now += 60001;
    expect((await rates.operatorRate('mtn-ug')).minorUnitsPerUsd).toBe(3800n);
  } finally {
    await stack.runtime.pool.query("UPDATE operator_rates SET minor_units_per_usd = 3700 WHERE operator = 'mtn-ug'");
  }
  await expect(rates.operatorRate('nope')).rejects.toThrow(/unknown operator/);
});
