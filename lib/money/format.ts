/** How amounts are shown to people (SMS, USSD, API "display" fields). Pure: workflows use it too. */
import { formatDecimal } from './decimal';

export const TXTC_DECIMALS = 18;

/** 980000000000000000000n -> "980"; at most 2 decimals, truncated (never shows more than was given). */
export function formatTxtc(baseUnits: bigint): string {
  return formatDecimal(baseUnits, TXTC_DECIMALS, 2, true);
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
