/**
 * Structured logs (pino JSON). Phone numbers are masked and secrets redacted before anything is written.
 * Every line carries what is known of where it came from: the API's request id (set per request in
 * `logScope`), an activity's workflow id, type and attempt (the worker's `context`), beside what the call
 * site logs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

export type Logger = pino.Logger;

/** "+254712345678" -> "+2547*****678": enough to correlate, not enough to identify. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length <= 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 5)}${'*'.repeat(digits.length - 8)}${digits.slice(-3)}`;
}

/**
 * A phone number anywhere in a written line: nested values, messages, error texts. E.164 with its '+', and
 * the served countries' numbers written without it (2547..., 2567..., 2332..., 2348...) or locally (07..,
 * 01..), each standing alone (not inside a longer run of digits, letters or a hex hash).
 */
const PHONE_IN_TEXT =
  /\+\d{9,15}(?!\d)|(?<![\w+])(?:254[17]\d{8}|256[37]\d{8}|233[235]\d{8}|234[789]\d{9}|0[17]\d{8})(?!\w)/g;

/** Keys whose value is a credential wherever they sit in a line (any depth, any case). */
const SECRET_KEY =
  /secret|password|passwd|passphrase|mnemonic|seed|private.?key|api.?key|token|authorization|cookie|^pin$|pin.?hash|^x-api-key$/i;
const REDACTED = '[redacted]';

/** A copy of a logged value with credentials redacted and phone fields masked, at any depth (cycles cut). */
function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error || value instanceof Date || Buffer.isBuffer(value)) return value;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // An id names a credential, it is not one (apiKeyId): kept.
    if (SECRET_KEY.test(key) && !/id$/i.test(key) && v !== undefined && v !== null) out[key] = REDACTED;
    else if (PHONE_KEYS.has(key) && typeof v === 'string') out[key] = maskPhone(v);
    else out[key] = scrub(v, depth + 1, seen);
  }
  return out;
}

const PHONE_KEYS = new Set(['phone', 'phoneNumber', 'fromPhone', 'toPhone', 'msisdn', 'to', 'from']);

/** Fields added to every line logged inside a scope (the API runs each request in one with its request id). */
export const logScope = new AsyncLocalStorage<Record<string, unknown>>();

export function createLogger(
  level = process.env.LOG_LEVEL ?? 'info',
  name = 'txtc-bridge',
  options: { context?: () => Record<string, unknown>; destination?: pino.DestinationStream } = {},
): Logger {
  const opts: pino.LoggerOptions = {
    name,
    level,
    mixin: () => ({ ...logScope.getStore(), ...options.context?.() }),
    redact: {
      paths: [
        'privateKey',
        '*.privateKey',
        'mnemonic',
        '*.mnemonic',
        'signerPrivateKey',
        '*.signerPrivateKey',
        'signerPrivateKeys',
        '*.signerPrivateKeys',
        'authorization',
        '*.authorization',
        '["x-api-key"]',
        '*["x-api-key"]',
        '["x-webhook-secret"]',
        '*["x-webhook-secret"]',
      ],
      censor: '[redacted]',
    },
    // The last word on every line: a number the key-based masking below cannot see (a nested field, a message,
    // an error's text) is masked here too.
    hooks: { streamWrite: (line) => line.replace(PHONE_IN_TEXT, maskPhone) },
    formatters: {
      // Credentials by key name and phone fields, at any depth: a nested report or a request body included.
      log: (object) => scrub(object, 0, new WeakSet()) as Record<string, unknown>,
    },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
