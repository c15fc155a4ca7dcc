/**
 * Telco activities: balance, debit, credit (refund) through the airtime port, SMS through the messaging
 * port. A debit or credit first asks the operator for the status of its reference, so an attempt after a
 * timeout resolves what the operator did instead of moving money again; the reference makes a repeat
 * harmless anyway.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FailureTypes } from '../workflows/definitions';
import type { MessagingPort, MovementKind, MovementLookup, TelcoOperator, TelcoResult } from '../lib/telco/types';
import type { Logger } from '../lib/log';

export interface AirtimeMovementInput {
  phoneNumber: string;
  operator: string;
  amountMinor: string;
  reference: string;
}

export interface AirtimeMovementResult {
  reference: string;
  balanceAfterMinor?: string;
}

/** A rejected movement as a typed, final failure. */
function committedOrThrow(kind: MovementKind, result: TelcoResult): AirtimeMovementResult {
  if (result.status === 'rejected') {
    const insufficient = result.reason === 'InsufficientAirtime';
    throw ApplicationFailure.nonRetryable(
      insufficient ? 'not enough airtime' : `operator rejected the ${kind}: ${result.reason ?? 'no reason'}`,
      insufficient ? FailureTypes.InsufficientAirtime : FailureTypes.OperatorRejected,
    );
  }
  return { reference: result.reference, balanceAfterMinor: result.balanceAfterMinor?.toString() };
}

export function createTelcoActivities(deps: { telco: TelcoOperator; messaging: MessagingPort; log: Logger }) {
  async function move(kind: 'debit' | 'credit', input: AirtimeMovementInput): Promise<AirtimeMovementResult> {
    const earlier = await deps.telco.status({ reference: input.reference, operator: input.operator, kind });
    if (earlier) {
      deps.log.info({ reference: input.reference, status: earlier.status }, `${kind} resolved by status`);
      return committedOrThrow(kind, earlier);
    }
    const result = await deps.telco[kind]({ ...input, amountMinor: BigInt(input.amountMinor) });
    return committedOrThrow(kind, result);
  }

  return {
    /** What the operator did with a reference: settles a movement whose attempts all ended without an answer. */
    async airtimeMovementStatus(lookup: MovementLookup): Promise<'committed' | 'rejected' | 'unknown'> {
      return (await deps.telco.status(lookup))?.status ?? 'unknown';
    },
    async checkAirtimeBalance(phoneNumber: string, operator: string): Promise<string> {
      return (await deps.telco.checkBalance(phoneNumber, operator)).balanceMinor.toString();
    },
    debitAirtime: (input: AirtimeMovementInput) => move('debit', input),
    creditAirtime: (input: AirtimeMovementInput) => move('credit', input),
    async sendSms(phoneNumber: string, message: string, reference: string): Promise<void> {
      await deps.messaging.sendSms(phoneNumber, message, reference);
    },
  };
}

export type TelcoActivities = ReturnType<typeof createTelcoActivities>;
