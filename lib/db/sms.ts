/**
 * sms_messages: every SMS received (once per gateway message id) and every part sent (once per reference),
 * and the delivery reports that move an outbound part's status on.
 */
import type { Pool } from 'pg';

export type SmsDirection = 'in' | 'out';

export interface SmsMessage {
  id: string;
  direction: SmsDirection;
  phoneNumber: string;
  /** in: the gateway's message id; out: the provider's message id */
  gatewayMessageId: string | null;
  /** out: our reference for the part */
  reference: string | null;
  shortCode: string | null;
  text: string;
  part: number | null;
  parts: number | null;
  status: string;
  failureReason: string | null;
  networkCode: string | null;
  linkId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface InboundSms {
  messageId: string;
  phoneNumber: string;
  /** our shortcode, as the gateway's `to` */
  to?: string;
  /** as it may be kept: a PIN already redacted */
  text: string;
  linkId?: string;
  networkCode?: string;
}

export interface OutboundSmsPart {
  phoneNumber: string;
  reference: string;
  text: string;
  part: number;
  parts: number;
  providerMessageId: string;
  status: string;
}

export interface DeliveryReport {
  providerMessageId: string;
  status: string;
  failureReason?: string;
  networkCode?: string;
}

/** Statuses a provider sends last; a late report of an earlier stage ('Sent', 'Buffered') does not undo them. */
export const FINAL_SMS_STATUSES = ['Success', 'Failed', 'Rejected', 'Expired', 'AbsentSubscriber'];

const COLUMNS = `id::text, direction, phone_number, gateway_message_id, reference, short_code, text, part, parts,
  status, failure_reason, network_code, link_id, created_at, updated_at`;

interface Row {
  id: string;
  direction: SmsDirection;
  phone_number: string;
  gateway_message_id: string | null;
  reference: string | null;
  short_code: string | null;
  text: string;
  part: number | null;
  parts: number | null;
  status: string;
  failure_reason: string | null;
  network_code: string | null;
  link_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const toMessage = (r: Row): SmsMessage => ({
  id: r.id,
  direction: r.direction,
  phoneNumber: r.phone_number,
  gatewayMessageId: r.gateway_message_id,
  reference: r.reference,
  shortCode: r.short_code,
  text: r.text,
  part: r.part,
  parts: r.parts,
  status: r.status,
  failureReason: r.failure_reason,
  networkCode: r.network_code,
  linkId: r.link_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function createSmsRepo(pool: Pool) {
  return {
    /** Stores an inbound message once per gateway id; true when it was new. */
    async recordInbound(m: InboundSms): Promise<boolean> {
      const { rowCount } = await pool.query(
        `INSERT INTO sms_messages
           (direction, phone_number, gateway_message_id, short_code, text, status, link_id, network_code)
         VALUES ('in', $1, $2, $3, $4, 'received', $5, $6)
         ON CONFLICT (gateway_message_id) WHERE direction = 'in' DO NOTHING`,
        [m.phoneNumber, m.messageId, m.to ?? null, m.text, m.linkId ?? null, m.networkCode ?? null],
      );
      return rowCount === 1;
    },

    /** Stores a part that was sent, once per reference; true when it was new. */
    async recordOutbound(m: OutboundSmsPart): Promise<boolean> {
      const { rowCount } = await pool.query(
        `INSERT INTO sms_messages (direction, phone_number, gateway_message_id, reference, text, part, parts, status)
         VALUES ('out', $1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (reference) DO NOTHING`,
        [m.phoneNumber, m.providerMessageId, m.reference, m.text, m.part, m.parts, m.status],
      );
      return rowCount === 1;
    },

    /** Which of these references were sent and recorded already. */
    async recordedReferences(references: string[]): Promise<Set<string>> {
      const { rows } = await pool.query<{ reference: string }>(
        'SELECT reference FROM sms_messages WHERE reference = ANY($1::text[])',
        [references],
      );
      return new Set(rows.map((r) => r.reference));
    },

    /**
     * A provider's delivery report on a part we sent; false when no part has that provider id. A report of
     * an earlier stage arriving after a final one keeps the final status.
     */
    async applyDeliveryReport(r: DeliveryReport): Promise<boolean> {
      const keepFinal = 'status = ANY($5::text[]) AND NOT $2::text = ANY($5::text[])';
      const { rowCount } = await pool.query(
        `UPDATE sms_messages
         SET status = CASE WHEN ${keepFinal} THEN status ELSE $2::text END,
             failure_reason = CASE WHEN ${keepFinal} THEN failure_reason ELSE $3::text END,
             network_code = COALESCE($4::text, network_code),
             updated_at = now()
         WHERE direction = 'out' AND gateway_message_id = $1`,
        [r.providerMessageId, r.status, r.failureReason ?? null, r.networkCode ?? null, FINAL_SMS_STATUSES],
      );
      return (rowCount ?? 0) > 0;
    },

    /** A number's messages both ways, oldest first. */
    async messages(phoneNumber: string): Promise<SmsMessage[]> {
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM sms_messages WHERE phone_number = $1 ORDER BY id`,
        [phoneNumber],
      );
      return rows.map(toMessage);
    },

    async inbound(messageId: string): Promise<SmsMessage | undefined> {
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM sms_messages WHERE direction = 'in' AND gateway_message_id = $1`,
        [messageId],
      );
      return rows[0] && toMessage(rows[0]);
    },

    async outbound(reference: string): Promise<SmsMessage | undefined> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM sms_messages WHERE reference = $1`, [reference]);
      return rows[0] && toMessage(rows[0]);
    },
  };
}

export type SmsRepo = ReturnType<typeof createSmsRepo>;
