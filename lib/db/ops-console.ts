/**
 * What the ops console reads and keeps (issue 26): money in flight and what waits for a person, volumes over
 * the last day, the console's sessions (only a token's hash is stored) and the audit of every ops action.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';

/** Conversions (a hybrid's leg counts in its transfer), transfers and swaps, in one shape. */
const MOVEMENTS = `
  SELECT id, 'conversion' AS kind, phone_number AS phone, stage, status::text AS status, usd_micros, created_at
    FROM airtime_transactions WHERE parent_transfer_id IS NULL
  UNION ALL
  SELECT id, 'transfer_' || transfer_type::text, from_phone, stage, status::text, usd_micros, created_at
    FROM p2p_transfers
  UNION ALL
  SELECT id, 'swap', phone_number, stage, status, usd_micros, created_at FROM txtc_swaps`;

/**
 * Stages at which a person's money is out of their hands and not yet where it is going: debited and not
 * minted, paid or refunded (a conversion's debit, a transfer's debit or conversion, a swap's TXTC sent), and
 * every failed refund or return.
 */
const OWED_STAGES = ['debited', 'converted', 'sent', 'refund_failed', 'return_failed'];
/** Stages a person (ops or the payer) must act on; not in flight by themselves. */
const WAITING_STAGES = ['held', 'awaiting_payer', 'refund_failed', 'return_failed'];

export interface MovementRow {
  id: string;
  kind: string;
  phone: string;
  stage: string;
  status: string;
  usdMicros: bigint;
  createdAt: Date;
  owed: boolean;
}

export interface HeldRow {
  id: string;
  kind: string;
  phone: string;
  usdMicros: bigint;
  rules: string;
  reason: string;
  heldAt: Date;
  expiresAt: Date;
}

export interface StageCount {
  kind: string;
  stage: string;
  n: number;
  usdMicros: bigint;
  oldest: Date;
}

export interface HourVolume {
  hour: Date;
  completed: number;
  failed: number;
}

export interface AuditEntry {
  actor: string;
  apiKeyId?: string;
  channel: 'console' | 'api';
  action: string;
  target: string;
  reason: string;
  ok: boolean;
  outcome: string;
}

export interface OpsSession {
  apiKeyId: string;
  actor: string;
  expiresAt: Date;
}

type Row = {
  id: string;
  kind: string;
  phone: string;
  stage: string;
  status: string;
  usd_micros: string;
  created_at: Date;
};
const movementOf = (r: Row): MovementRow => ({
  id: r.id,
  kind: r.kind,
  phone: r.phone,
  stage: r.stage,
  status: r.status,
  usdMicros: BigInt(r.usd_micros),
  createdAt: r.created_at,
  owed: OWED_STAGES.includes(r.stage),
});

