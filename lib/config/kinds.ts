/** The kinds of value the variables take, each with its rule and its one-line complaint. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDecimal } from '../money/decimal';

export const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
export const port = z.coerce.number().int().min(1).max(65535);
/** a port where 0 turns the endpoint off */
export const portOrOff = z.coerce.number().int().min(0).max(65535);
export const nonNegativeInt = z.coerce.number().int().min(0);
export const rate = z.coerce.number().min(0).max(1);
/** a whole number from `min` to `max` */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const httpUrl = z.url({ protocol: /^https?$/ });
export const toMs = (seconds: number) => seconds * 1000;

/** A webhook secret: long enough that guessing is hopeless, printable so it fits a header. */
export const webhookSecret = z
  .string()
  .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16-256 printable characters without spaces')
  .optional();
/** A secret that rides in a callback URL's path (MoMo and Airtel send no header of ours): URL-safe. */
export const pathSecret = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 letters, digits, "-" or "_" (it goes in a URL path)')
  .optional();
/** An operator credential: printable, no spaces. */
export const operatorSecret = z
  .string()
  .regex(/^[\x21-\x7e]{1,512}$/, 'must be printable characters without spaces')
  .optional();
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter currency code such as UGX');

/**
 * A decimal written by a person (USD amounts, percents), held as an integer of `digits` places; `byDefault`
 * is written as a person would write it.
 */
export const decimal = (digits: number, byDefault: string) =>
  z
    .string()
    .default(byDefault)
    .transform((value, ctx) => {
      try {
        return parseDecimal(value, digits);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a plain decimal number with at most ${digits} decimals` });
        return z.NEVER;
      }
    });

/** An IPv4 or IPv6 address, alone or with a /prefix. */
function isCidr(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A comma-separated list of addresses or CIDRs ('any' for WEBHOOK_IP_ALLOWLIST's explicit opt-out: empty). */
export const cidrList = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const entries = text
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    // 'any': an explicit opt-out (logged at start), which production needs when it sets no list.
    if (entries.length === 1 && entries[0]!.toLowerCase() === 'any') return [];
    const bad = entries.find((e) => !isCidr(e));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `has "${bad}", which is not an IP address or CIDR` });
      return z.NEVER;
    }
    return entries;
  });

/** E.164 numbers, comma-separated (the on-call numbers alerts are SMSed to) */
export const phoneList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  )
  .pipe(z.array(z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be E.164 numbers such as +254712345678, comma-separated')));
