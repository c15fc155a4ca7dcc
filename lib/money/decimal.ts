/**
 * Exact decimal <-> integer conversions. Amounts typed by people ("10", "10.50") become integers of
 * minor units without ever passing through a float.
 */

import { BridgeError } from '../definitions/errors';

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export class DecimalError extends BridgeError {
  constructor(message: string) {
    super('InvalidAmount', message);
    this.name = 'DecimalError';
  }
}

/** "10.5" with 2 digits -> 1050n. Rejects signs, exponents and more fraction digits than allowed. */
export function parseDecimal(text: string | number, digits: number): bigint {
  const raw = typeof text === 'number' ? numberToPlainString(text) : text.trim();
  const match = DECIMAL.exec(raw);
  if (!match) throw new DecimalError(`"${raw}" is not a plain decimal number`);
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    throw new DecimalError(`"${raw}" has more than ${digits} decimal place${digits === 1 ? '' : 's'}`);
  }
  return BigInt(whole + fraction.padEnd(digits, '0'));
}

/** 1050n with 2 digits -> "10.50"; with trimZeros -> "10.5". Truncates, never rounds up. */
export function formatDecimal(value: bigint, digits: number, shownDigits = digits, trimZeros = false): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  let fraction = (abs % scale).toString().padStart(digits, '0').slice(0, shownDigits);
  if (trimZeros) fraction = fraction.replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new DecimalError('amount must be a finite number');
  // JSON numbers such as 10 or 10.5 print exactly; exponent forms (1e21, 1e-7) are refused above.
  return String(value);
}

/** Integer division rounding up (for fees and for what a person pays). Both operands positive. */
export function divCeil(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  if (numerator <= 0n) return numerator / denominator;
  return (numerator + denominator - 1n) / denominator;
}
