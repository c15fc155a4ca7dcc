/**
 * The fraud rules' verdict (lib/fraud/rules.ts, returned by the prepare step), acted on inside a money
 * workflow before any money moves. A refusal is a typed rejection, told and recorded like any other. A hold
 * records itself, tells the person, shows `TransferStage='held'` and waits for ops' `approveHeld` or
 * `rejectHeld` update (who and why are recorded), or for the timeout, after which it is rejected: nothing moved.
 */
import { CancellationScope, allHandlersFinished, condition, isCancellation, setHandler } from '@temporalio/workflow';
import type { FraudActivities } from '../../activities/fraud';
import {
  HOLD_DECISION_MAX,
  approveHeldUpdate,
  rejectHeldUpdate,
  type FraudVerdict,
  type HoldDecisionInput,
  type HoldDecisionResult,
  type HoldState,
} from '../../lib/definitions';
import type { SmsTexts } from '../../lib/messages/sms';
import { localActivities } from './activity-options';
import { rejection } from './steps';

const { records } = localActivities<FraudActivities>();

/** What a held movement needs of its workflow. */
export interface Holdable {
  id: string;
  kind: 'conversion' | 'airtime' | 'txtc' | 'hybrid' | 'voucher';
  phoneNumber: string;
  usdMicros: string;
  /** the workflow's state, where the `state` query shows the hold */
  state: { hold?: HoldState };
  /** record, search attributes and state to stage 'held', and back to where it was */
  markHeld(): Promise<void>;
  resume(): Promise<void>;
  /** an SMS to the person who pays */
  tell(message: string, step: 'sms-held' | 'sms-approved'): Promise<void>;
  texts: SmsTexts;
  /** the amount as the person's SMS names it */
  amount: string;
}

/** Throws the refusal, waits out a hold (returning once approved), or returns at once. */
export async function applyFraudVerdict(verdict: FraudVerdict | undefined, movement: Holdable): Promise<void> {
  if (!verdict || verdict.action === 'allow') return;
  if (verdict.action === 'refuse') throw rejection(verdict.type, verdict.message);
  await awaitHoldDecision(verdict, movement);
}

/** Synchronous, as update validators must be: a clear refusal, and the workflow changes nothing. */
function validateDecision(input: HoldDecisionInput | undefined, decided: HoldDecisionResult | undefined): void {
  if (decided) throw new Error(`this hold was already decided: ${decided.decision}`);
  for (const field of ['operator', 'reason'] as const) {
    const value = (input as Partial<HoldDecisionInput> | undefined)?.[field];
    if (typeof value !== 'string' || !value.trim())
      throw new Error(`${field} is required (input: {"operator": "...", "reason": "..."})`);
    if (value.length > HOLD_DECISION_MAX[field])
      throw new Error(`${field} is longer than ${HOLD_DECISION_MAX[field]} characters`);
  }
}

async function awaitHoldDecision(verdict: Extract<FraudVerdict, { action: 'hold' }>, m: Holdable): Promise<void> {
  let decision: HoldDecisionResult | undefined;
  let recorded = false;
  const decide = (kind: 'approved' | 'rejected') => async (input: HoldDecisionInput) => {
    decision ??= { decision: kind, operator: input.operator.trim(), reason: input.reason.trim() };
    // Answered once the decision is recorded: what the update returns is what happened.
    await condition(() => recorded);
    return decision;
  };
  const validator = (input: HoldDecisionInput) => validateDecision(input, decision);
  setHandler(approveHeldUpdate, decide('approved'), { validator });
  setHandler(rejectHeldUpdate, decide('rejected'), { validator });

  await records.recordHold({
    workflowId: m.id,
    kind: m.kind,
    phoneNumber: m.phoneNumber,
    usdMicros: m.usdMicros,
    rules: verdict.rules,
    reason: verdict.reason,
    timeoutSeconds: verdict.timeoutSeconds,
  });
  m.state.hold = { rules: verdict.rules, reason: verdict.reason };
  await m.markHeld();
  await m.tell(
    m.texts.heldForReview({ amount: m.amount, hours: Math.ceil(verdict.timeoutSeconds / 3600) }),
    'sms-held',
  );

  try {
    if (!(await condition(() => decision !== undefined, verdict.timeoutSeconds * 1000))) {
      decision ??= {
        decision: 'expired',
        operator: 'timeout',
        reason: `not decided within ${verdict.timeoutSeconds} s`,
      };
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    decision ??= { decision: 'cancelled', operator: 'cancel', reason: 'the workflow was cancelled while held' };
  }
  const final = decision!;
  await CancellationScope.nonCancellable(() => records.recordHoldDecision(m.id, final));
  recorded = true;
  m.state.hold = { ...m.state.hold, decision: final.decision, decidedBy: final.operator };
  if (final.decision === 'cancelled') throw rejection('Cancelled', 'cancelled before any money moved');
  await condition(allHandlersFinished);

  switch (final.decision) {
    case 'approved':
      await m.resume();
      await m.tell(m.texts.holdApproved(m.amount), 'sms-approved');
      return;
    case 'rejected':
      throw rejection('HoldRejected', `held for review (${verdict.reason}) and rejected: ${final.reason}`);
    default:
      throw rejection('HoldExpired', `held for review (${verdict.reason}) and not decided in time`);
  }
}
