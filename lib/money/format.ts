/** How amounts are shown to people (SMS, USSD, API "display" fields). Pure: workflows use it too. */
import { formatDecimal } from './decimal';

export const TXTC_DECIMALS = 18;

/** 980000000000000000000n -> "980"; at most 2 decimals, truncated (never shows more than was given). */
export function formatTxtc(baseUnits: bigint): string {
  return formatDecimal(baseUnits, TXTC_DECIMALS, 2, true);
}

/** An amount of TXTC as a person reads it in a sentence: 980000000000000000000n -> "980 TXTC". */
export function formatTxtcAmount(baseUnits: bigint): string {
  return `${formatTxtc(baseUnits)} TXTC`;
}

function groupThousands(text: string): string {
  const [whole, fraction] = text.split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** 129000n KES (2 digits) -> "KES 1,290.00" */
export function formatAirtime(minor: bigint, currency: string, minorDigits: number): string {
  return `${currency} ${groupThousands(formatDecimal(minor, minorDigits))}`;
}

/** 1500n US cents -> "$15.00" (limits as people read them) */
export function formatUsdCents(cents: bigint): string {
  return `$${formatDecimal(cents, 2)}`;
}

/** 10000000n micro-USD -> "$10.00" */
export function formatUsdMicros(micros: bigint): string {
  return `$${groupThousands(formatDecimal(micros, 6, 2))}`;
}

/** 0x71907c2e...c0ffee -> "0x7190...ffee" */
export function shortHex(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 6)}...${hex.slice(-4)}` : hex;
}

/** The unit a person typed an amount in, so a limit is told back in it. */
export type LimitUnit =
  | { unit: 'usd' }
  | { unit: 'local'; currency: string; minorDigits: number; minorUnitsPerUsd: bigint }
  | { unit: 'txtc'; txtcPerUsd: bigint };

/**
 * A limit of `usdCents` as the person reads it in the unit they used: "KES 129.00 ($1.00)", "98.03 TXTC
 * ($1.00)", "$1.00". A minimum rounds up, a maximum down, so the amount shown is always inside the limit.
 */
export function formatLimit(usdCents: bigint, round: 'up' | 'down', unit: LimitUnit = { unit: 'usd' }): string {
  const usd = formatUsdCents(usdCents);
  const div = (n: bigint, d: bigint) => (round === 'up' ? (n + d - 1n) / d : n / d);
  if (unit.unit === 'local')
    return `${formatAirtime(div(usdCents * unit.minorUnitsPerUsd, 100n), unit.currency, unit.minorDigits)} (${usd})`;
  if (unit.unit === 'txtc') {
    // Shown with 2 decimals: round the base units to a whole cent of TXTC in the limit's direction.
    const cent = 10n ** 16n;
    return `${formatTxtc(div(div(usdCents * unit.txtcPerUsd, 100n), cent) * cent)} TXTC (${usd})`;
  }
  return usd;
}
