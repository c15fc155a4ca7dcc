/**
 * The operator's side of a reconciliation: its ledger of airtime movements. Each operator adapter that can
 * list its movements provides one; the simulated operator's is its operation log (sim_telco_operations).
 * Top-ups are not product movements (tests and ops fund accounts with them) and never appear.
 */
import type { Pool } from 'pg';
import type { LedgerEntry, ReconciliationWindow } from './types';

export interface OperatorLedger {
  readonly name: string;
  /** movements made in the window, optionally only those of these numbers (either side) */
  entriesBetween(window: ReconciliationWindow, phones?: string[]): Promise<LedgerEntry[]>;
  /** the movements under these references, whenever they were made */
  entriesByReference(references: string[]): Promise<LedgerEntry[]>;
}

interface Row {
  reference: string;
  kind: LedgerEntry['kind'];
  phone_number: string;
  counterparty: string | null;
  amount_minor: string;
  status: LedgerEntry['status'];
  created_at: Date;
}

const COLUMNS = 'reference, kind, phone_number, counterparty, amount_minor::text, status, created_at';

const toEntry = (r: Row): LedgerEntry => ({
  reference: r.reference,
  kind: r.kind,
  phoneNumber: r.phone_number,
  counterparty: r.counterparty,
  amountMinor: BigInt(r.amount_minor),
  status: r.status,
  at: r.created_at,
});

export function simulatedOperatorLedger(pool: Pool): OperatorLedger {
  return {
    name: 'simulated',
    async entriesBetween(window, phones) {
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM sim_telco_operations
          WHERE kind <> 'topup' AND created_at >= $1 AND created_at < $2
            AND ($3::text[] IS NULL OR phone_number = ANY($3) OR counterparty = ANY($3))`,
        [window.since, window.until, phones ?? null],
      );
      return rows.map(toEntry);
    },
    async entriesByReference(references) {
      if (!references.length) return [];
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM sim_telco_operations WHERE kind <> 'topup' AND reference = ANY($1)`,
        [references],
      );
      return rows.map(toEntry);
    },
  };
}
