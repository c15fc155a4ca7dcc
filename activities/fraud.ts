/**
 * Held movements' bookkeeping, run as local activities: the hold when a rule asks for review, and the
 * decision (ops' approveHeld / rejectHeld, the timeout, or a cancel). Both are idempotent on the workflow id.
 */
import type { HoldDecisionResult } from '../lib/definitions';
import type { HoldRepo } from '../lib/db/fraud';

export function createFraudActivities(deps: { holds: HoldRepo }) {
  return {
    async recordHold(hold: Parameters<HoldRepo['hold']>[0]): Promise<void> {
      await deps.holds.hold(hold);
    },

    async recordHoldDecision(workflowId: string, decision: HoldDecisionResult): Promise<void> {
      await deps.holds.decide({
        workflowId,
        decision: decision.decision,
        decidedBy: decision.operator,
        reason: decision.reason,
      });
    },
  };
}

export type FraudActivities = ReturnType<typeof createFraudActivities>;
