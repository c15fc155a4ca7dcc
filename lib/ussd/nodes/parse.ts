/** What people type at the menu's prompts: an amount, a receiver's number, a language. */
import { parseDecimal } from '../../money/decimal';
import { detectOperator, normalizePhone, PhoneNumberError } from '../../telco/detect';
import type { NoteKey } from '../menu';
import type { Language, Profile } from '../types';

/** An amount in the person's currency within the range, or the reason it is not. */
export function parseAmount(text: string, profile: Profile): { minor: string } | { note: NoteKey; value?: string } {
  const match = /^\d+(?:\.(\d+))?$/.exec(text);
  if (!match) return { note: 'amountInvalid' };
  if ((match[1] ?? '').length > profile.minorDigits) {
    return { note: 'amountDecimals', value: String(profile.minorDigits) };
  }
  const minor = parseDecimal(text, profile.minorDigits);
  if (minor < BigInt(profile.minAirtimeMinor)) return { note: 'amountLow' };
  if (minor > BigInt(profile.maxAirtimeMinor)) return { note: 'amountHigh' };
  return { minor: minor.toString() };
}

/** A receiver's number in E.164, read in the sender's country, or the reason it cannot receive. */
export function parseReceiver(
  text: string,
  profile: Profile,
  kind: 'airtime' | 'hybrid',
): { phoneNumber: string } | { note: NoteKey } {
  const own = ownNumber(profile);
  let receiver: { phoneNumber: string; country: string };
  try {
    receiver = normalizePhone(text, own?.country);
  } catch (e) {
    return { note: e instanceof PhoneNumberError && e.code === 'UnsupportedCountry' ? 'phoneCountry' : 'phoneInvalid' };
  }
  if (receiver.phoneNumber === (own?.phoneNumber ?? profile.phoneNumber)) return { note: 'phoneOwn' };
  try {
    detectOperator(receiver.phoneNumber, receiver.country);
  } catch {
    return { note: 'phoneNetwork' };
  }
  // Airtime stays in one currency (the transfer workflow refuses KES to UGX): say so before the amount.
  if (kind === 'airtime' && own && receiver.country !== own.country) return { note: 'phoneAbroad' };
  return { phoneNumber: receiver.phoneNumber };
}

function ownNumber(profile: Profile): { phoneNumber: string; country: string } | undefined {
  try {
    return normalizePhone(profile.phoneNumber);
  } catch {
    return undefined;
  }
}

/** 1 English, 2 Swahili (the language screens list them in that order). */
export function languageOf(text: string): Language | undefined {
  return text === '1' ? 'en' : text === '2' ? 'sw' : undefined;
}
