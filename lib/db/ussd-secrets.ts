/** A secret hop's state and how its outcome is recorded, in one statement (lib/pins.ts checks the PIN). */
import type { SecretOutcome } from '../ussd/types';
import type { RowOf } from './rows';

/**
 * What a secret hop's check starts from (lib/pins.ts): the hop's outcome when a delivery of it was already
 * answered, the number's PIN state and the session's pending new PIN (hashes only; never logged or answered).
 */
export interface SecretState {
  outcome: SecretOutcome | null;
  pinHash: string | null;
  pinFailedAttempts: number;
  pinLockedAt: Date | null;
  pendingPinHash: string | null;
}

export type SecretRow = RowOf<SecretState>;

/** The secret hop `$2`'s state, from ussd_profiles p, ussd_sessions s (or none) and ussd_secret_outcomes o. */
export const SECRET_COLUMNS = (pinHash: string) => `o.outcome, ${pinHash} AS pin_hash,
  COALESCE(p.pin_failed_attempts, 0)::int AS pin_failed_attempts, p.pin_locked_at, s.pending_pin_hash`;

/**
 * How a secret hop's outcome is recorded (lib/pins.ts): the state it was computed from, checked again under the
 * row's lock in the statement that records it, and what it changes. `locked`, `right` and `wrong` are PIN checks.
 */
export type SecretWrite =
  /** no PIN stored, or locked: nothing changes */
  | { kind: 'locked' }
  /** the PIN matched `pinHash`: failures cleared; `upgradeTo` replaces a hash from before the pepper */
  | { kind: 'right'; pinHash: string; upgradeTo?: string }
  /** the PIN did not match `pinHash` after `failedAttempts` failures: one more, locked at `maxAttempts` */
  | { kind: 'wrong'; pinHash: string; failedAttempts: number; maxAttempts: number }
  /** a new PIN, hashed (null: not a PIN, nothing kept) */
  | { kind: 'new-pin'; pendingPinHash: string | null }
  /** the new PIN again, against `pendingPinHash`: cleared either way, stored as the PIN on a match */
  | { kind: 'confirm-pin'; pendingPinHash: string | null; match: boolean };

/**
 * The statement that records hop ($1, $2)'s outcome ($3) once, with its change, only while the state it was
 * computed from still holds. `cur` locks that state's row (and reads its newest version: a check that waited for
 * another reads what that one wrote), `held` is the check, `slot` the outcome (nothing if a delivery of the hop
 * recorded one first), and the changes happen only with the slot. Parameters from $4 are the write's.
 */
export function secretWriteSql(write: SecretWrite, phoneNumber: string): { sql: string; params: unknown[] } {
  const slot = (from: string) => `slot AS (INSERT INTO ussd_secret_outcomes (session_id, seq, outcome)
     SELECT $1::text, $2::int, $3::jsonb ${from} ON CONFLICT DO NOTHING RETURNING 1)`;
  const recorded = 'SELECT (SELECT count(*) FROM slot)::int AS recorded';
  const profile = `cur AS MATERIALIZED (
       SELECT pin_hash, pin_failed_attempts, pin_locked_at FROM ussd_profiles WHERE phone_number = $4 FOR UPDATE)`;
  const held = (check: string) => `held AS (SELECT 1 FROM (SELECT 1) one LEFT JOIN cur ON true WHERE ${check})`;
  const onSlot = 'EXISTS (SELECT 1 FROM slot)';
  switch (write.kind) {
    case 'locked':
      return {
        sql: `WITH ${profile}, ${held('cur.pin_hash IS NULL OR cur.pin_locked_at IS NOT NULL')}, ${slot('FROM held')}
              ${recorded}`,
        params: [phoneNumber],
      };
    case 'right':
      return write.upgradeTo
        ? {
            sql: `WITH ${profile}, ${held('cur.pin_hash = $5 AND cur.pin_locked_at IS NULL')}, ${slot('FROM held')},
                  change AS (UPDATE ussd_profiles SET pin_hash = $6, pin_failed_attempts = 0, pin_locked_at = NULL,
                      pin_reset_required = false, updated_at = now()
                    WHERE phone_number = $4 AND ${onSlot})
                  ${recorded}`,
            params: [phoneNumber, write.pinHash, write.upgradeTo],
          }
        : {
            sql: `WITH ${profile}, ${held('cur.pin_hash = $5 AND cur.pin_locked_at IS NULL')}, ${slot('FROM held')},
                  change AS (UPDATE ussd_profiles SET pin_failed_attempts = 0
                    WHERE phone_number = $4 AND pin_failed_attempts > 0 AND ${onSlot})
                  ${recorded}`,
            params: [phoneNumber, write.pinHash],
          };
    case 'wrong':
      return {
        sql: `WITH ${profile},
                ${held('cur.pin_hash = $5 AND cur.pin_locked_at IS NULL AND cur.pin_failed_attempts = $6')},
                ${slot('FROM held')},
                change AS (UPDATE ussd_profiles SET pin_failed_attempts = pin_failed_attempts + 1,
                    pin_locked_at = CASE WHEN pin_failed_attempts + 1 >= $7::int THEN now() ELSE pin_locked_at END,
                    updated_at = now()
                  WHERE phone_number = $4 AND ${onSlot})
              ${recorded}`,
        params: [phoneNumber, write.pinHash, write.failedAttempts, write.maxAttempts],
      };
    case 'new-pin':
      return write.pendingPinHash === null
        ? { sql: `WITH ${slot('')} ${recorded}`, params: [] }
        : {
            sql: `WITH ${slot('')},
                  change AS (UPDATE ussd_sessions SET pending_pin_hash = $4 WHERE session_id = $1 AND ${onSlot})
                  ${recorded}`,
            params: [write.pendingPinHash],
          };
    case 'confirm-pin': {
      const session = `cur AS MATERIALIZED (SELECT pending_pin_hash FROM ussd_sessions WHERE session_id = $1 FOR UPDATE)`;
      const cleared = `cleared AS (UPDATE ussd_sessions SET pending_pin_hash = NULL WHERE session_id = $1 AND ${onSlot})`;
      return write.match && write.pendingPinHash !== null
        ? {
            sql: `WITH ${session}, ${held('cur.pending_pin_hash = $4')}, ${slot('FROM held')}, ${cleared},
                  pin AS (INSERT INTO ussd_profiles (phone_number, pin_hash) SELECT $5::text, $4::text FROM slot
                    ON CONFLICT (phone_number) DO UPDATE SET pin_hash = EXCLUDED.pin_hash, pin_failed_attempts = 0,
                      pin_locked_at = NULL, pin_reset_required = false, updated_at = now())
                  ${recorded}`,
            params: [write.pendingPinHash, phoneNumber],
          }
        : {
            sql: `WITH ${session}, ${held('cur.pending_pin_hash IS NOT DISTINCT FROM $4::text')}, ${slot('FROM held')},
                  ${cleared}
                  ${recorded}`,
            params: [write.pendingPinHash],
          };
    }
  }
}
