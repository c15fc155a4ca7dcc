/**
 * The activity proxies every money workflow uses, each with its preset, and the one way to move airtime:
 * a call whose attempts end without a clear answer is settled by the operator's word on its reference
 * before anyone is told anything.
 */
import { CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import type { AirtimeMovementResult, TelcoActivities } from '../../activities/telco';
import type { ChainActivities, TransferResult } from '../../activities/chain';
import { FailureTypes } from '../definitions/errors';
import { chainCall, refundCall, settleCall, settleChainCall, smsCall, telcoCall } from './activity-options';
import { failureOf } from './steps';

export const telco = proxyActivities<TelcoActivities>(telcoCall);
/** Money owed (refunds, a receiver's credit): keeps trying far longer. */
export const owed = proxyActivities<TelcoActivities>(refundCall);
export const sms = proxyActivities<TelcoActivities>(smsCall);

/**
 * An SMS to a person, best effort: sent under its reference (once, whatever is retried), even while the
 * workflow is being cancelled; a failure is logged and never thrown, since money that moved stays moved.
 * Whether it went.
 */
export async function sendSmsBestEffort(phoneNumber: string, message: string, reference: string): Promise<boolean> {
  try {
    await CancellationScope.nonCancellable(() => sms.sendSms(phoneNumber, message, reference));
    return true;
  } catch (err) {
    log.warn('SMS not sent', { reference, error: failureOf(err).message });
    return false;
  }
}
export const chain = proxyActivities<ChainActivities>(chainCall);
/** Settling an unknown outcome: the operator's word on a reference, no attempt limit. */
export const settle = proxyActivities<TelcoActivities>(settleCall);
/** The chain's word on a reference (or a write that must land), no attempt limit. */
export const settleChain = proxyActivities<ChainActivities>(settleChainCall);

/** Failures that prove the operator moved nothing. */
export const MOVED_NOTHING: string[] = [
  FailureTypes.InsufficientAirtime,
  FailureTypes.OperatorRejected,
  FailureTypes.ReferenceConflict,
];

/**
 * Runs one airtime movement (`kind` names it for the operator's status lookup). A refusal is thrown as it
 * came; any other failure is settled by the operator's status of the movement's reference: committed
 * means it happened (its result is returned), anything else means it did not (the failure is thrown).
 */
export async function moveAirtime<M extends { reference: string; operator: string }>(
  kind: 'debit' | 'credit' | 'transfer',
  movement: M,
  call: (movement: M) => Promise<AirtimeMovementResult>,
): Promise<AirtimeMovementResult & { settledByStatus?: true }> {
  try {
    return await call(movement);
  } catch (err) {
    if (MOVED_NOTHING.includes(failureOf(err).type)) throw err;
    const outcome = await settle.airtimeMovementStatus({
      reference: movement.reference,
      operator: movement.operator,
      kind,
    });
    if (outcome.status !== 'committed') throw err;
    return { ...outcome, reference: movement.reference, settledByStatus: true };
  }
}

/** Failures that prove a TXTC send broadcast nothing (its revert was known before sending). */
const SEND_REFUSALS: string[] = [FailureTypes.InsufficientTxtc, FailureTypes.TransferRejected];
/**
 * How long a sender's authorisation of a TXTC send is valid: after it, an unconfirmed send can never land.
 * It is also how long a send whose outcome is unknown stays pending before it is settled as not sent (the
 * chaos run found one waiting out the full hour this used to be: its retries met a balance spent meanwhile
 * and could not tell a pending broadcast from none), so ten minutes: ample for a relayed transaction to be
 * mined on a 12-second chain, short enough that nobody waits an hour.
 */
const AUTHORISATION_SECONDS = 600;

/**
 * One TXTC send under one reference, from a number's wallet or from the treasury. A failure the contract
 * proved (short balance, refused authorisation) is final; any other is settled on chain: the send is found,
 * or the authorisation's deadline passes without it, after which it can never land. Only then is it
 * reported as not sent.
 */
export async function sendTxtcOnce(
  reference: string,
  from: { fromPhone: string } | { fromTreasury: true },
  to: string,
  amount: bigint,
): Promise<TransferResult> {
  // In the chain's time (recorded once in the history, so the same for every attempt of this send).
  const deadline = await chain.authorisationDeadline({ seconds: AUTHORISATION_SECONDS });
  try {
    return await chain.sendTxtc({ ...from, to, amount: amount.toString(), reference, deadline });
  } catch (err) {
    if (SEND_REFUSALS.includes(failureOf(err).type)) throw err;
    const landed = await settleChain.transferOutcome({ reference, deadline });
    if (landed) return landed;
    throw err;
  }
}
