/**
 * PINs, handled by the API before a hop reaches the workflow: stored only as a salted scrypt hash, checked
 * in constant time, three wrong ones lock money movement. The workflow (and so Temporal's history) only
 * ever sees the outcome. Each secret hop's outcome is kept per (session, hop), so a hop the gateway
 * delivers twice is not counted twice.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { SecretState, SecretWrite, UssdRepo } from './db/ussd';
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

/** How often a secret hop's outcome is computed again after another check changed the state it read first. */
const RECORD_ATTEMPTS = 5;

/** A secret hop's outcome and how it is recorded (lib/db/ussd.ts), from the state read before. */
interface Decision {
  outcome: SecretOutcome;
  write: SecretWrite;
}

/**
 * What the API does with an input the session marked secret; the outcome is all the workflow gets. No lock is
 * held while scrypt runs: the outcome is computed from the state the hop read (its own round trip, or the hop's
 * session read) and recorded in one statement that checks that state again under the row's lock, so a check
 * that lost a race with another (a wrong PIN from another session, a redelivery of the same hop) is computed
 * again from the new state, exactly as if the two had run one after the other: the attempts left count every
 * wrong PIN once, no answer ever comes from checking a locked number's PIN, and every delivery of a hop gets its
 * first outcome.
 */
export function createSecretHandler(repo: UssdRepo, pepper?: string) {
  return async (
    sessionId: string,
    seq: number,
    phoneNumber: string,
    kind: SecretKind,
    input: string,
    /** the state as the hop's session read brought it (lib/db/ussd.ts hopRead); read here when absent */
    known?: SecretState,
  ): Promise<SecretOutcome> => {
    // scrypt once per stored hash, and a new PIN hashed once, however often the state is read again
    const checked = new Map<string, Promise<boolean>>();
    const matches = (stored: string) => {
      if (!PIN_PATTERN.test(input)) return Promise.resolve(false);
      let result = checked.get(stored);
      if (!result) checked.set(stored, (result = verifyPin(input, stored, pepper)));
      return result;
    };
    let newHash: Promise<string> | undefined;

    async function decide(state: SecretState): Promise<Decision> {
      switch (kind) {
        case 'new-pin': {
          if (!PIN_PATTERN.test(input))
            return { outcome: { kind, result: 'invalid' }, write: { kind, pendingPinHash: null } };
          newHash ??= hashPin(input, pepper);
          return { outcome: { kind, result: 'accepted' }, write: { kind, pendingPinHash: await newHash } };
        }
        case 'confirm-pin': {
          const pending = state.pendingPinHash;
          const match = !!pending && (await matches(pending));
          return {
            outcome: { kind, result: match ? 'match' : 'mismatch' },
            write: { kind, pendingPinHash: pending, match },
          };
        }
        case 'pin': {
          const { pinHash, pinLockedAt, pinFailedAttempts } = state;
          if (!pinHash || pinLockedAt) return { outcome: { kind, result: 'locked' }, write: { kind: 'locked' } };
          if (await matches(pinHash)) {
            const upgradeTo = needsUpgrade(pinHash, pepper) ? await hashPin(input, pepper) : undefined;
            return {
              outcome: { kind, result: 'ok' },
              write: { kind: 'right', pinHash, ...(upgradeTo ? { upgradeTo } : {}) },
            };
          }
          const attemptsLeft = Math.max(0, MAX_PIN_ATTEMPTS - (pinFailedAttempts + 1));
          return {
            outcome: attemptsLeft > 0 ? { kind, result: 'wrong', attemptsLeft } : { kind, result: 'locked' },
            write: { kind: 'wrong', pinHash, failedAttempts: pinFailedAttempts, maxAttempts: MAX_PIN_ATTEMPTS },
          };
        }
      }
    }

    let state = known ?? (await repo.secretState(sessionId, seq, phoneNumber));
    for (let attempt = 1; ; attempt++) {
      // A delivery of this hop was answered already: the same answer, nothing counted again.
      if (state.outcome) return state.outcome;
      const { outcome, write } = await decide(state);
      if (await repo.recordSecret(sessionId, seq, phoneNumber, outcome, write)) return outcome;
      if (attempt >= RECORD_ATTEMPTS) throw new Error('secret hop not recorded: its state kept changing');
      state = await repo.secretState(sessionId, seq, phoneNumber);
    }
  };
}
