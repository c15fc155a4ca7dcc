/**
 * What a P2P transfer moves, in integers (MONEY.md): airtime in the sender's minor units, or TXTC in base
 * units, and its USD value for the limits. Pure: the API, the activities and the workflows share it.
 */
import { BridgeError } from '../definitions/errors';
import {
  MICRO_USD,
  airtimeForUsdCents,
  txtcForUsdCents,
  usdMicrosOfTxtc,
  type FeeSettings,
  type OperatorRate,
  type TxtcRate,
} from './conversion';

export type TransferKind = 'airtime' | 'txtc' | 'hybrid';

/** The amount as a request gives it: airtime minor units or TXTC base units, or US cents. */
export interface TransferAmount {
  amountMinor?: bigint;
  txtcAmount?: bigint;
  usdCents?: bigint;
}

/** A request's amount as Temporal and the API carry it (decimal strings) -> integers. */
export function amountFromWire(wire: { amountMinor?: string; txtcAmount?: string; usdCents?: string }): TransferAmount {
  const big = (v?: string) => (v === undefined ? undefined : BigInt(v));
  return { amountMinor: big(wire.amountMinor), txtcAmount: big(wire.txtcAmount), usdCents: big(wire.usdCents) };
}

export interface TransferQuote {
  kind: TransferKind;
  /** USD value, micro-dollars rounded down: what the limits count */
  usdMicros: bigint;
  /** airtime transfers: the sender's currency and the airtime moved */
  currency?: string;
  minorDigits?: number;
  minorUnitsPerUsd?: bigint;
  amountMinor?: bigint;
  /** TXTC and hybrid transfers: the TXTC the receiver gets, and the rate it was valued at */
  txtcAmount?: bigint;
  txtcPerUsd?: bigint;
  rateSource?: string;
}

export const TRANSFER_QUOTE_AMOUNTS = [
  'usdMicros',
  'minorUnitsPerUsd',
  'amountMinor',
  'txtcAmount',
  'txtcPerUsd',
] as const satisfies readonly (keyof TransferQuote)[];

export function quoteTransfer(
  kind: TransferKind,
  amount: TransferAmount,
  sender: OperatorRate,
  txtc: TxtcRate,
  fees: FeeSettings,
): TransferQuote {
  if (kind === 'airtime') {
    const amountMinor =
      amount.usdCents !== undefined ? airtimeForUsdCents(amount.usdCents, sender) : amount.amountMinor;
    if (amountMinor === undefined || amountMinor <= 0n)
      throw new BridgeError('InvalidRequest', 'amount must be more than zero');
    return {
      kind,
      usdMicros: (amountMinor * MICRO_USD) / sender.minorUnitsPerUsd,
      currency: sender.currency,
      minorDigits: sender.minorDigits,
      minorUnitsPerUsd: sender.minorUnitsPerUsd,
      amountMinor,
    };
  }
  const txtcAmount = amount.usdCents !== undefined ? txtcForUsdCents(amount.usdCents, txtc, fees) : amount.txtcAmount;
  if (txtcAmount === undefined || txtcAmount <= 0n)
    throw new BridgeError('InvalidRequest', 'amount must be more than zero');
  return {
    kind,
    // A USD-priced request is worth the USD asked (its fee included); a TXTC amount, its value at the rate.
    usdMicros: amount.usdCents !== undefined ? amount.usdCents * 10_000n : usdMicrosOfTxtc(txtcAmount, txtc),
    txtcAmount,
    txtcPerUsd: txtc.numerator / txtc.denominator,
    rateSource: txtc.source,
  };
}

export interface UsdLimits {
  minUsdCents: bigint;
  maxUsdCents: bigint;
  dailyUsdCents: bigint;
}

/** Which limit a movement worth `usdMicros` breaks, given what the number moved in the last 24 hours. */
export function usdLimitBreach(
  usdMicros: bigint,
  usedTodayUsdMicros: bigint,
  limits: UsdLimits,
): 'below' | 'above' | 'daily' | undefined {
  const centsToMicros = 10_000n;
  if (usdMicros < limits.minUsdCents * centsToMicros) return 'below';
  if (usdMicros > limits.maxUsdCents * centsToMicros) return 'above';
  if (usedTodayUsdMicros + usdMicros > limits.dailyUsdCents * centsToMicros) return 'daily';
  return undefined;
}
