/**
 * The sms_confirmations table: a large SMS request waiting for YES <pin> (or NO) from its number. A YES
 * answers the newest open request of that number; a request closes once, with how it ended.
 */
import type { Pool } from 'pg';
import { withTransaction } from './pool';

export type ConfirmationOutcome = 'confirmed' | 'declined' | 'expired' | 'locked';

/**
 * The number's newest consent wait still open, with what it asks (the one a YES or NO answers): `phone` is the
 * number's parameter, `and` more conditions (the USSD dial reads it within its one statement).
 */
export function waitingConsentSql(phone: string, and = ''): string {
  return `SELECT workflow_id, action FROM sms_confirmations
    WHERE phone_number = ${phone} AND closed_at IS NULL AND expires_at > now() AND action IS NOT NULL ${and}
    ORDER BY created_at DESC LIMIT 1`;
}

export function createSmsConfirmationRepo(pool: Pool) {
  return {
    /** Opens (or, for a retried activity, keeps) the request's wait; it lapses at `expiresAt`. */
    async open(workflowId: string, phoneNumber: string, expiresAt: Date): Promise<void> {
      await pool.query(
        `INSERT INTO sms_confirmations (workflow_id, phone_number, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (workflow_id) DO NOTHING`,
        [workflowId, phoneNumber, expiresAt],
      );
    },

    /**
     * Opens a payer's consent wait only when no other request of the number waits for a YES: a YES answers
     * the newest open request, so a second one (another tenant's, say) must never be the one a YES approves.
     * True when this workflow's wait is open (again, for a retried activity).
     */
    async openAlone(workflowId: string, phoneNumber: string, expiresAt: Date, action?: string): Promise<boolean> {
      return withTransaction(pool, async (client) => {
        // One number's opens in turn: each then sees the others' (a new statement, a new snapshot).
        await client.query("SELECT pg_advisory_xact_lock(hashtext('sms-confirmation:' || $1))", [phoneNumber]);
        const { rows } = await client.query<{ workflow_id: string }>(
          `SELECT workflow_id FROM sms_confirmations
           WHERE phone_number = $1 AND closed_at IS NULL AND expires_at > now()`,
          [phoneNumber],
        );
        if (rows.some((r) => r.workflow_id === workflowId)) return true;
        if (rows.length > 0) return false;
        await client.query(
          `INSERT INTO sms_confirmations (workflow_id, phone_number, expires_at, action) VALUES ($1, $2, $3, $4)
           ON CONFLICT (workflow_id) DO NOTHING`,
          [workflowId, phoneNumber, expiresAt, action ?? null],
        );
        return true;
      });
    },

    async close(workflowId: string, outcome: ConfirmationOutcome): Promise<void> {
      await pool.query(
        'UPDATE sms_confirmations SET closed_at = now(), outcome = $2 WHERE workflow_id = $1 AND closed_at IS NULL',
        [workflowId, outcome],
      );
    },

    /** The workflow waiting for this number's answer: its newest open, unexpired request. */
    async waiting(phoneNumber: string): Promise<string | undefined> {
      const { rows } = await pool.query<{ workflow_id: string }>(
        `SELECT workflow_id FROM sms_confirmations
         WHERE phone_number = $1 AND closed_at IS NULL AND expires_at > now()
         ORDER BY created_at DESC LIMIT 1`,
        [phoneNumber],
      );
      return rows[0]?.workflow_id;
    },

    /** A payer's consent wait of this number, with what it asks (offered first when the payer dials USSD). */
    async waitingConsent(phoneNumber: string): Promise<{ workflowId: string; action: string } | undefined> {
      const { rows } = await pool.query<{ workflow_id: string; action: string }>(waitingConsentSql('$1'), [
        phoneNumber,
      ]);
      const row = rows[0];
      return row ? { workflowId: row.workflow_id, action: row.action } : undefined;
    },
  };
}

export type SmsConfirmationRepo = ReturnType<typeof createSmsConfirmationRepo>;