export const sessionTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export function createOpsConsoleRepo(pool: Pool) {
  return {
    /** Pending movements and failed refunds by kind and stage, with their sum and oldest. */
    async inFlightByStage(): Promise<StageCount[]> {
      const { rows } = await pool.query<{ kind: string; stage: string; n: string; usd: string; oldest: Date }>(
        `SELECT kind, stage, count(*) AS n, COALESCE(sum(usd_micros), 0)::text AS usd, min(created_at) AS oldest
           FROM (${MOVEMENTS}) m WHERE status = 'pending' OR stage = ANY($1) GROUP BY 1, 2
          ORDER BY min(created_at)`,
        [OWED_STAGES],
      );
      return rows.map((r) => ({
        kind: r.kind,
        stage: r.stage,
        n: Number(r.n),
        usdMicros: BigInt(r.usd),
        oldest: r.oldest,
      }));
    },

    /** The `limit` movements in flight that matter most: money owed first, then the oldest. */
    async inFlight(limit: number): Promise<MovementRow[]> {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM (${MOVEMENTS}) m
          WHERE (status = 'pending' OR stage = ANY($1)) AND stage <> ALL($2)
          ORDER BY (stage = ANY($1)) DESC, created_at LIMIT $3`,
        [OWED_STAGES, WAITING_STAGES.filter((s) => !OWED_STAGES.includes(s)), limit],
      );
      return rows.map(movementOf);
    },

    /** Movements waiting at `stage` (held, awaiting_payer, refund_failed), oldest first. */
    async atStage(stage: string, limit: number): Promise<MovementRow[]> {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM (${MOVEMENTS}) m WHERE stage = $1 ORDER BY created_at LIMIT $2`,
        [stage, limit],
      );
      return rows.map(movementOf);
    },

    /** Movements a fraud rule holds for ops, oldest first (vouchers' redemptions included). */
    async held(limit: number): Promise<HeldRow[]> {
      const { rows } = await pool.query<{
        workflow_id: string;
        kind: string;
        phone_number: string;
        usd_micros: string;
        rules: string;
        reason: string;
        held_at: Date;
        expires_at: Date;
      }>(
        `SELECT workflow_id, kind, phone_number, usd_micros::text, rules, reason, held_at, expires_at
           FROM fraud_holds WHERE decision IS NULL AND expires_at > now() ORDER BY held_at LIMIT $1`,
        [limit],
      );
      return rows.map((r) => ({
        id: r.workflow_id,
        kind: r.kind,
        phone: r.phone_number,
        usdMicros: BigInt(r.usd_micros),
        rules: r.rules,
        reason: r.reason,
        heldAt: r.held_at,
        expiresAt: r.expires_at,
      }));
    },

    /** Completed and failed movements per hour over the last 24 hours (hours with none included). */
    async lastDay(): Promise<HourVolume[]> {
      const { rows } = await pool.query<{ hour: Date; completed: string; failed: string }>(
        `SELECT h.hour, count(m.*) FILTER (WHERE m.status = 'completed') AS completed,
                count(m.*) FILTER (WHERE m.status = 'failed') AS failed
           FROM generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()),
                                interval '1 hour') AS h(hour)
           LEFT JOIN (${MOVEMENTS}) m
             ON m.created_at >= h.hour AND m.created_at < h.hour + interval '1 hour'
                AND m.created_at >= date_trunc('hour', now()) - interval '23 hours'
          GROUP BY 1 ORDER BY 1`,
      );
      return rows.map((r) => ({ hour: r.hour, completed: Number(r.completed), failed: Number(r.failed) }));
    },

    async audit(entry: AuditEntry): Promise<void> {
      await pool.query(
        `INSERT INTO ops_audit (actor, api_key_id, channel, action, target, reason, ok, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          entry.actor,
          entry.apiKeyId ?? null,
          entry.channel,
          entry.action,
          entry.target,
          entry.reason,
          entry.ok,
          entry.outcome,
        ],
      );
    },

    async recentAudit(limit: number, target?: string): Promise<(AuditEntry & { at: Date })[]> {
      const { rows } = await pool.query<Omit<AuditEntry, 'apiKeyId'> & { at: Date; api_key_id: string | null }>(
        `SELECT at, actor, api_key_id, channel, action, target, reason, ok, outcome FROM ops_audit
          WHERE $2::text IS NULL OR target = $2 ORDER BY at DESC, id DESC LIMIT $1`,
        [limit, target ?? null],
      );
      return rows.map((r) => ({ ...r, apiKeyId: r.api_key_id ?? undefined }));
    },

    /** A new console session for a key: only the token's hash is stored. */
    async openSession(token: string, apiKeyId: string, actor: string, hours: number): Promise<Date> {
      const { rows } = await pool.query<{ expires_at: Date }>(
        `INSERT INTO ops_sessions (token_hash, api_key_id, actor, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4)) RETURNING expires_at`,
        [sessionTokenHash(token), apiKeyId, actor, hours],
      );
      return rows[0]!.expires_at;
    },

    /** The live session a cookie's token opens: not expired, not ended, its key not revoked and still ops. */
    async session(token: string): Promise<OpsSession | undefined> {
      const { rows } = await pool.query<{ api_key_id: string; actor: string; expires_at: Date }>(
        `SELECT s.api_key_id, s.actor, s.expires_at FROM ops_sessions s JOIN api_keys k ON k.id = s.api_key_id
          WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now()
            AND k.revoked_at IS NULL AND 'ops' = ANY(k.scopes)`,
        [sessionTokenHash(token)],
      );
      const r = rows[0];
      return r && { apiKeyId: r.api_key_id, actor: r.actor, expiresAt: r.expires_at };
    },

    async endSession(token: string): Promise<void> {
      await pool.query('UPDATE ops_sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL', [
        sessionTokenHash(token),
      ]);
    },
  };
}

export type OpsConsoleRepo = ReturnType<typeof createOpsConsoleRepo>;
