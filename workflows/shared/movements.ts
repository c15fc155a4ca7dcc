/**
 * The activity proxies every money workflow uses, each with its preset, and the one way to move airtime:
 * a call whose attempts end without a clear answer is settled by the operator's word on its reference
 * before anyone is told anything.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { AirtimeMovementResult, TelcoActivities } from '../../activities/telco';
import type { ChainActivities } from '../../activities/chain';
import { FailureTypes } from '../definitions/errors';
import { chainCall, refundCall, settleCall, smsCall, telcoCall } from './activity-options';
import { failureOf } from './steps';

export const telco = proxyActivities<TelcoActivities>(telcoCall);
/** Money owed (refunds, a receiver's credit): keeps trying far longer. */
export const owed = proxyActivities<TelcoActivities>(refundCall);
export const sms = proxyActivities<TelcoActivities>(smsCall);
export const chain = proxyActivities<ChainActivities>(chainCall);
export const settle = proxyActivities<TelcoActivities & ChainActivities>(settleCall);

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
