/**
 * Debits the person approves on the handset (MoMo request-to-pay, Airtel Money collection). Such an
 * operator keeps the wallet's balance to itself (the balance activity answers null), so the workflow
 * skips its own balance check, tells the person to approve, and gives the debit minutes (approvalCall).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { TelcoActivities } from '../../activities/telco';
import { approvalCall } from './activity-options';
import { sendSmsBestEffort, telco } from './movements';

const approval = proxyActivities<TelcoActivities>(approvalCall);

/** Whether a balance answer means "the person approves the debit on the phone". */
export const approvesOnPhone = (balance: string | null): balance is null => balance === null;

/**
 * The debit activity for this payer: the long-waiting one, after an SMS asking to approve (sent even in a
 * hybrid's leg: only the payer can approve), when the balance was not told; the usual one otherwise.
 */
export async function debitCallFor(
  balance: string | null,
  ask: { phoneNumber: string; message: string; reference: string },
): Promise<TelcoActivities['debitAirtime']> {
  if (!approvesOnPhone(balance)) return telco.debitAirtime;
  await sendSmsBestEffort(ask.phoneNumber, ask.message, ask.reference);
  return approval.debitAirtime;
}
