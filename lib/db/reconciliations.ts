/**
 * reconciliation_runs and reconciliation_mismatches: each run's window, what it compared, clean or not, and
 * its mismatches one per row, for ops to list. A run is saved under its id once; saving it again (a retried
 * activity) replaces its rows in one transaction.
 */
import type { Pool } from 'pg';
import { withTransaction } from './pool';
import type { Mismatch, ReconciliationCounts } from '../reconcile/types';
import type { ReconciliationReport } from '../reconcile/run';

export interface StoredReconciliation {
  id: string;
  windowStart: Date;
  windowEnd: Date;
  status: 'clean' | 'mismatches';
  mismatchCount: number;
  counts: ReconciliationCounts;
  scope: ReconciliationReport['scope'];
  fromBlock: number | null;
  toBlock: number | null;
  triggeredBy: string;
  startedAt: Date;
  finishedAt: Date;
  /** filled by get(), and by save() */
  mismatches?: Mismatch[];
}

interface RunRow {
  id: string;
  window_start: Date;
  window_end: Date;
  status: 'clean' | 'mismatches';
  mismatch_count: number;
  counts: ReconciliationCounts;
  scope: ReconciliationReport['scope'];
  from_block: string | null;
  to_block: string | null;
  triggered_by: string;
  started_at: Date;
  finished_at: Date;
}

interface MismatchRow {
  code: Mismatch['code'];
  source: Mismatch['source'];
  record_kind: Mismatch['recordKind'] | null;
  record_id: string | null;
  step: Mismatch['step'] | null;
  reference: string | null;
  chain_ref: string | null;
  expected: string | null;
  found: string | null;
  message: string;
}

const RUN_COLUMNS =
  'id, window_start, window_end, status, mismatch_count, counts, scope, from_block, to_block, triggered_by, started_at, finished_at';

const toRun = (r: RunRow): StoredReconciliation => ({
  id: r.id,
  windowStart: r.window_start,
  windowEnd: r.window_end,
  status: r.status,
  mismatchCount: r.mismatch_count,
  counts: r.counts,
  scope: r.scope,
  fromBlock: r.from_block === null ? null : Number(r.from_block),
  toBlock: r.to_block === null ? null : Number(r.to_block),
  triggeredBy: r.triggered_by,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** A stored mismatch without its empty fields, as the matcher produced it. */
const toMismatch = (r: MismatchRow): Mismatch => {
  const m: Mismatch = { code: r.code, source: r.source, message: r.message };
  if (r.record_kind) m.recordKind = r.record_kind;
  if (r.record_id) m.recordId = r.record_id;
  if (r.step) m.step = r.step;
  if (r.reference) m.reference = r.reference;
  if (r.chain_ref) m.chainRef = r.chain_ref;
  if (r.expected) m.expected = r.expected;
  if (r.found) m.found = r.found;
  return m;
};

export function createReconciliationRepo(pool: Pool) {
  return {
    async save(run: {
      id: string;
      triggeredBy: string;
      startedAt: Date;
      report: ReconciliationReport;
    }): Promise<StoredReconciliation> {
      const { report } = run;
      return withTransaction(pool, async (client) => {
        const { rows } = await client.query<RunRow>(
          `INSERT INTO reconciliation_runs
             (id, window_start, window_end, status, mismatch_count, counts, scope, from_block, to_block, triggered_by, started_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (id) DO UPDATE SET
             window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end, status = EXCLUDED.status,
             mismatch_count = EXCLUDED.mismatch_count, counts = EXCLUDED.counts, scope = EXCLUDED.scope,
             from_block = EXCLUDED.from_block, to_block = EXCLUDED.to_block, triggered_by = EXCLUDED.triggered_by,
             started_at = EXCLUDED.started_at, finished_at = now()
           RETURNING ${RUN_COLUMNS}`,
          [
            run.id,
            report.window.since,
            report.window.until,
            report.status,
            report.mismatches.length,
            JSON.stringify(report.counts),
            JSON.stringify(report.scope),
            report.blocks.from,
            report.blocks.to,
            run.triggeredBy,
            run.startedAt,
          ],
        );
        await client.query('DELETE FROM reconciliation_mismatches WHERE run_id = $1', [run.id]);
        for (const [position, m] of report.mismatches.entries()) {
          await client.query(
            `INSERT INTO reconciliation_mismatches
               (run_id, position, code, source, record_kind, record_id, step, reference, chain_ref, expected, found, message)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
            [
              run.id,
              position,
              m.code,
              m.source,
              m.recordKind ?? null,
              m.recordId ?? null,
              m.step ?? null,
              m.reference ?? null,
              m.chainRef ?? null,
              m.expected ?? null,
              m.found ?? null,
              m.message,
            ],
          );
        }
        return { ...toRun(rows[0]!), mismatches: report.mismatches };
      });
    },

    /** The newest runs first (by when they finished), optionally only clean ones or only those with mismatches. */
    async latest(limit: number, status?: StoredReconciliation['status']): Promise<StoredReconciliation[]> {
      const { rows } = await pool.query<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE ($2::text IS NULL OR status = $2)
          ORDER BY finished_at DESC, id LIMIT $1`,
        [limit, status ?? null],
      );
      return rows.map(toRun);
    },

    /** One run with its mismatches in the order found. */
    async get(id: string): Promise<StoredReconciliation | undefined> {
      const { rows } = await pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE id = $1`, [id]);
      if (!rows[0]) return undefined;
      const mismatches = await pool.query<MismatchRow>(
        `SELECT code, source, record_kind, record_id, step, reference, chain_ref, expected, found, message
           FROM reconciliation_mismatches WHERE run_id = $1 ORDER BY position`,
        [id],
      );
      return { ...toRun(rows[0]), mismatches: mismatches.rows.map(toMismatch) };
    },
  };
}

export type ReconciliationRepo = ReturnType<typeof createReconciliationRepo>;
