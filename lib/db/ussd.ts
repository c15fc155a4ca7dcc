/** USSD tables: registered numbers (ussd_profiles), sessions (ussd_sessions) and secret hops' outcomes. */
import type { Pool, PoolClient } from 'pg';
import type { Language, MenuState, SecretKind, SecretOutcome } from '../ussd/types';
import { withTransaction } from './pool';
import { hitCte, hitOf, type HitRow, type RateLimitHit } from './rate-limits';

/** A session as every hop reads it: whose it is, what it expects next (and since which hop), the number's language. */
export interface HopSession {
  phoneNumber: string;
  expectsSecret: SecretKind | null;
  expectSeq: number | null;
  pendingPinHash: string | null;
  /** the number's language, for the screens the API answers itself (same round trip) */
  language: Language | null;
}

interface SessionRow {
  phone_number: string;
  expects_secret: SecretKind | null;
  expect_seq: number | null;
  pending_pin_hash: string | null;
  language: Language | null;
}

const SESSION_SELECT = `SELECT s.phone_number, s.expects_secret, s.expect_seq, s.pending_pin_hash, p.language
  FROM ussd_sessions s LEFT JOIN ussd_profiles p ON p.phone_number = s.phone_number`;

const sessionOf = (r: SessionRow): HopSession => ({
  phoneNumber: r.phone_number,
  expectsSecret: r.expects_secret,
  expectSeq: r.expect_seq,
  pendingPinHash: r.pending_pin_hash,
  language: r.language,
});

export interface UssdProfileRow {
  phoneNumber: string;
  language: Language | null;
  termsAcceptedAt: Date | null;
  pinHash: string | null;
  pinFailedAttempts: number;
  pinLockedAt: Date | null;
  pinResetRequired: boolean;
  registeredAt: Date | null;
}

const PROFILE_COLUMNS =
  'phone_number, language, terms_accepted_at, pin_hash, pin_failed_attempts, pin_locked_at, pin_reset_required, registered_at';

interface ProfileRow {
  phone_number: string;
  language: Language | null;
  terms_accepted_at: Date | null;
  pin_hash: string | null;
  pin_failed_attempts: number;
  pin_locked_at: Date | null;
  pin_reset_required: boolean;
  registered_at: Date | null;
}

const toProfile = (r: ProfileRow): UssdProfileRow => ({
  phoneNumber: r.phone_number,
  language: r.language,
  termsAcceptedAt: r.terms_accepted_at,
  pinHash: r.pin_hash,
  pinFailedAttempts: r.pin_failed_attempts,
  pinLockedAt: r.pin_locked_at,
  pinResetRequired: r.pin_reset_required,
  registeredAt: r.registered_at,
});

