/**
 * Voucher codes: 12 symbols of Crockford's base32 (no I, L, O or U to misread), shown as XXXX-XXXX-XXXX,
 * 60 random bits. Only a SHA-256 of the normalised code is stored: a code is a bearer secret, shown once
 * at issue. People may type it in any case, with or without dashes, an O for a 0 or an I/L for a 1.
 */
import { createHash, randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 12;

export function newVoucherCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

/** The code as stored (before hashing): upper case, no separators, misread letters read as digits. */
export function normaliseVoucherCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function voucherCodeHash(typed: string): string {
  return createHash('sha256').update(normaliseVoucherCode(typed)).digest('hex');
}
