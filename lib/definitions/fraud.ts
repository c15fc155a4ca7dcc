/**
 * Fraud rules as the money workflows see them: the verdict the prepare step returns (allow, refuse, or hold
 * for ops), and the two ops updates a held movement waits for. Side-effect free: workflows import it.
 */
import { defineUpdate } from '@temporalio/workflow';

/** Why a movement was refused outright (a failure type of the one list). */
export type FraudRefusal = 'NumberBlocked' | 'PinLocked' | 'VelocityExceeded';

export type FraudVerdict =
  | { action: 'allow' }
  | { action: 'refuse'; type: FraudRefusal; rule: string; message: string }
  | {
      action: 'hold';
      /** the rules that asked for review, comma-separated (large-amount, new-number, many-senders) */
      rules: string;
      /** what ops read: why it is held */
      reason: string;
      /** how long it waits for ops before it is rejected with nothing moved */
      timeoutSeconds: number;
    };

/** What ops send with approveHeld or rejectHeld: who decided, and why. */
export interface HoldDecisionInput {
  operator: string;
  reason: string;
}

export interface HoldDecisionResult {
  decision: 'approved' | 'rejected' | 'expired' | 'cancelled';
  operator: string;
  reason: string;
}

/** A held movement as its workflow state (and so the `state` query) shows it. */
export interface HoldState {
  rules: string;
  reason: string;
  decision?: HoldDecisionResult['decision'];
  decidedBy?: string;
}

/** Ops: let a held movement go ahead (it then runs as if never held). */
export const approveHeldUpdate = defineUpdate<HoldDecisionResult, [HoldDecisionInput]>('approveHeld');
/** Ops: refuse a held movement; nothing moves, the person is told. */
export const rejectHeldUpdate = defineUpdate<HoldDecisionResult, [HoldDecisionInput]>('rejectHeld');

/** Longest operator name and reason an update accepts (they are stored and shown). */
export const HOLD_DECISION_MAX = { operator: 100, reason: 500 } as const;
