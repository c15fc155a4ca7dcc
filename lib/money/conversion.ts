/**
 * Airtime -> TXTC arithmetic (../shared/MONEY.md), in integers only. One rounding rule: every division
 * rounds down what the user receives and up what the user pays (airtime debited, fees), so the platform
 * never pays out a fraction it did not take in.
 */
import { divCeil } from './decimal';
import { BridgeError } from '../definitions/errors';

export const BPS = 10000n;
export const USD_CENTS = 100n;
export const MICRO_USD = 1_000_000n;

/** TXTC base units per 1 USD as an exact fraction (a pool's reserves give one). */
export interface TxtcRate {
  numerator: bigint;
  denominator: bigint;
  source: string;
}

export interface OperatorRate {
  operator: string;
  currency: string;
  minorDigits: number;
  /** airtime minor units that 1 USD buys */
  minorUnitsPerUsd: bigint;
  operatorFeeBps: bigint;
}

export interface FeeSettings {
  platformFeeBps: bigint;
  gasFeeTxtc: bigint;
}

export interface Quote {
  airtimeAmountMinor: bigint;
  /** USD value of the airtime, rounded down to the micro-dollar (for limits and records) */
  usdMicros: bigint;
  txtcGross: bigint;
  platformFee: bigint;
  operatorFee: bigint;
  gasFee: bigint;
  txtcNet: bigint;
  /** TXTC base units per USD, rounded down (for display and records) */
  txtcPerUsd: bigint;
}

/** Airtime to debit for a USD amount: rounded up, a person pays at least what they asked to spend. */
export function airtimeForUsdCents(usdCents: bigint, rate: OperatorRate): bigint {
  return divCeil(usdCents * rate.minorUnitsPerUsd, USD_CENTS);
}

/**
 * What `airtimeAmountMinor` of airtime buys. Throws when the fees would eat it all (net <= 0), so every
 * returned quote has net > 0 and gross = net + fees exactly.
 */
export function quoteConversion(
  airtimeAmountMinor: bigint,
  operator: OperatorRate,
  txtc: TxtcRate,
  fees: FeeSettings,
): Quote {
  if (airtimeAmountMinor <= 0n) throw new RangeError('airtime amount must be positive');
  if (txtc.numerator <= 0n || txtc.denominator <= 0n) throw new RangeError('TXTC rate must be positive');
  // gross = airtime / (minor per USD) * (TXTC per USD), one division at the end.
  const txtcGross = (airtimeAmountMinor * txtc.numerator) / (operator.minorUnitsPerUsd * txtc.denominator);
  const platformFee = divCeil(txtcGross * fees.platformFeeBps, BPS);
  const operatorFee = divCeil(txtcGross * operator.operatorFeeBps, BPS);
  const gasFee = fees.gasFeeTxtc;
  const txtcNet = txtcGross - platformFee - operatorFee - gasFee;
  if (txtcNet <= 0n) throw new AmountTooSmallError(txtcGross, platformFee + operatorFee + gasFee);
  return {
    airtimeAmountMinor,
    usdMicros: (airtimeAmountMinor * MICRO_USD) / operator.minorUnitsPerUsd,
    txtcGross,
    platformFee,
    operatorFee,
    gasFee,
    txtcNet,
    txtcPerUsd: txtc.numerator / txtc.denominator,
  };
}

/**
 * A conversion's quote as the workflows, the records and the API carry it: the amounts of `Quote` and
 * the rates they came from. Declared once; Temporal carries it as `Wire<ConversionQuote>` (lib/money/wire).
 */
export type ConversionQuote = Quote &
  Pick<OperatorRate, 'operator' | 'currency' | 'minorDigits' | 'minorUnitsPerUsd'> & { rateSource: string };

/** The bigint fields of a ConversionQuote (for fromWire). */
export const CONVERSION_QUOTE_AMOUNTS = [
  'airtimeAmountMinor',
  'usdMicros',
  'txtcGross',
  'platformFee',
  'operatorFee',
  'gasFee',
  'txtcNet',
  'txtcPerUsd',
  'minorUnitsPerUsd',
] as const satisfies readonly (keyof ConversionQuote)[];

/** A quote with the rates it used attached: for an airtime amount, or (a hybrid's leg) for a net TXTC target. */
export function quoteWithRates(
  airtimeAmountMinor: bigint,
  operator: OperatorRate,
  txtc: TxtcRate,
  fees: FeeSettings,
  txtcNetTarget?: bigint,
): ConversionQuote {
  return {
    ...(txtcNetTarget !== undefined
      ? quoteForNetTxtc(txtcNetTarget, operator, txtc, fees)
      : quoteConversion(airtimeAmountMinor, operator, txtc, fees)),
    operator: operator.operator,
    currency: operator.currency,
    minorDigits: operator.minorDigits,
    minorUnitsPerUsd: operator.minorUnitsPerUsd,
    rateSource: txtc.source,
  };
}

