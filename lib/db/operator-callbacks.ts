/**
 * operator_callbacks (migration 0013): what MTN MoMo and Airtel Money posted about a payment's final state.
 * Written by the API's callback routes, read by the adapter waiting for that payment: a callback it has not
 * seen yet makes it ask the operator's status now. Never a settlement by itself (see the migration).
 */
import type { Pool } from 'pg';

export type CallbackOperator = 'momo' | 'airtel';
/** '' when the callback does not say (Airtel) */
export type CallbackProduct = 'collection' | 'disbursement' | '';

export interface OperatorCallback {
  operator: CallbackOperator;
  product: CallbackProduct;
  referenceId: string;
  status: string;
  reason?: string;
  /** the callback's known fields only */
  raw: Record<string, unknown>;
}

export interface StoredOperatorCallback extends Required<Omit<OperatorCallback, 'reason'>> {
  id: bigint;
  reason: string | null;
  receivedAt: Date;
}

/** What an adapter asks while it waits: the newest callback naming its payment (0n: none). */
export interface CallbackInbox {
  latest(operator: CallbackOperator, referenceId: string, product: CallbackProduct): Promise<bigint>;
}

interface Row {
  id: string;
  operator: CallbackOperator;
  product: CallbackProduct;
  reference_id: string;
  status: string;
  reason: string | null;
  raw: Record<string, unknown>;
  received_at: Date;
}

export function createOperatorCallbackRepo(pool: Pool) {
  return {
    /** Keeps a callback; the same word about the same payment again is a duplicate and adds nothing. */
    async record(callback: OperatorCallback): Promise<{ created: boolean }> {
      const { rowCount } = await pool.query(
        `INSERT INTO operator_callbacks (operator, product, reference_id, status, reason, raw)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (operator, reference_id, product, status) DO NOTHING`,
        [
          callback.operator,
          callback.product,
          callback.referenceId,
          callback.status,
          callback.reason ?? null,
          JSON.stringify(callback.raw),
        ],
      );
      return { created: rowCount === 1 };
    },

    /** A callback that does not name its product (Airtel) counts for either. */
    async latest(operator: CallbackOperator, referenceId: string, product: CallbackProduct): Promise<bigint> {
      const { rows } = await pool.query<{ id: string | null }>(
        `SELECT max(id)::text AS id FROM operator_callbacks
          WHERE operator = $1 AND reference_id = $2 AND product IN ($3, '')`,
        [operator, referenceId, product],
      );
      return BigInt(rows[0]?.id ?? 0);
    },

    async list(operator: CallbackOperator, referenceId: string): Promise<StoredOperatorCallback[]> {
      const { rows } = await pool.query<Row>(
        `SELECT id::text, operator, product, reference_id, status, reason, raw, received_at
           FROM operator_callbacks WHERE operator = $1 AND reference_id = $2 ORDER BY id`,
        [operator, referenceId],
      );
      return rows.map((r) => ({
        id: BigInt(r.id),
        operator: r.operator,
        product: r.product,
        referenceId: r.reference_id,
        status: r.status,
        reason: r.reason,
        raw: r.raw,
        receivedAt: r.received_at,
      }));
    },
  };
}

export type OperatorCallbackRepo = ReturnType<typeof createOperatorCallbackRepo>;
