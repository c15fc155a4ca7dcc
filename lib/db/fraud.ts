/**
 * What the fraud rules read and keep in Postgres: the blocklist (numbers and wallets that may neither send
 * nor receive), the counts a verdict needs (read in the transaction that records the movement, under the
 * number's lock, beside the daily sum), and the holds with ops' decisions.
 */
import type { Pool, PoolClient } from 'pg';
import type { FraudFacts, MovementKind } from '../fraud/rules';
import { readRow, type RowOf } from './rows';

export type BlockKind = 'phone' | 'wallet';

export interface BlocklistEntry {
  kind: BlockKind;
  value: string;
  reason: string;
  addedBy: string;
  createdAt: Date;
  removedBy: string | null;
  removedAt: Date | null;
}

type BlocklistRow = RowOf<BlocklistEntry>;

const BLOCKLIST_COLUMNS = 'kind, value, reason, added_by, created_at, removed_by, removed_at';

/** The parties of one movement, as the rules look at them. */
export interface FraudSubject {
  id: string;
  kind: MovementKind;
  usdMicros: bigint;
  fromPhone: string;
  /** transfers: the receiving number */
  toPhone?: string;
  velocityWindowMinutes: number;
}

/**
 * The facts of one movement's verdict in one statement, inside the transaction that records it (the number
 * is locked, so concurrent requests of one number each see the others). Movements that failed do not count.
 */
export async function fraudFacts(client: PoolClient, s: FraudSubject): Promise<FraudFacts> {
  const phones = s.toPhone ? [s.fromPhone, s.toPhone] : [s.fromPhone];
  // Wallets matter where TXTC moves: a conversion mints to its number's, a TXTC or hybrid transfer sends between two.
  const walletPhones = s.kind === 'airtime' ? [] : phones;
  const { rows } = await client.query<{
    recent: string;
    receivers: string;
    senders: string;
    known: boolean;
    pin_locked: boolean;
    blocked: { kind: BlockKind; phone: string }[];
  }>(
    `SELECT
       (SELECT count(*) FROM (
          SELECT 1 FROM airtime_transactions c WHERE c.phone_number = $1 AND c.id <> $2 AND c.parent_transfer_id IS NULL
            AND c.status <> 'failed' AND c.created_at > now() - make_interval(mins => $4::int)
          UNION ALL
          SELECT 1 FROM p2p_transfers t WHERE t.from_phone = $1 AND t.id <> $2
            AND t.status <> 'failed' AND t.created_at > now() - make_interval(mins => $4::int)
          UNION ALL
          SELECT 1 FROM txtc_swaps w WHERE w.phone_number = $1 AND w.id <> $2
            AND w.status <> 'failed' AND w.created_at > now() - make_interval(mins => $4::int)) m) AS recent,
       (SELECT count(DISTINCT r) FROM (
          SELECT t.to_phone AS r FROM p2p_transfers t WHERE t.from_phone = $1 AND t.id <> $2
            AND t.status <> 'failed' AND t.created_at > now() - interval '1 hour'
          UNION SELECT $3::text WHERE $3::text IS NOT NULL) rs) AS receivers,
       (SELECT count(DISTINCT f) FROM (
          SELECT t.from_phone AS f FROM p2p_transfers t WHERE t.to_phone = $3::text AND t.id <> $2
            AND t.status <> 'failed' AND t.created_at > now() - interval '1 hour'
          UNION SELECT $1 WHERE $3::text IS NOT NULL) fs) AS senders,
       (EXISTS (SELECT 1 FROM airtime_transactions c WHERE c.phone_number = $1 AND c.status = 'completed')
        OR EXISTS (SELECT 1 FROM p2p_transfers t WHERE t.from_phone = $1 AND t.status = 'completed')
        OR EXISTS (SELECT 1 FROM txtc_swaps w WHERE w.phone_number = $1 AND w.status = 'completed')) AS known,
       EXISTS (SELECT 1 FROM ussd_profiles p WHERE p.phone_number = $1 AND p.pin_locked_at IS NOT NULL) AS pin_locked,
       (SELECT COALESCE(json_agg(x), '[]'::json) FROM (
          SELECT 'phone' AS kind, b.value AS phone FROM fraud_blocklist b
           WHERE b.removed_at IS NULL AND b.kind = 'phone' AND b.value = ANY($5::text[])
          UNION ALL
          SELECT 'wallet', w.phone_number FROM wallets w
            JOIN fraud_blocklist b ON b.removed_at IS NULL AND b.kind = 'wallet' AND b.value = lower(w.address)
           WHERE w.phone_number = ANY($6::text[])) x) AS blocked`,
    [s.fromPhone, s.id, s.toPhone ?? null, s.velocityWindowMinutes, phones, walletPhones],
  );
  const r = rows[0]!;
  const blocked = r.blocked
    .map((b) => ({ party: b.phone === s.fromPhone ? ('sender' as const) : ('receiver' as const), kind: b.kind }))
    .sort((a, b) => (a.party === b.party ? 0 : a.party === 'sender' ? -1 : 1));
  return {
    kind: s.kind,
    usdMicros: s.usdMicros,
    blocked,
    recentMovements: Number(r.recent),
    receiversThisHour: Number(r.receivers),
    sendersToReceiverThisHour: Number(r.senders),
    knownNumber: r.known,
    pinLocked: r.pin_locked,
  };
}

