/** USSD tables: registered numbers (ussd_profiles), sessions (ussd_sessions) and secret hops' outcomes. */
import type { Pool } from 'pg';
import type { Language, MenuState, SecretKind, SecretOutcome } from '../ussd/types';
import { hitCte, hitOf, type HitRow, type RateLimitHit } from './rate-limits';
import { readRow, type RowOf } from './rows';
import { SECRET_COLUMNS, secretWriteSql, type SecretRow, type SecretState, type SecretWrite } from './ussd-secrets';
import { waitingConsentSql } from './sms-confirmations';

export type { SecretState, SecretWrite } from './ussd-secrets';

/** A session as every hop reads it: whose it is, what it expects next (and since which hop), the number's language. */
export interface HopSession {
  phoneNumber: string;
  expectsSecret: SecretKind | null;
  expectSeq: number | null;
  /** the number's language, for the screens the API answers itself (same round trip) */
  language: Language | null;
  /** for a secret hop, read in the same round trip (the number's PIN hash only when a PIN is expected) */
  secret: SecretState;
}

type SessionRow = RowOf<Omit<HopSession, 'secret'>> & SecretRow;

/** A session read by hop `$2`: its row, its number's profile, the hop's outcome if a delivery of it was answered. */
const SESSION_SELECT = `SELECT s.phone_number, s.expects_secret, s.expect_seq, p.language,
    ${SECRET_COLUMNS("CASE WHEN s.expects_secret = 'pin' THEN p.pin_hash END")}
  FROM ussd_sessions s LEFT JOIN ussd_profiles p ON p.phone_number = s.phone_number
    LEFT JOIN ussd_secret_outcomes o ON o.session_id = s.session_id AND o.seq = $2`;

function sessionOf(row: SessionRow): HopSession {
  const { phoneNumber, expectsSecret, expectSeq, language, ...secret } = readRow(row);
  return { phoneNumber, expectsSecret, expectSeq, language, secret };
}

/** What a dial (a session's first hop) reads in its one statement; see `openDial`. */
export interface DialRead {
  /** the dial counted against the number's rate limit (none when the limit is off) */
  hit?: RateLimitHit;
  /** the number's other sessions still open (dropped ones the gateway never ended) */
  others: string[];
  /** the state of the number's session dropped within the resume window, taken (only when `others` is empty) */
  resumable?: MenuState;
  profile?: UssdProfileRow;
  /** a payer's consent wait of this number, with what it asks (as lib/db/sms-confirmations' waitingConsent) */
  consent?: { workflowId: string; action: string };
}

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

type ProfileRow = RowOf<UssdProfileRow>;

