/**
 * PINs, handled by the API before a hop reaches the workflow: stored only as a salted scrypt hash, checked
 * in constant time, three wrong ones lock money movement. The workflow (and so Temporal's history) only
 * ever sees the outcome. Each secret hop's outcome is kept per (session, hop), so a hop the gateway
 * delivers twice is not counted twice.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { UssdQueries, UssdRepo } from './db/ussd';
import type { SecretKind, SecretOutcome } from './ussd/types';

export const PIN_PATTERN = /^\d{4}$/;
export const MAX_PIN_ATTEMPTS = 3;
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(pin: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, KEY_LENGTH, params, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * A 4-digit PIN has 10,000 values: scrypt alone falls to a search of a database dump. With the server-side
 * pepper (PIN_PEPPER, never in the database) the PIN is first keyed by an HMAC, so a dump alone reveals nothing.
 */
function peppered(pin: string, pepper: string): string {
  return createHmac('sha256', pepper).update(pin).digest('base64');
}

/**
 * What is stored instead of the PIN: "scrypt-hmac$N$r$p$<salt>$<hash>" (base64) with the pepper; without
 * one (tests seeding numbers, older hashes) the plain "scrypt$..." form, upgraded at the next right PIN.
 */
export async function hashPin(pin: string, pepper?: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pepper ? peppered(pin, pepper) : pin, salt, PARAMS);
  const scheme = pepper ? 'scrypt-hmac' : 'scrypt';
  return [scheme, PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPin(pin: string, stored: string, pepper?: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  let input: string;
  if (scheme === 'scrypt') input = pin;
  else if (scheme === 'scrypt-hmac' && pepper) input = peppered(pin, pepper);
  else return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(input, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash made before the pepper: replaced by a peppered one at the next right PIN. */
export const needsUpgrade = (stored: string, pepper?: string): boolean => !!pepper && stored.startsWith('scrypt$');

/** What the API does with an input the session marked secret; the outcome is all the workflow gets. */
export function createSecretHandler(repo: UssdRepo, pepper?: string) {
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
        await tx.setPendingPin(sessionId, await hashPin(input, pepper));
        return { kind, result: 'accepted' };
      }
      case 'confirm-pin': {
        const pending = (await tx.session(sessionId))?.pendingPinHash;
        await tx.setPendingPin(sessionId, null);
        if (!pending || !PIN_PATTERN.test(input) || !(await verifyPin(input, pending, pepper)))
          return { kind, result: 'mismatch' };
        await tx.setPin(phoneNumber, pending);
        return { kind, result: 'match' };
      }
      case 'pin': {
        const profile = await tx.profile(phoneNumber, { forUpdate: true });
        if (!profile?.pinHash || profile.pinLockedAt) return { kind, result: 'locked' };
        if (PIN_PATTERN.test(input) && (await verifyPin(input, profile.pinHash, pepper))) {
          await tx.clearPinFailures(phoneNumber);
          if (needsUpgrade(profile.pinHash, pepper)) await tx.setPin(phoneNumber, await hashPin(input, pepper));
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
