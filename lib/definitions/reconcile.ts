/** Reconciliation's ids, input, result and window arithmetic, shared by the workflow, the schedule and the API. */

/** The schedule that reconciles every past hour (created idempotently by `npm start` and `npm run reconcile:schedule`). */
export const RECONCILIATION_SCHEDULE_ID = 'reconciliation-hourly';

export function reconciliationWorkflowId(key: string): string {
  return `reconciliation:${key}`;
}

export interface ReconciliationInput {
  /** an explicit window (ISO times); without one, the window before the scheduled time (below) */
  since?: string;
  until?: string;
  /** the scheduled window's length (default 60) */
  windowMinutes?: number;
  /** how long after a window ends it is reconciled, so its movements have settled (default 15) */
  lagMinutes?: number;
  /** only these numbers (tests share one database) */
  phones?: string[];
  ignoreReferencePrefixes?: string[];
  ignoreReferences?: string[];
}

export interface ReconciliationSummary {
  /** the stored report's id: GET /api/reconciliations/:id */
  runId: string;
  status: 'clean' | 'mismatches';
  since: string;
  until: string;
  mismatches: number;
}

export const DEFAULT_WINDOW_MINUTES = 60;
export const DEFAULT_LAG_MINUTES = 15;

/**
 * The last whole window that ended at least `lagMinutes` before `at`, aligned to its length from the epoch:
 * run at 10:15 with 60 and 15, it is 09:00-10:00; consecutive runs cover consecutive windows.
 */
export function windowBefore(
  at: Date,
  windowMinutes = DEFAULT_WINDOW_MINUTES,
  lagMinutes = DEFAULT_LAG_MINUTES,
): { since: Date; until: Date } {
  const size = windowMinutes * 60_000;
  const until = Math.floor((at.getTime() - lagMinutes * 60_000) / size) * size;
  return { since: new Date(until - size), until: new Date(until) };
}
