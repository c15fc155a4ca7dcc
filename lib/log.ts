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

/** An E.164 number anywhere in a written line: nested values, messages, error texts. */
const E164_IN_TEXT = /\+\d{9,15}(?!\d)/g;

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
    hooks: { streamWrite: (line) => line.replace(E164_IN_TEXT, maskPhone) },
    formatters: {
      log(object) {
        for (const key of Object.keys(object)) {
          const value = object[key];
          if (PHONE_KEYS.has(key) && typeof value === 'string') object[key] = maskPhone(value);
        }
        return object;
      },
    },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
