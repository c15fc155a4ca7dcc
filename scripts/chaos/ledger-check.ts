/**
 * The chaos run's proof: the product's own reconciliation (lib/reconcile) over the run's window, the
 * harness's seeding ignored by exact reference (its top-ups are not movements; its TXTC funding mints and
 * the pool's seed mint have no record by design).
 */
import type { Pool } from 'pg';
import { collectAndReconcile, type ReconciliationReport } from '../../lib/reconcile/run';
import { simulatedOperatorLedger } from '../../lib/reconcile/ledger';
import { TxtcToken } from '../../lib/chain/txtc';
import { createProvider } from '../../lib/chain/provider';
import type { EphemeralStack } from '../local/ephemeral-stack';

export interface LedgerCheck {
  status: ReconciliationReport['status'];
  counts: ReconciliationReport['counts'] | undefined;
  mismatches: ReconciliationReport['mismatches'];
}

export async function reconcileLedger(
  pool: Pool,
  stack: EphemeralStack,
  window: { since: Date; until: Date },
  seededReferences: string[],
): Promise<LedgerCheck> {
  const provider = createProvider(stack.rpcUrl);
  try {
    const report = await collectAndReconcile(
      {
        pool,
        txtc: new TxtcToken(stack.deployment.txtc, provider, undefined, stack.deployment.txtcBlock),
        firstBlock: stack.deployment.txtcBlock,
        ledger: simulatedOperatorLedger(pool),
      },
      {
        window,
        ignore: {
          references: [...seededReferences, `liquidity-seed:${stack.deployment.ratePair}`],
          referencePrefixes: ['chaos-topup:'],
        },
      },
    );
    return { status: report.status, counts: report.counts, mismatches: report.mismatches };
  } finally {
    provider.destroy();
  }
}