/** The queries, on the pool or on one transaction's connection. */
function queriesOn(db: Pool | PoolClient) {
  return {
    /** A number's registration; `forUpdate` locks the row until the transaction ends (one PIN check at a time). */
    async profile(phoneNumber: string, { forUpdate = false } = {}): Promise<UssdProfileRow | undefined> {
      const { rows } = await db.query<ProfileRow>(
        `SELECT ${PROFILE_COLUMNS} FROM ussd_profiles WHERE phone_number = $1${forUpdate ? ' FOR UPDATE' : ''}`,
        [phoneNumber],
      );
      return rows[0] && toProfile(rows[0]);
    },

    async saveLanguage(phoneNumber: string, language: Language): Promise<void> {
      await db.query(
        `INSERT INTO ussd_profiles (phone_number, language) VALUES ($1, $2)
         ON CONFLICT (phone_number) DO UPDATE SET language = $2, updated_at = now()`,
        [phoneNumber, language],
      );
    },

    /** Language chosen, terms accepted and a PIN set: registered (the PIN was stored by setPin). */
    async completeRegistration(phoneNumber: string, language: Language): Promise<void> {
      await db.query(
        `INSERT INTO ussd_profiles (phone_number, language, terms_accepted_at, registered_at) VALUES ($1, $2, now(), now())
         ON CONFLICT (phone_number) DO UPDATE SET language = $2,
           terms_accepted_at = COALESCE(ussd_profiles.terms_accepted_at, now()),
           registered_at = COALESCE(ussd_profiles.registered_at, now()), updated_at = now()`,
        [phoneNumber, language],
      );
    },

    /** A new PIN's hash: clears failures, a lock and a required reset. */
    async setPin(phoneNumber: string, pinHash: string): Promise<void> {
      await db.query(
        `INSERT INTO ussd_profiles (phone_number, pin_hash) VALUES ($1, $2)
         ON CONFLICT (phone_number) DO UPDATE SET pin_hash = $2, pin_failed_attempts = 0, pin_locked_at = NULL,
           pin_reset_required = false, updated_at = now()`,
        [phoneNumber, pinHash],
      );
    },

    /** One wrong PIN; locked at `maxAttempts`. Returns the attempts left (0 when locked). */
    async recordWrongPin(phoneNumber: string, maxAttempts: number): Promise<number> {
      const { rows } = await db.query<{ pin_failed_attempts: number }>(
        `UPDATE ussd_profiles SET pin_failed_attempts = pin_failed_attempts + 1,
           pin_locked_at = CASE WHEN pin_failed_attempts + 1 >= $2 THEN now() ELSE pin_locked_at END, updated_at = now()
         WHERE phone_number = $1 RETURNING pin_failed_attempts`,
        [phoneNumber, maxAttempts],
      );
      return Math.max(0, maxAttempts - (rows[0]?.pin_failed_attempts ?? maxAttempts));
    },

    async clearPinFailures(phoneNumber: string): Promise<void> {
      await db.query(
        'UPDATE ussd_profiles SET pin_failed_attempts = 0 WHERE phone_number = $1 AND pin_failed_attempts > 0',
        [phoneNumber],
      );
    },

    /** Ops: forget the PIN and unlock; the next dial must set a new one. False when the number is unknown. */
    async resetPin(phoneNumber: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE ussd_profiles SET pin_hash = NULL, pin_failed_attempts = 0, pin_locked_at = NULL, pin_reset_required = true,
           updated_at = now() WHERE phone_number = $1`,
        [phoneNumber],
      );
      // A PIN change under way in an open session must not undo the reset.
      await db.query('UPDATE ussd_sessions SET pending_pin_hash = NULL WHERE phone_number = $1 AND ended_at IS NULL', [
        phoneNumber,
      ]);
      return rowCount === 1;
    },

    async lockedNumbers(): Promise<{ phoneNumber: string; lockedAt: Date; failedAttempts: number }[]> {
      const { rows } = await db.query<{ phone_number: string; pin_locked_at: Date; pin_failed_attempts: number }>(
        'SELECT phone_number, pin_locked_at, pin_failed_attempts FROM ussd_profiles WHERE pin_locked_at IS NOT NULL ORDER BY pin_locked_at DESC',
      );
      return rows.map((r) => ({
        phoneNumber: r.phone_number,
        lockedAt: r.pin_locked_at,
        failedAttempts: r.pin_failed_attempts,
      }));
    },

    /** What the session expects next, which hop said so, whose session it is, and its pending PIN hash. */
    async session(sessionId: string): Promise<HopSession | undefined> {
      const { rows } = await db.query<SessionRow>(`${SESSION_SELECT} WHERE s.session_id = $1`, [sessionId]);
      return rows[0] && sessionOf(rows[0]);
    },

    /**
     * A continuing hop's one round trip before Temporal: counts the hop against the number's rate limit
     * (`bucket`, lib/db/rate-limits.ts) and reads the session, in one statement.
     */
    async hopRead(
      sessionId: string,
      bucket: string,
      windowSeconds: number,
    ): Promise<{ hit: RateLimitHit; session: HopSession | undefined }> {
      const { rows } = await db.query<HitRow & Partial<SessionRow>>(
        `WITH ${hitCte('$2', '$3')}, s AS (${SESSION_SELECT} WHERE s.session_id = $1)
         SELECT hit.*, s.* FROM hit LEFT JOIN s ON true`,
        [sessionId, bucket, windowSeconds],
      );
      const row = rows[0]!;
      return { hit: hitOf(row), session: row.phone_number ? sessionOf(row as SessionRow) : undefined };
    },

    /** What hop `seq` said the next input is; an older hop never overwrites a newer one's word. */
    async setExpectation(
      sessionId: string,
      phoneNumber: string,
      workflowId: string,
      expects: SecretKind | null,
      seq: number,
    ): Promise<void> {
      await db.query(
        `INSERT INTO ussd_sessions (session_id, phone_number, workflow_id, expects_secret, expect_seq) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (session_id) DO UPDATE SET expects_secret = EXCLUDED.expects_secret, expect_seq = EXCLUDED.expect_seq
         WHERE ussd_sessions.expect_seq IS NULL OR ussd_sessions.expect_seq < EXCLUDED.expect_seq`,
        [sessionId, phoneNumber, workflowId, expects, seq],
      );
    },

    async setPendingPin(sessionId: string, pinHash: string | null): Promise<void> {
      await db.query('UPDATE ussd_sessions SET pending_pin_hash = $2 WHERE session_id = $1', [sessionId, pinHash]);
    },

    /** A session ended: no secret pending; a mid-flow state is kept for a redial. */
    async endSession(
      sessionId: string,
      phoneNumber: string,
      workflowId: string,
      resumable: MenuState | null,
    ): Promise<void> {
      await db.query(
        `INSERT INTO ussd_sessions (session_id, phone_number, workflow_id, ended_at, resumable_state) VALUES ($1, $2, $3, now(), $4)
         ON CONFLICT (session_id) DO UPDATE SET ended_at = now(), expects_secret = NULL, pending_pin_hash = NULL,
           resumable_state = $4`,
        [sessionId, phoneNumber, workflowId, resumable === null ? null : JSON.stringify(resumable)],
      );
    },

    /**
     * A new session of the number starts (its first hop): it is recorded, and the number's other sessions
     * still open from the last `withinSeconds` are returned, so a redial can end a dropped one and resume it.
     */
    async openSession(
      sessionId: string,
      phoneNumber: string,
      workflowId: string,
      withinSeconds: number,
    ): Promise<string[]> {
      const { rows } = await db.query<{ workflow_id: string }>(
        `WITH mine AS (
           INSERT INTO ussd_sessions (session_id, phone_number, workflow_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING)
         SELECT workflow_id FROM ussd_sessions
          WHERE phone_number = $2 AND session_id <> $1 AND ended_at IS NULL
            AND created_at > now() - make_interval(secs => $4)`,
        [sessionId, phoneNumber, workflowId, withinSeconds],
      );
      return rows.map((r) => r.workflow_id);
    },

    /** How many of these sessions have not ended yet. */
    async stillOpen(workflowIds: string[]): Promise<number> {
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM ussd_sessions WHERE workflow_id = ANY($1) AND ended_at IS NULL',
        [workflowIds],
      );
      return Number(rows[0]!.n);
    },

    /** The state of the number's session dropped in the last `withinSeconds`, taken once (a second redial gets nothing). */
    async takeResumable(phoneNumber: string, withinSeconds: number): Promise<MenuState | undefined> {
      const { rows } = await db.query<{ resumable_state: MenuState }>(
        `UPDATE ussd_sessions SET resumed_at = now() WHERE session_id = (
           SELECT session_id FROM ussd_sessions WHERE phone_number = $1 AND resumable_state IS NOT NULL AND resumed_at IS NULL
             AND ended_at > now() - make_interval(secs => $2) ORDER BY ended_at DESC LIMIT 1)
         RETURNING resumable_state`,
        [phoneNumber, withinSeconds],
      );
      return rows[0]?.resumable_state;
    },
  };
}

export type UssdRepo = ReturnType<typeof createUssdRepo>;

export type UssdQueries = ReturnType<typeof queriesOn>;

export function createUssdRepo(pool: Pool) {
  return {
    ...queriesOn(pool),

    /**
     * The outcome of a secret hop, computed once per (session, hop) under the session's lock: a
     * redelivered hop gets the first outcome back instead of counting a wrong PIN twice. `compute` runs
     * its queries on the same connection (given as `tx`), so a PIN check holds one connection, not two.
     */
    async secretOutcomeOnce(
      sessionId: string,
      seq: number,
      compute: (tx: UssdQueries) => Promise<SecretOutcome>,
    ): Promise<SecretOutcome> {
      return withTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('ussd-secret:' || $1))", [sessionId]);
        const { rows } = await client.query<{ outcome: SecretOutcome }>(
          'SELECT outcome FROM ussd_secret_outcomes WHERE session_id = $1 AND seq = $2',
          [sessionId, seq],
        );
        if (rows[0]) return rows[0].outcome;
        const outcome = await compute(queriesOn(client));
        await client.query('INSERT INTO ussd_secret_outcomes (session_id, seq, outcome) VALUES ($1, $2, $3)', [
          sessionId,
          seq,
          JSON.stringify(outcome),
        ]);
        return outcome;
      });
    },
  };
}
