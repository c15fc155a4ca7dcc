/**
 * Telco activities: balance, debit, credit (refund) through the airtime port, SMS through the messaging
 * port. A debit or credit first asks the operator for the status of its reference, so an attempt after a
 * timeout resolves what the operator did instead of moving money again; the reference makes a repeat
 * harmless anyway. A reply longer than one SMS goes in parts, each sent once.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FailureTypes } from '../lib/definitions';
import {
  TelcoPendingError,
  TelcoUnavailableError,
  type MessagingPort,
  type MovementKind,
  type MovementLookup,
  type TelcoOperator,
  type TelcoResult,
  TelcoReferenceConflictError,
  movementConflict,
} from '../lib/telco/types';
import type { Logger } from '../lib/log';
import type { SmsRepo } from '../lib/db/sms';
import { smsParts } from '../lib/sms/segments';
import { heartbeatingAll, translatingFailures, type ActivityMap } from './shared';

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

/** An earlier movement found under the reference that is not the one asked for: stop, never take it as paid. */
function ours(
  found: TelcoResult,
  asked: { kind: MovementKind; phoneNumber?: string; amountMinor?: string },
  log: Logger,
): TelcoResult {
  const why = movementConflict(found, {
    kind: asked.kind,
    phoneNumber: asked.phoneNumber,
    amountMinor: asked.amountMinor === undefined ? undefined : BigInt(asked.amountMinor),
  });
  if (!why) return found;
  log.error(
    { reference: found.reference, why, alert: 'ReferenceConflict' },
    'a movement under our reference is not ours',
  );
  throw new TelcoReferenceConflictError(found.reference, why);
}

/** A rejected movement as a typed, final failure. */
function committedOrThrow(kind: MovementKind, result: TelcoResult): AirtimeMovementResult {
  if (result.status === 'rejected') {
    const insufficient = result.reason === 'InsufficientAirtime';
    throw ApplicationFailure.nonRetryable(
      result.message ??
        (insufficient ? 'not enough airtime' : `operator rejected the ${kind}: ${result.reason ?? 'no reason'}`),
      insufficient ? FailureTypes.InsufficientAirtime : FailureTypes.OperatorRejected,
    );
  }
  return {
    reference: result.reference,
    balanceAfterMinor: result.balanceAfterMinor?.toString(),
    receiverBalanceAfterMinor: result.receiverBalanceAfterMinor?.toString(),
  };
}

/** The longest an operator's Retry-After (or an open circuit) postpones the next attempt. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * An operator that said how long to wait (429/503 Retry-After, an open circuit) gets that long before the
 * next attempt, instead of the preset's backoff; everything else reaches the workflow as it was thrown.
 */
function withOperatorRetryAdvice<T extends ActivityMap>(activities: T): T {
  return translatingFailures(activities, (e) =>
    e instanceof TelcoUnavailableError && e.retryAfterMs !== undefined
      ? ApplicationFailure.create({
          type: e.name,
          message: e.message,
          nextRetryDelay: Math.min(e.retryAfterMs, MAX_RETRY_AFTER_MS),
        })
      : e,
  );
}

export function createTelcoActivities(deps: {
  telco: TelcoOperator;
  messaging: MessagingPort;
  smsMessages: SmsRepo;
  log: Logger;
}) {
  async function move(kind: 'debit' | 'credit', input: AirtimeMovementInput): Promise<AirtimeMovementResult> {
    // A movement still pending (awaiting the person's approval) goes on below: the adapter finds it by its
    // reference and waits for its answer again, never moving money twice.
    const earlier = await deps.telco
      .status({ reference: input.reference, operator: input.operator, kind })
      .catch((e: unknown) => {
        if (e instanceof TelcoPendingError) return undefined;
        throw e;
      });
    if (earlier) {
      deps.log.info({ reference: input.reference, status: earlier.status }, `${kind} resolved by status`);
      return committedOrThrow(kind, ours(earlier, { kind, ...input }, deps.log));
    }
    const result = await deps.telco[kind]({ ...input, amountMinor: BigInt(input.amountMinor) });
    return committedOrThrow(kind, result);
  }

  // Every operator call heartbeats: an attempt lost with its worker is retried seconds later.
  const activities = heartbeatingAll({
    /** What the operator did with a reference: settles a movement whose attempts all ended without an answer. */
    async airtimeMovementStatus(
      lookup: MovementLookup & { phoneNumber?: string; amountMinor?: string },
    ): Promise<{ status: 'committed' | 'rejected' | 'unknown' } & Partial<AirtimeMovementResult>> {
      const { phoneNumber, amountMinor, ...operatorLookup } = lookup;
      const found = await deps.telco.status(operatorLookup);
      if (!found) return { status: 'unknown' };
      const result = ours(found, { kind: lookup.kind, phoneNumber, amountMinor }, deps.log);
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
      if (earlier)
        return committedOrThrow(
          'transfer',
          ours(earlier, { kind: 'transfer', phoneNumber: input.fromPhone, amountMinor: input.amountMinor }, deps.log),
        );
      if (!deps.telco.transfer) throw new Error(`${deps.telco.name} offers no airtime transfer for ${input.operator}`);
      return committedOrThrow(
        'transfer',
        await deps.telco.transfer({ ...input, amountMinor: BigInt(input.amountMinor) }),
      );
    },
    /** The balance in minor units; null when the operator does not tell it (the debit then decides). */
    async checkAirtimeBalance(phoneNumber: string, operator: string): Promise<string | null> {
      return (await deps.telco.checkBalance(phoneNumber, operator)).balanceMinor?.toString() ?? null;
    },
    debitAirtime: (input: AirtimeMovementInput) => move('debit', input),
    creditAirtime: (input: AirtimeMovementInput) => move('credit', input),
    /**
     * A reply, in as many SMS as it needs (lib/sms/segments), each part with its own reference
     * (`<reference>:2/3`; one part keeps the reference itself) and recorded once sent: a retry skips the
     * parts recorded and the operator drops a part it took but we did not record, so none goes twice.
     */
    async sendSms(phoneNumber: string, message: string, reference: string): Promise<{ parts: number }> {
      const parts = smsParts(message);
      const references = parts.map((_, i) =>
        parts.length === 1 ? reference : `${reference}:${i + 1}/${parts.length}`,
      );
      const recorded = await deps.smsMessages.recordedReferences(references);
      for (const [i, text] of parts.entries()) {
        const partReference = references[i]!;
        if (recorded.has(partReference)) continue;
        const sent = await deps.messaging.sendSms(phoneNumber, text, partReference);
        await deps.smsMessages.recordOutbound({
          phoneNumber,
          reference: partReference,
          text,
          part: i + 1,
          parts: parts.length,
          providerMessageId: sent.messageId,
          status: sent.status,
        });
      }
      return { parts: parts.length };
    },
  });
  return withOperatorRetryAdvice(activities);
}

export type TelcoActivities = ReturnType<typeof createTelcoActivities>;
