/**
 * Telco activities: balance, debit, credit (refund) and SMS through the one telco interface. A debit or
 * credit first asks the operator for the status of its reference, so an attempt after a timeout resolves
 * what the operator did instead of moving money again; the reference makes a repeat harmless anyway.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ErrorTypes } from '../workflows/definitions';
import {
  TelcoReferenceConflictError,
  TelcoTimeoutError,
  type TelcoOperator,
  type TelcoResult,
} from '../lib/telco/types';
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
  /** true when an earlier attempt had already committed it */
  resolvedByStatus: boolean;
}

export function createTelcoActivities(deps: { telco: TelcoOperator; log: Logger }) {
  async function move(kind: 'debit' | 'credit', input: AirtimeMovementInput): Promise<AirtimeMovementResult> {
    const earlier = await deps.telco.status(input.reference);
    const finish = (result: TelcoResult, resolvedByStatus: boolean): AirtimeMovementResult => {
      if (result.status === 'rejected') {
        throw ApplicationFailure.nonRetryable(
          result.reason === 'InsufficientAirtime' ? 'not enough airtime' : `operator rejected the ${kind}: ${result.reason ?? 'no reason'}`,
          result.reason === 'InsufficientAirtime' ? ErrorTypes.InsufficientAirtime : ErrorTypes.OperatorRejected,
        );
      }
      return { reference: result.reference, balanceAfterMinor: result.balanceAfterMinor?.toString(), resolvedByStatus };
    };
    if (earlier) {
      deps.log.info({ reference: input.reference, status: earlier.status }, `${kind} resolved by status`);
      return finish(earlier, true);
    }
    try {
      const result = await deps.telco[kind]({
        phoneNumber: input.phoneNumber,
        operator: input.operator,
        amountMinor: BigInt(input.amountMinor),
        reference: input.reference,
      });
      return finish(result, false);
    } catch (e) {
      if (e instanceof TelcoReferenceConflictError) throw ApplicationFailure.nonRetryable(e.message, ErrorTypes.ReferenceConflict);
      if (e instanceof TelcoTimeoutError) {
        // Ambiguous: retried by Temporal, and the next attempt asks status(reference) first.
        deps.log.warn({ reference: input.reference }, `${kind} timed out; will resolve by status`);
        throw ApplicationFailure.retryable(e.message, 'TelcoTimeout');
      }
      throw e;
    }
  }

  return {
    /** What the operator did with a reference: settles a debit whose attempts all ended without an answer. */
    async airtimeMovementStatus(reference: string): Promise<'committed' | 'rejected' | 'unknown'> {
      return (await deps.telco.status(reference))?.status ?? 'unknown';
    },
    async checkAirtimeBalance(phoneNumber: string, operator: string): Promise<string> {
      return (await deps.telco.checkBalance(phoneNumber, operator)).balanceMinor.toString();
    },
    debitAirtime: (input: AirtimeMovementInput) => move('debit', input),
    creditAirtime: (input: AirtimeMovementInput) => move('credit', input),
    async sendSms(phoneNumber: string, message: string, reference: string): Promise<void> {
      await deps.telco.sendSms(phoneNumber, message, reference);
    },
  };
}

export type TelcoActivities = ReturnType<typeof createTelcoActivities>;
