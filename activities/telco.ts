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
  /** the (sending) subscriber's balance after the movement */
  balanceAfterMinor?: string;
  /** a transfer's receiver balance after it */
  receiverBalanceAfterMinor?: string;
}

export interface AirtimeTransferInput {
  fromPhone: string;
  toPhone: string;
  operator: string;
  amountMinor: string;
  reference: string;
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
  return {
    reference: result.reference,
    balanceAfterMinor: result.balanceAfterMinor?.toString(),
    receiverBalanceAfterMinor: result.receiverBalanceAfterMinor?.toString(),
  };
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
    async airtimeMovementStatus(
      lookup: MovementLookup,
    ): Promise<{ status: 'committed' | 'rejected' | 'unknown' } & Partial<AirtimeMovementResult>> {
      const result = await deps.telco.status(lookup);
      if (!result) return { status: 'unknown' };
      return {
        status: result.status,
        reference: result.reference,
        balanceAfterMinor: result.balanceAfterMinor?.toString(),
        receiverBalanceAfterMinor: result.receiverBalanceAfterMinor?.toString(),
      };
    },
    /** Same-operator P2P in one operator call; status first, like debit and credit. */
    async transferAirtime(input: AirtimeTransferInput): Promise<AirtimeMovementResult> {
      const earlier = await deps.telco.status({
        reference: input.reference,
        operator: input.operator,
        kind: 'transfer',
      });
      if (earlier) return committedOrThrow('transfer', earlier);
      if (!deps.telco.transfer) throw new Error(`${deps.telco.name} offers no airtime transfer for ${input.operator}`);
      return committedOrThrow(
        'transfer',
        await deps.telco.transfer({ ...input, amountMinor: BigInt(input.amountMinor) }),
      );
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