export class AmountTooSmallError extends BridgeError {
  constructor(
    readonly gross: bigint,
    readonly fees: bigint,
  ) {
    super('AmountTooSmall', 'the amount is too small to cover the fees');
    this.name = 'AmountTooSmallError';
  }
}

/** Which per-transaction limit (USD cents) an airtime amount breaks, if any, compared exactly. */
export function perTransactionLimitBreach(
  airtimeAmountMinor: bigint,
  rate: OperatorRate,
  limits: { minUsdCents: bigint; maxUsdCents: bigint },
): 'below' | 'above' | undefined {
  if (compareAirtimeToUsdCents(airtimeAmountMinor, rate, limits.minUsdCents) < 0) return 'below';
  if (compareAirtimeToUsdCents(airtimeAmountMinor, rate, limits.maxUsdCents) > 0) return 'above';
  return undefined;
}

/** Exact comparison of an airtime amount's USD value with a USD limit in cents: -1, 0 or 1. */
export function compareAirtimeToUsdCents(airtimeAmountMinor: bigint, rate: OperatorRate, usdCents: bigint): number {
  const left = airtimeAmountMinor * USD_CENTS;
  const right = usdCents * rate.minorUnitsPerUsd;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Net TXTC that `airtimeAmountMinor` buys, or 0 when the fees eat it all. */
function netOf(airtimeAmountMinor: bigint, operator: OperatorRate, txtc: TxtcRate, fees: FeeSettings): bigint {
  if (airtimeAmountMinor <= 0n) return 0n;
  try {
    return quoteConversion(airtimeAmountMinor, operator, txtc, fees).txtcNet;
  } catch (e) {
    if (e instanceof AmountTooSmallError) return 0n;
    throw e;
  }
}

/**
 * The hybrid's shortfall (MONEY.md): the least airtime whose net covers `targetNet`, grossed up through
 * the fees. Exactly `targetNet` is minted; what the airtime's rounding buys beyond it is added to the
 * platform fee, so gross = net + fees still holds and the rounding favours the platform.
 */
export function quoteForNetTxtc(targetNet: bigint, operator: OperatorRate, txtc: TxtcRate, fees: FeeSettings): Quote {
  if (targetNet <= 0n) throw new RangeError('target must be positive');
  const keptBps = BPS - fees.platformFeeBps - operator.operatorFeeBps;
  if (keptBps <= 0n) throw new RangeError('fees take everything');
  // gross needed ~ (target + gas) / kept share; airtime = gross * minor-per-USD / TXTC-per-USD, rounded up.
  const grossNeeded = divCeil((targetNet + fees.gasFeeTxtc) * BPS, keptBps);
  const estimate = divCeil(grossNeeded * operator.minorUnitsPerUsd * txtc.denominator, txtc.numerator);
  // net(airtime) never falls as airtime grows: binary search for the least airtime that covers the target.
  let high = estimate + 2n;
  while (netOf(high, operator, txtc, fees) < targetNet) high *= 2n;
  let low = 0n; // net(low) < target
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if (netOf(mid, operator, txtc, fees) >= targetNet) high = mid;
    else low = mid;
  }
  const airtime = high;
  const quote = quoteConversion(airtime, operator, txtc, fees);
  return { ...quote, txtcNet: targetNet, platformFee: quote.platformFee + (quote.txtcNet - targetNet) };
}

/** USD value of TXTC base units at a rate, in micro-dollars rounded down (for limits and records). */
export function usdMicrosOfTxtc(amount: bigint, txtc: TxtcRate): bigint {
  return (amount * MICRO_USD * txtc.denominator) / txtc.numerator;
}

/** The TXTC that a USD amount buys now, after the platform and gas fees (MONEY.md: "$10" sends 980 TXTC). */
export function txtcForUsdCents(usdCents: bigint, txtc: TxtcRate, fees: FeeSettings): bigint {
  const gross = (usdCents * txtc.numerator) / (USD_CENTS * txtc.denominator);
  const net = gross - divCeil(gross * fees.platformFeeBps, BPS) - fees.gasFeeTxtc;
  if (net <= 0n) throw new AmountTooSmallError(gross, gross - net);
  return net;
}
