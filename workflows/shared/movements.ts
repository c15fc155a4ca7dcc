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
 * Runs one airtime movement. A refusal is thrown as it came; any other failure is settled by the
 * operator's status of the reference: committed means it happened (its result is returned), anything
 * else means it did not (the original failure is thrown).
 */
type MovementLookup = Parameters<TelcoActivities['airtimeMovementStatus']>[0];

export async function moveAirtime(
  call: () => Promise<AirtimeMovementResult>,
  lookup: MovementLookup,
): Promise<AirtimeMovementResult & { settledByStatus?: true }> {
  try {
    return await call();
  } catch (err) {
    if (MOVED_NOTHING.includes(failureOf(err).type)) throw err;
    const outcome = await settle.airtimeMovementStatus(lookup);
    if (outcome.status !== 'committed') throw err;
    return { ...outcome, reference: lookup.reference, settledByStatus: true };
  }
}
