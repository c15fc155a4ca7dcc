/** Structured logs (pino). Phone numbers are masked and secrets redacted before anything is written. */
import pino from 'pino';

export type Logger = pino.Logger;

/** "+254712345678" -> "+2547*****678": enough to correlate, not enough to identify. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length <= 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 5)}${'*'.repeat(digits.length - 8)}${digits.slice(-3)}`;
}

const PHONE_KEYS = new Set(['phone', 'phoneNumber', 'fromPhone', 'toPhone', 'msisdn', 'to', 'from']);

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', name = 'txtc-bridge'): Logger {
  return pino({
    name,
    level,
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
      ],
      censor: '[redacted]',
    },
    formatters: {
      log(object) {
        for (const key of Object.keys(object)) {
          const value = object[key];
          if (PHONE_KEYS.has(key) && typeof value === 'string') object[key] = maskPhone(value);
        }
        return object;
      },
    },
  });
}