export function createUssdRepo(pool: Pool) {
  return {
    /** A number's registration. */
    async profile(phoneNumber: string): Promise<UssdProfileRow | undefined> {
      const { rows } = await pool.query<ProfileRow>(
        `SELECT ${PROFILE_COLUMNS} FROM ussd_profiles WHERE phone_number = $1`,
        [phoneNumber],
      );
      return rows[0] && readRow(rows[0]);
    },

    async saveLanguage(phoneNumber: string, language: Language): Promise<void> {
      await pool.query(
        `INSERT INTO ussd_profiles (phone_number, language) VALUES ($1, $2)
         ON CONFLICT (phone_number) DO UPDATE SET language = $2, updated_at = now()`,
        [phoneNumber, language],
      );
    },

    /** Language chosen, terms accepted and a PIN set: registered (the PIN was stored by setPin). */
    async completeRegistration(phoneNumber: string, language: Language): Promise<void> {
      await pool.query(
        `INSERT INTO ussd_profiles (phone_number, language, terms_accepted_at, registered_at) VALUES ($1, $2, now(), now())
         ON CONFLICT (phone_number) DO UPDATE SET language = $2,
           terms_accepted_at = COALESCE(ussd_profiles.terms_accepted_at, now()),
           registered_at = COALESCE(ussd_profiles.registered_at, now()), updated_at = now()`,
        [phoneNumber, language],
      );
    },

    /** A new PIN's hash: clears failures, a lock and a required reset. */
    async setPin(phoneNumber: string, pinHash: string): Promise<void> {
      await pool.query(
        `INSERT INTO ussd_profiles (phone_number, pin_hash) VALUES ($1, $2)
         ON CONFLICT (phone_number) DO UPDATE SET pin_hash = $2, pin_failed_attempts = 0, pin_locked_at = NULL,
           pin_reset_required = false, updated_at = now()`,
        [phoneNumber, pinHash],
      );
    },

    /** Ops: forget the PIN and unlock; the next dial must set a new one. False when the number is unknown. */
    async resetPin(phoneNumber: string): Promise<boolean> {
      const { rowCount } = await pool.query(
        `UPDATE ussd_profiles SET pin_hash = NULL, pin_failed_attempts = 0, pin_locked_at = NULL, pin_reset_required = true,
           updated_at = now() WHERE phone_number = $1`,
        [phoneNumber],
      );
      // A PIN change under way in an open session must not undo the reset.
      await pool.query(
        'UPDATE ussd_sessions SET pending_pin_hash = NULL WHERE phone_number = $1 AND ended_at IS NULL',
        [phoneNumber],
      );
      return rowCount === 1;
    },

    async lockedNumbers(): Promise<{ phoneNumber: string; lockedAt: Date; failedAttempts: number }[]> {
      const { rows } = await pool.query<{ phone_number: string; pin_locked_at: Date; pin_failed_attempts: number }>(
        'SELECT phone_number, pin_locked_at, pin_failed_attempts FROM ussd_profiles WHERE pin_locked_at IS NOT NULL ORDER BY pin_locked_at DESC',
      );
      return rows.map((r) => ({
        phoneNumber: r.phone_number,
        lockedAt: r.pin_locked_at,
        failedAttempts: r.pin_failed_attempts,
      }));
    },

    /**
     * A continuing hop's one round trip before Temporal: counts the hop against the number's rate limit
     * (`limit`, lib/db/rate-limits.ts; none when the limit is off) and reads the session as hop `seq` needs it
     * (with a secret hop's state), in one statement.
     */
    async hopRead(
      sessionId: string,
      seq: number,
      limit?: { bucket: string; windowSeconds: number },
    ): Promise<{ hit?: RateLimitHit; session?: HopSession }> {
      const { rows } = await pool.query<Partial<HitRow> & Partial<SessionRow>>(
        limit
          ? `WITH ${hitCte('$3', '$4')}, s AS (${SESSION_SELECT} WHERE s.session_id = $1)
             SELECT hit.*, s.* FROM hit LEFT JOIN s ON true`
          : `${SESSION_SELECT} WHERE s.session_id = $1`,
        limit ? [sessionId, seq, limit.bucket, limit.windowSeconds] : [sessionId, seq],
      );
      const { hits, window_start, retry_after, ...session } = rows[0] ?? {};
      return {
        ...(hits !== undefined ? { hit: hitOf({ hits, window_start, retry_after } as HitRow) } : {}),
        ...(session.phone_number ? { session: sessionOf(session as SessionRow) } : {}),
      };
    },

    /**
     * A secret hop's state when no hop read brought it (an SMS YES <pin>, or a check again after another
     * changed it): hop (`sessionId`, `seq`)'s outcome if recorded, `phoneNumber`'s PIN, the session's pending PIN.
     */
    async secretState(sessionId: string, seq: number, phoneNumber: string): Promise<SecretState> {
      const { rows } = await pool.query<SecretRow>(
        `SELECT ${SECRET_COLUMNS('p.pin_hash')}
         FROM (SELECT 1) one LEFT JOIN ussd_profiles p ON p.phone_number = $3
           LEFT JOIN ussd_sessions s ON s.session_id = $1
           LEFT JOIN ussd_secret_outcomes o ON o.session_id = $1 AND o.seq = $2`,
        [sessionId, seq, phoneNumber],
      );
      return readRow(rows[0]!);
    },

    /**
     * Records secret hop (`sessionId`, `seq`)'s outcome with its change, in one statement, if the state it was
     * computed from still holds (checked under the row's lock) and no delivery of the hop recorded one first.
     * False when it did not: read the state again (lib/pins.ts).
     */
    async recordSecret(
      sessionId: string,
      seq: number,
      phoneNumber: string,
      outcome: SecretOutcome,
      write: SecretWrite,
    ): Promise<boolean> {
      const { sql, params } = secretWriteSql(write, phoneNumber);
      const { rows } = await pool.query<{ recorded: number }>(sql, [
        sessionId,
        seq,
        JSON.stringify(outcome),
        ...params,
      ]);
      return rows[0]!.recorded === 1;
    },

    /** What hop `seq` said the next input is; an older hop never overwrites a newer one's word. */
    async setExpectation(
      sessionId: string,
      phoneNumber: string,
      workflowId: string,
      expects: SecretKind | null,
      seq: number,
    ): Promise<void> {
      await pool.query(
        `INSERT INTO ussd_sessions (session_id, phone_number, workflow_id, expects_secret, expect_seq) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (session_id) DO UPDATE SET expects_secret = EXCLUDED.expects_secret, expect_seq = EXCLUDED.expect_seq
         WHERE ussd_sessions.expect_seq IS NULL OR ussd_sessions.expect_seq < EXCLUDED.expect_seq`,
        [sessionId, phoneNumber, workflowId, expects, seq],
      );
    },

    /** A session ended: no secret pending; a mid-flow state is kept for a redial. */
    async endSession(
      sessionId: string,
      phoneNumber: string,
      workflowId: string,
      resumable: MenuState | null,
    ): Promise<void> {
      await pool.query(
        `INSERT INTO ussd_sessions (session_id, phone_number, workflow_id, ended_at, resumable_state) VALUES ($1, $2, $3, now(), $4)
         ON CONFLICT (session_id) DO UPDATE SET ended_at = now(), expects_secret = NULL, pending_pin_hash = NULL,
           resumable_state = $4`,
        [sessionId, phoneNumber, workflowId, resumable === null ? null : JSON.stringify(resumable)],
      );
    },

    /**
     * A dial (a session's first hop) in one statement: counts it against the number's rate limit (`limit`; none
     * when the limit is off) and, only when it is within the limit, records the session, lists the number's
     * other sessions still open from the last `openWithinSeconds`, takes the state of its session dropped within
     * `resumeWindowSeconds` (once: a second redial gets nothing; not while another is open, since that one writes
     * its state as it ends) and reads the profile and a consent wait. Over the limit nothing changes or is read.
     */
    async openDial(input: {
      sessionId: string;
      phoneNumber: string;
      workflowId: string;
      openWithinSeconds: number;
      resumeWindowSeconds: number;
      limit?: { bucket: string; windowSeconds: number; max: number };
    }): Promise<DialRead> {
      const { limit } = input;
      const go = limit
        ? `${hitCte('$6', '$7')},
           go AS (SELECT 1 FROM hit WHERE hit.hits <= $8)`
        : 'go AS (SELECT 1)';
      const { rows } = await pool.query<
        Partial<HitRow> & {
          others: string[];
          resumable_state: MenuState | null;
          consent_workflow_id: string | null;
          consent_action: string | null;
        } & Partial<ProfileRow>
      >(
        `WITH ${go},
         mine AS (
           INSERT INTO ussd_sessions (session_id, phone_number, workflow_id) SELECT $1::text, $2::text, $3::text FROM go
           ON CONFLICT DO NOTHING),
         others AS MATERIALIZED (
           SELECT workflow_id FROM ussd_sessions
            WHERE phone_number = $2 AND session_id <> $1 AND ended_at IS NULL
              AND created_at > now() - make_interval(secs => $4) AND EXISTS (SELECT 1 FROM go)),
         taken AS (
           UPDATE ussd_sessions SET resumed_at = now() WHERE session_id = (
             SELECT session_id FROM ussd_sessions WHERE phone_number = $2 AND resumable_state IS NOT NULL
               AND resumed_at IS NULL AND ended_at > now() - make_interval(secs => $5) ORDER BY ended_at DESC LIMIT 1)
             AND EXISTS (SELECT 1 FROM go) AND NOT EXISTS (SELECT 1 FROM others)
           RETURNING resumable_state),
         profile AS (SELECT ${PROFILE_COLUMNS} FROM ussd_profiles WHERE phone_number = $2 AND EXISTS (SELECT 1 FROM go)),
         consent AS (SELECT workflow_id AS consent_workflow_id, action AS consent_action
           FROM (${waitingConsentSql('$2', 'AND EXISTS (SELECT 1 FROM go)')}) c)
         SELECT ${limit ? 'hit.*, ' : ''}ARRAY(SELECT workflow_id FROM others) AS others,
           (SELECT resumable_state FROM taken) AS resumable_state, consent.*, profile.*
         FROM (SELECT 1) one${limit ? ' LEFT JOIN hit ON true' : ''}
           LEFT JOIN consent ON true LEFT JOIN profile ON true`,
        [
          input.sessionId,
          input.phoneNumber,
          input.workflowId,
          input.openWithinSeconds,
          input.resumeWindowSeconds,
          ...(limit ? [limit.bucket, limit.windowSeconds, limit.max] : []),
        ],
      );
      const {
        hits,
        window_start,
        retry_after,
        others,
        resumable_state,
        consent_workflow_id,
        consent_action,
        ...profile
      } = rows[0]!;
      return {
        ...(hits !== undefined ? { hit: hitOf({ hits, window_start, retry_after } as HitRow) } : {}),
        others,
        ...(resumable_state ? { resumable: resumable_state } : {}),
        ...(profile.phone_number ? { profile: readRow(profile as ProfileRow) } : {}),
        ...(consent_workflow_id && consent_action
          ? { consent: { workflowId: consent_workflow_id, action: consent_action } }
          : {}),
      };
    },

    /** How many of these sessions have not ended yet. */
    async stillOpen(workflowIds: string[]): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM ussd_sessions WHERE workflow_id = ANY($1) AND ended_at IS NULL',
        [workflowIds],
      );
      return Number(rows[0]!.n);
    },

    /** The state of the number's session dropped in the last `withinSeconds`, taken once (a second redial gets nothing). */
    async takeResumable(phoneNumber: string, withinSeconds: number): Promise<MenuState | undefined> {
      const { rows } = await pool.query<{ resumable_state: MenuState }>(
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
