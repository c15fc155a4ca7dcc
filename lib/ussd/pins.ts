/**
 * PINs, handled by the API before a hop reaches the workflow: stored only as a salted scrypt hash, checked
 * in constant time, three wrong ones lock money movement. The workflow (and so Temporal's history) only
 * ever sees the outcome. Each secret hop's outcome is kept per (session, hop), so a hop the gateway
 * delivers twice is not counted twice.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { UssdQueries, UssdRepo } from '../db/ussd';
import type { SecretKind, SecretOutcome } from './types';

export const PIN_PATTERN = /^\d{4}$/;
export const MAX_PIN_ATTEMPTS = 3;
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(pin: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, KEY_LENGTH, params, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$N$r$p$<salt>$<hash>" (base64): what is stored instead of the PIN. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(pin, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** What the API does with an input the session marked secret; the outcome is all the workflow gets. */
export function createSecretHandler(repo: UssdRepo) {
  async function compute(
    tx: UssdQueries,
    sessionId: string,
    phoneNumber: string,
    kind: SecretKind,
    input: string,
  ): Promise<SecretOutcome> {
    switch (kind) {
      case 'new-pin': {
        if (!PIN_PATTERN.test(input)) return { kind, result: 'invalid' };
        await tx.setPendingPin(sessionId, await hashPin(input));
        return { kind, result: 'accepted' };
      }
      case 'confirm-pin': {
        const pending = (await tx.session(sessionId))?.pendingPinHash;
        await tx.setPendingPin(sessionId, null);
        if (!pending || !PIN_PATTERN.test(input) || !(await verifyPin(input, pending)))
          return { kind, result: 'mismatch' };
        await tx.setPin(phoneNumber, pending);
        return { kind, result: 'match' };
      }
      case 'pin': {
        const profile = await tx.profile(phoneNumber, { forUpdate: true });
        if (!profile?.pinHash || profile.pinLockedAt) return { kind, result: 'locked' };
        if (PIN_PATTERN.test(input) && (await verifyPin(input, profile.pinHash))) {
          await tx.clearPinFailures(phoneNumber);
          return { kind, result: 'ok' };
        }
        const attemptsLeft = await tx.recordWrongPin(phoneNumber, MAX_PIN_ATTEMPTS);
        return attemptsLeft > 0 ? { kind, result: 'wrong', attemptsLeft } : { kind, result: 'locked' };
      }
    }
  }
  return (
    sessionId: string,
    seq: number,
    phoneNumber: string,
    kind: SecretKind,
    input: string,
  ): Promise<SecretOutcome> =>
    repo.secretOutcomeOnce(sessionId, seq, (tx) => compute(tx, sessionId, phoneNumber, kind, input));
}
