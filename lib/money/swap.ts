/**
 * SWAP: TXTC back to airtime at the current rate less the platform fee (MONEY.md's rounding rule: the TXTC
 * taken and the fee round up, the airtime credited rounds down). Pure: the activities and workflows share it.
 *
 * `SWAP 50` swaps 50 TXTC; `SWAP $10` and `SWAP KES 500` swap the TXTC worth that much now. Either way the
 * person receives the value of the TXTC, less the fee, as airtime in their operator's currency.
 */
import { divCeil } from './decimal';
import { AmountTooSmallError, BPS, MICRO_USD, USD_CENTS, usdMicrosOfTxtc, type FeeSettings } from './conversion';
import type { OperatorRate, TxtcRate } from './conversion';

/** The amount as a request gives it: TXTC base units, US cents, or airtime minor units (one of them). */
export interface SwapAmount {
  txtcAmount?: bigint;
  usdCents?: bigint;
  amountMinor?: bigint;
}

export interface SwapQuote {
  /** TXTC taken from the person's wallet (to the treasury) */
  txtcAmount: bigint;
  /** its part kept as the platform fee, rounded up */
  platformFee: bigint;
  /** USD value of txtcAmount, micro-dollars rounded down: what the limits count */
  usdMicros: bigint;
  /** airtime credited, in the operator's minor units, rounded down */
  airtimeMinor: bigint;
  currency: string;
  minorDigits: number;
  txtcPerUsd: bigint;
  rateSource: string;
}

export const SWAP_QUOTE_AMOUNTS = [
  'txtcAmount',
  'platformFee',
  'usdMicros',
  'airtimeMinor',
  'txtcPerUsd',
] as const satisfies readonly (keyof SwapQuote)[];

/** TXTC worth `usdMicros` now, rounded up: the person gives at least the value named. */
function txtcForUsdMicros(usdMicros: bigint, txtc: TxtcRate): bigint {
  return divCeil(usdMicros * txtc.numerator, MICRO_USD * txtc.denominator);
}

export function quoteSwap(amount: SwapAmount, operator: OperatorRate, txtc: TxtcRate, fees: FeeSettings): SwapQuote {
  if (txtc.numerator <= 0n || txtc.denominator <= 0n) throw new RangeError('TXTC rate must be positive');
  let txtcAmount: bigint | undefined;
  if (amount.txtcAmount !== undefined) txtcAmount = amount.txtcAmount;
  else if (amount.usdCents !== undefined)
    txtcAmount = txtcForUsdMicros(amount.usdCents * (MICRO_USD / USD_CENTS), txtc);
  else if (amount.amountMinor !== undefined) {
    // The airtime's USD value, exactly: minor * 1e6 / minor-per-USD, then to TXTC, one rounding up at the end.
    txtcAmount = divCeil(
      amount.amountMinor * MICRO_USD * txtc.numerator,
      operator.minorUnitsPerUsd * MICRO_USD * txtc.denominator,
    );
  }
  if (txtcAmount === undefined || txtcAmount <= 0n) throw new RangeError('swap amount must be positive');
  const platformFee = divCeil(txtcAmount * fees.platformFeeBps, BPS);
  const kept = txtcAmount - platformFee;
  // airtime = kept TXTC / (TXTC per USD) * (minor per USD), one division at the end, rounded down.
  const airtimeMinor = kept > 0n ? (kept * txtc.denominator * operator.minorUnitsPerUsd) / txtc.numerator : 0n;
  if (airtimeMinor <= 0n) throw new AmountTooSmallError(txtcAmount, platformFee);
  return {
    txtcAmount,
    platformFee,
    usdMicros: usdMicrosOfTxtc(txtcAmount, txtc),
    airtimeMinor,
    currency: operator.currency,
    minorDigits: operator.minorDigits,
    txtcPerUsd: txtc.numerator / txtc.denominator,
    rateSource: txtc.source,
  };
}
