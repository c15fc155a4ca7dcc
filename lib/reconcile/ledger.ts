/**
 * The operator's side of a reconciliation: its ledger of airtime movements. Each operator adapter that can
 * list its movements provides one; the simulated operator's is its operation log (sim_telco_operations).
 * Top-ups are not product movements (tests and ops fund accounts with them) and never appear.
 */
import type { Pool } from 'pg';
import type { LedgerEntry, ReconciliationWindow } from './types';
import { readRow, type RowOf } from '../db/rows';

export interface OperatorLedger {
  readonly name: string;
  /** movements made in the window, optionally only those of these numbers (either side) */
  entriesBetween(window: ReconciliationWindow, phones?: string[]): Promise<LedgerEntry[]>;
  /** the movements under these references, whenever they were made */
  entriesByReference(references: string[]): Promise<LedgerEntry[]>;
}

const COLUMNS = 'reference, kind, phone_number, counterparty, amount_minor::text, status, created_at AS at';

const toEntry = (r: RowOf<LedgerEntry>): LedgerEntry => readRow(r, ['amount_minor']);

export function simulatedOperatorLedger(pool: Pool): OperatorLedger {
  return {
    name: 'simulated',
    async entriesBetween(window, phones) {
      const { rows } = await pool.query<RowOf<LedgerEntry>>(
        `SELECT ${COLUMNS} FROM sim_telco_operations
          WHERE kind <> 'topup' AND created_at >= $1 AND created_at < $2
            AND ($3::text[] IS NULL OR phone_number = ANY($3) OR counterparty = ANY($3))`,
        [window.since, window.until, phones ?? null],
      );
      return rows.map(toEntry);
    },
    async entriesByReference(references) {
      if (!references.length) return [];
      const { rows } = await pool.query<RowOf<LedgerEntry>>(
        `SELECT ${COLUMNS} FROM sim_telco_operations WHERE kind <> 'topup' AND reference = ANY($1)`,
        [references],
      );
      return rows.map(toEntry);
    },
  };
}
