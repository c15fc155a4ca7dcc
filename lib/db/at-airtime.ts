/**
 * at_airtime_requests and at_airtime_status_reports: every Africa's Talking airtime send under our reference,
 * and every status callback AT posted (migration 0011). A request's outcome is its own status, or the
 * report naming its requestId when that report came first (a callback can beat our reading of AT's answer).
 */
import type { Pool } from 'pg';

export type AtAirtimeStatus = 'requested' | 'sent' | 'success' | 'failed';

export interface AtAirtimeRequest {
  reference: string;
  requestId: string | null;
  phoneNumber: string;
  operator: string;
  amountMinor: bigint;
  currency: string;
  minorDigits: number;
  status: AtAirtimeStatus;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAtAirtimeRequest {
  reference: string;
  phoneNumber: string;
  operator: string;
  amountMinor: bigint;
  currency: string;
  minorDigits: number;
}

export interface AtStatusReport {
  requestId: string;
  status: 'Success' | 'Failed';
  description?: string;
  phoneNumber?: string;
}

interface Row {
  reference: string;
  request_id: string | null;
  phone_number: string;
  operator: string;
  amount_minor: string;
  currency: string;
  minor_digits: number;
  status: AtAirtimeStatus;
  reason: string | null;
  created_at: Date;
  updated_at: Date;
  reported: 'Success' | 'Failed' | null;
  description: string | null;
}

/** A request joined with the report of its requestId, if any. */
const SELECT = `SELECT r.reference, r.request_id, r.phone_number, r.operator, r.amount_minor::text, r.currency,
    r.minor_digits, r.status, r.reason, r.created_at, r.updated_at, s.status AS reported, s.description
  FROM at_airtime_requests r LEFT JOIN at_airtime_status_reports s ON s.request_id = r.request_id`;

function toRequest(r: Row): AtAirtimeRequest {
  // A report that came before AT's answer was read settles the request all the same.
  const settledByReport = r.status === 'sent' && r.reported !== null;
  return {
    reference: r.reference,
    requestId: r.request_id,
    phoneNumber: r.phone_number,
    operator: r.operator,
    amountMinor: BigInt(r.amount_minor),
    currency: r.currency,
    minorDigits: r.minor_digits,
    status: settledByReport ? (r.reported === 'Success' ? 'success' : 'failed') : r.status,
    reason: settledByReport ? r.description : r.reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function createAtAirtimeRepo(pool: Pool) {
  async function find(reference: string): Promise<AtAirtimeRequest | undefined> {
    const { rows } = await pool.query<Row>(`${SELECT} WHERE r.reference = $1`, [reference]);
    return rows[0] && toRequest(rows[0]);
  }

  return {
    find,

    /** Records a send before it goes out; a reference seen before is returned as it stands. */
    async open(request: NewAtAirtimeRequest): Promise<{ request: AtAirtimeRequest; created: boolean }> {
      const { rowCount } = await pool.query(
        `INSERT INTO at_airtime_requests (reference, phone_number, operator, amount_minor, currency, minor_digits, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'requested')
         ON CONFLICT (reference) DO NOTHING`,
        [
          request.reference,
          request.phoneNumber,
          request.operator,
          request.amountMinor.toString(),
          request.currency,
          request.minorDigits,
        ],
      );
      return { request: (await find(request.reference))!, created: rowCount === 1 };
    },

    /**
     * AT's answer to the send: 'sent' with its requestId, or 'failed' with its message. Only a request still
     * waiting for its answer moves (a replayed answer changes nothing); a report that came first applies.
     */
    async answered(
      reference: string,
      answer: { status: 'sent'; requestId: string } | { status: 'failed'; reason: string },
    ): Promise<AtAirtimeRequest> {
      const requestId = answer.status === 'sent' ? answer.requestId : null;
      await pool.query(
        `UPDATE at_airtime_requests r
            SET request_id = $2,
                status = CASE WHEN $3 = 'failed' THEN 'failed'
                  ELSE COALESCE((SELECT CASE s.status WHEN 'Success' THEN 'success' ELSE 'failed' END
                                   FROM at_airtime_status_reports s WHERE s.request_id = $2), 'sent') END,
                reason = COALESCE($4, (SELECT s.description FROM at_airtime_status_reports s
                                        WHERE s.request_id = $2 AND s.status = 'Failed')),
                updated_at = now()
          WHERE r.reference = $1 AND r.status = 'requested'`,
        [reference, requestId, answer.status, answer.status === 'failed' ? answer.reason : null],
      );
      return (await find(reference))!;
    },

    /**
     * A status callback: kept once per requestId (the first word stands) and applied to the request that
     * has that requestId, if we know it yet. Whether a request of ours has that requestId.
     */
    async report(report: AtStatusReport): Promise<{ known: boolean }> {
      await pool.query(
        `INSERT INTO at_airtime_status_reports (request_id, status, description, phone_number)
         VALUES ($1, $2, $3, $4) ON CONFLICT (request_id) DO NOTHING`,
        [report.requestId, report.status, report.description ?? null, report.phoneNumber ?? null],
      );
      const { rowCount } = await pool.query(
        `UPDATE at_airtime_requests r
            SET status = CASE s.status WHEN 'Success' THEN 'success' ELSE 'failed' END,
                reason = CASE s.status WHEN 'Failed' THEN s.description END,
                updated_at = now()
           FROM at_airtime_status_reports s
          WHERE s.request_id = r.request_id AND r.request_id = $1 AND r.status = 'sent'`,
        [report.requestId],
      );
      if (rowCount) return { known: true };
      const { rowCount: known } = await pool.query('SELECT 1 FROM at_airtime_requests WHERE request_id = $1', [
        report.requestId,
      ]);
      return { known: known === 1 };
    },

    /** Sends of ours to a number in a currency not settled yet (what a validation callback may be about). */
    async unsettledTo(phoneNumber: string, currency: string): Promise<AtAirtimeRequest[]> {
      const { rows } = await pool.query<Row>(
        `${SELECT} WHERE r.phone_number = $1 AND r.currency = $2 AND r.status IN ('requested', 'sent')`,
        [phoneNumber, currency],
      );
      return rows.map(toRequest).filter((r) => r.status === 'requested' || r.status === 'sent');
    },
  };
}

export type AtAirtimeRepo = ReturnType<typeof createAtAirtimeRepo>;
