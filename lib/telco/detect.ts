/** Phone numbers in, E.164 and operator out (libphonenumber-js for parsing, the prefix table for operators). */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { OPERATOR_PREFIXES } from './prefixes';
import { BridgeError } from '../definitions/errors';

export class PhoneNumberError extends BridgeError {
  constructor(
    override readonly code: 'InvalidPhoneNumber' | 'UnsupportedCountry' | 'UnknownOperator',
    message: string,
  ) {
    super(code, message);
    this.name = 'PhoneNumberError';
  }
}

export interface Subscriber {
  /** E.164, e.g. +254712345678 */
  phoneNumber: string;
  country: string;
  /** operator id as in operator_rates, e.g. safaricom-ke */
  operator: string;
}

export const SUPPORTED_COUNTRIES = Object.keys(OPERATOR_PREFIXES);

/** "+254 712 345678", "254712345678" or, with a default country, "0712345678" -> "+254712345678". */
export function normalizePhone(input: string, defaultCountry?: string): { phoneNumber: string; country: string } {
  const raw = input.trim().replace(/[\s().-]/g, '');
  const withPlus = /^\d{10,15}$/.test(raw) && !raw.startsWith('0') ? `+${raw}` : raw;
  const parsed = parsePhoneNumberFromString(withPlus, defaultCountry as CountryCode | undefined);
  if (!parsed || !parsed.isValid() || !parsed.country) {
    throw new PhoneNumberError(
      'InvalidPhoneNumber',
      `"${input}" is not a valid phone number; use the international format, e.g. +254712345678`,
    );
  }
  if (!SUPPORTED_COUNTRIES.includes(parsed.country)) {
    throw new PhoneNumberError('UnsupportedCountry', `numbers from ${parsed.country} are not supported yet`);
  }
  return { phoneNumber: parsed.number, country: parsed.country };
}

/** The operator of a number by its prefix. */
export function detectOperator(phoneNumber: string, country: string): string {
  const national = parsePhoneNumberFromString(phoneNumber)?.nationalNumber ?? '';
  let best: { operator: string; length: number } | undefined;
  for (const { operator, prefixes } of OPERATOR_PREFIXES[country] ?? []) {
    for (const prefix of prefixes) {
      if (national.startsWith(prefix) && prefix.length > (best?.length ?? 0))
        best = { operator, length: prefix.length };
    }
  }
  if (!best)
    throw new PhoneNumberError('UnknownOperator', `no supported operator serves ${phoneNumber.slice(0, 7)}...`);
  return best.operator;
}

/**
 * The subscriber behind a number. `operatorHint` (as a request names it: "safaricom-ke", "MTN", "airtel")
 * wins over the prefix table, within the number's own country.
 */
export function identifySubscriber(input: string, operatorHint?: string): Subscriber {
  const { phoneNumber, country } = normalizePhone(input);
  if (!operatorHint) return { phoneNumber, country, operator: detectOperator(phoneNumber, country) };
  const hint = operatorHint.trim().toLowerCase().replace(/\s+/g, '');
  const operators = (OPERATOR_PREFIXES[country] ?? []).map((o) => o.operator);
  const match = operators.find(
    (id) => id === hint || id === `${hint}-${country.toLowerCase()}` || id.split('-')[0] === hint,
  );
  if (!match) {
    throw new PhoneNumberError(
      'UnknownOperator',
      `operator "${operatorHint}" does not serve ${country}; known there: ${operators.join(', ')}`,
    );
  }
  return { phoneNumber, country, operator: match };
}