/**
 * The rule every channel asks before a number's money moves outside the transfer and conversion screens (a
 * SWAP pays, a voucher redemption receives): a listed number or wallet neither pays nor receives, and a
 * locked PIN stops paying. The same facts the fraud screen reads, so one place decides for every door.
 */
export async function moneyGate(
  db: Pool | PoolClient,
  phoneNumber: string,
  role: 'pay' | 'receive',
): Promise<{ type: 'NumberBlocked' | 'PinLocked'; message: string } | undefined> {
  const { rows } = await db.query<{ blocked: boolean; pin_locked: boolean }>(
    `SELECT
       EXISTS (SELECT 1 FROM fraud_blocklist b WHERE b.removed_at IS NULL AND b.kind = 'phone' AND b.value = $1)
       OR EXISTS (SELECT 1 FROM wallets w JOIN fraud_blocklist b
                    ON b.removed_at IS NULL AND b.kind = 'wallet' AND b.value = lower(w.address)
                  WHERE w.phone_number = $1) AS blocked,
       EXISTS (SELECT 1 FROM ussd_profiles p WHERE p.phone_number = $1 AND p.pin_locked_at IS NOT NULL) AS pin_locked`,
    [phoneNumber],
  );
  const r = rows[0]!;
  if (r.blocked)
    return {
      type: 'NumberBlocked',
      message: role === 'pay' ? 'this number may not move money' : 'this number may not receive money',
    };
  if (role === 'pay' && r.pin_locked)
    return {
      type: 'PinLocked',
      message: 'this number is locked after too many wrong PINs; reset the PIN to move money',
    };
  return undefined;
}

