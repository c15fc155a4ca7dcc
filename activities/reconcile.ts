/**
 * Reconciliation as an activity: one call collects the window's records, ledger and chain events, matches
 * them and stores the report under the run's id, so a retried attempt rewrites the same report.
 */
import type { Pool } from 'pg';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/log';
import type { TxtcToken } from '../lib/chain/txtc';
import { simulatedOperatorLedger, type OperatorLedger } from '../lib/reconcile/ledger';
import { runReconciliation } from '../lib/reconcile/run';
import type { ReconciliationSummary } from '../lib/definitions/reconcile';

export interface ReconcileWindowInput {
  runId: string;
  since: string;
  until: string;
  phones?: string[];
  ignoreReferencePrefixes?: string[];
  ignoreReferences?: string[];
  triggeredBy: string;
}

/** The ledger of the configured operator adapter; the simulated operator's is the only one this build reads. */
export function operatorLedger(config: Config, pool: Pool): OperatorLedger {
  const adapters = new Set([config.telco.adapter, ...Object.values(config.telco.operatorAdapters)]);
  if ([...adapters].some((a) => a !== 'simulated')) {
    throw new Error(`no ledger reader for telco adapters ${[...adapters].join(', ')}`);
  }
  return simulatedOperatorLedger(pool);
}

export function createReconcileActivities(deps: {
  config: Config;
  pool: Pool;
  txtc: TxtcToken;
  firstBlock: number;
  log: Logger;
}) {
  return {
    async reconcileWindow(input: ReconcileWindowInput): Promise<ReconciliationSummary> {
      const run = await runReconciliation(
        {
          pool: deps.pool,
          txtc: deps.txtc,
          firstBlock: deps.firstBlock,
          ledger: operatorLedger(deps.config, deps.pool),
        },
        {
          runId: input.runId,
          triggeredBy: input.triggeredBy,
          window: { since: new Date(input.since), until: new Date(input.until) },
          phones: input.phones,
          ignore: { referencePrefixes: input.ignoreReferencePrefixes, references: input.ignoreReferences },
        },
      );
      const summary: ReconciliationSummary = {
        runId: run.id,
        status: run.status,
        since: run.windowStart.toISOString(),
        until: run.windowEnd.toISOString(),
        mismatches: run.mismatchCount,
      };
      if (run.status === 'clean') deps.log.info(summary, 'reconciliation clean');
      else deps.log.warn({ ...summary, first: run.mismatches?.slice(0, 5) }, 'reconciliation found mismatches');
      return summary;
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