export function createBlocklistRepo(pool: Pool) {
  return {
    /** Lists a number or wallet; one already listed stays as it was (`added: false`). */
    async add(
      entry: Pick<BlocklistEntry, 'kind' | 'value' | 'reason' | 'addedBy'>,
    ): Promise<{ entry: BlocklistEntry; added: boolean }> {
      const inserted = await pool.query<BlocklistRow>(
        `INSERT INTO fraud_blocklist (kind, value, reason, added_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, value) WHERE removed_at IS NULL DO NOTHING
         RETURNING ${BLOCKLIST_COLUMNS}`,
        [entry.kind, entry.value, entry.reason, entry.addedBy],
      );
      if (inserted.rows[0]) return { entry: readRow(inserted.rows[0]), added: true };
      const { rows } = await pool.query<BlocklistRow>(
        `SELECT ${BLOCKLIST_COLUMNS} FROM fraud_blocklist WHERE kind = $1 AND value = $2 AND removed_at IS NULL`,
        [entry.kind, entry.value],
      );
      return { entry: readRow(rows[0]!), added: false };
    },

    /** Takes a live entry off the list (kept, with who removed it); undefined when none is live. */
    async remove(kind: BlockKind, value: string, removedBy: string): Promise<BlocklistEntry | undefined> {
      const { rows } = await pool.query<BlocklistRow>(
        `UPDATE fraud_blocklist SET removed_at = now(), removed_by = $3
         WHERE kind = $1 AND value = $2 AND removed_at IS NULL RETURNING ${BLOCKLIST_COLUMNS}`,
        [kind, value, removedBy],
      );
      return rows[0] && readRow(rows[0]);
    },

    /** Live entries, newest first. */
    async list(): Promise<BlocklistEntry[]> {
      const { rows } = await pool.query<BlocklistRow>(
        `SELECT ${BLOCKLIST_COLUMNS} FROM fraud_blocklist WHERE removed_at IS NULL ORDER BY created_at DESC, id DESC`,
      );
      return rows.map((r) => readRow(r));
    },
  };
}

export type BlocklistRepo = ReturnType<typeof createBlocklistRepo>;

export interface HoldRecord {
  workflowId: string;
  kind: string;
  rules: string;
  reason: string;
  heldAt: Date;
  expiresAt: Date;
  decision: 'approved' | 'rejected' | 'expired' | 'cancelled' | null;
  decidedBy: string | null;
  decisionReason: string | null;
  decidedAt: Date | null;
}

export function createHoldRepo(pool: Pool) {
  return {
    /** Records a hold (a repeat for the same workflow changes nothing). */
    async hold(h: {
      workflowId: string;
      kind: string;
      phoneNumber: string;
      usdMicros: string;
      rules: string;
      reason: string;
      timeoutSeconds: number;
    }): Promise<void> {
      await pool.query(
        `INSERT INTO fraud_holds (workflow_id, kind, phone_number, usd_micros, rules, reason, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::int))
         ON CONFLICT (workflow_id) DO NOTHING`,
        [h.workflowId, h.kind, h.phoneNumber, h.usdMicros, h.rules, h.reason, h.timeoutSeconds],
      );
    },

    /** Records the decision; the first one stands (a retried activity changes nothing). */
    async decide(d: {
      workflowId: string;
      decision: NonNullable<HoldRecord['decision']>;
      decidedBy: string;
      reason: string;
    }): Promise<void> {
      await pool.query(
        `UPDATE fraud_holds SET decision = $2, decided_by = $3, decision_reason = $4, decided_at = now()
         WHERE workflow_id = $1 AND decision IS NULL`,
        [d.workflowId, d.decision, d.decidedBy, d.reason],
      );
    },

    async get(workflowId: string): Promise<HoldRecord | undefined> {
      const { rows } = await pool.query<{
        workflow_id: string;
        kind: string;
        rules: string;
        reason: string;
        held_at: Date;
        expires_at: Date;
        decision: HoldRecord['decision'];
        decided_by: string | null;
        decision_reason: string | null;
        decided_at: Date | null;
      }>(
        `SELECT workflow_id, kind, rules, reason, held_at, expires_at, decision, decided_by, decision_reason, decided_at
         FROM fraud_holds WHERE workflow_id = $1`,
        [workflowId],
      );
      const r = rows[0];
      return (
        r && {
          workflowId: r.workflow_id,
          kind: r.kind,
          rules: r.rules,
          reason: r.reason,
          heldAt: r.held_at,
          expiresAt: r.expires_at,
          decision: r.decision,
          decidedBy: r.decided_by,
          decisionReason: r.decision_reason,
          decidedAt: r.decided_at,
        }
      );
    },
  };
}

export type HoldRepo = ReturnType<typeof createHoldRepo>;
