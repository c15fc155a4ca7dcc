/**
 * The telco ports. Airtime (balance, debit, credit, a same-operator transfer where the operator offers one,
 * and the status of an earlier movement) and messaging (SMS) are separate products on every aggregator,
 * so they are separate ports; an adapter may implement both. Money calls carry the caller's reference,
 * and an adapter returns the first result for a reference it has seen, never moving money twice.
 */
import { BridgeError } from '../definitions/errors';

export interface AirtimeBalance {
  phoneNumber: string;
  operator: string;
  currency: string;
  /**
   * null when the operator does not tell a merchant the balance (mobile-money wallets: MTN MoMo, Airtel
   * Money); there the debit is a payment the person approves on the handset, and its answer decides.
   */
  balanceMinor: bigint | null;
}

export interface AirtimeMovement {
  phoneNumber: string;
  operator: string;
  amountMinor: bigint;
  reference: string;
}

/** Same-operator P2P: the operator moves airtime from one subscriber to another in one call. */
export interface AirtimeTransfer {
  fromPhone: string;
  toPhone: string;
  operator: string;
  amountMinor: bigint;
  reference: string;
}

export type MovementKind = 'debit' | 'credit' | 'transfer';

/**
 * What a real operator needs to find an earlier movement: the reference, and which operator and which
 * kind of movement it was (MTN MoMo keeps collections and disbursements apart, for one).
 */
export interface MovementLookup {
  reference: string;
  operator: string;
  kind: MovementKind;
}

export interface TelcoResult {
  reference: string;
  status: 'committed' | 'rejected';
  /** why a movement was rejected, e.g. InsufficientAirtime */
  reason?: string;
  /** a rejection as the person should read it ("you declined the payment on your phone") */
  message?: string;
  /** the (sending) subscriber's balance after the movement */
  balanceAfterMinor?: bigint;
  /** a transfer's receiver balance after it */
  receiverBalanceAfterMinor?: bigint;
  /**
   * What the operator recorded under the reference, where its status tells it: an earlier movement is ours
   * only when these match what we asked for (movementConflict).
   */
  recorded?: { kind?: MovementKind | 'topup'; phoneNumber?: string; amountMinor?: bigint };
}

/**
 * Why a movement found under our reference is not the one we asked for (another kind, number or amount),
 * or undefined when everything the operator told us matches. A colliding reference is never a payment.
 */
export function movementConflict(
  found: TelcoResult,
  asked: { kind: MovementKind; phoneNumber?: string; amountMinor?: bigint },
): string | undefined {
  const r = found.recorded;
  if (!r) return undefined;
  if (r.kind !== undefined && r.kind !== asked.kind) return `it was a ${r.kind}, not a ${asked.kind}`;
  if (r.phoneNumber !== undefined && asked.phoneNumber !== undefined && r.phoneNumber !== asked.phoneNumber)
    return 'it was for another number';
  if (r.amountMinor !== undefined && asked.amountMinor !== undefined && r.amountMinor !== asked.amountMinor)
    return 'it was for another amount';
  return undefined;
}

export interface TelcoOperator {
  readonly name: string;
  checkBalance(phoneNumber: string, operator: string): Promise<AirtimeBalance>;
  debit(movement: AirtimeMovement): Promise<TelcoResult>;
  credit(movement: AirtimeMovement): Promise<TelcoResult>;
  /** Present when the operator moves airtime between two of its subscribers in one call. */
  transfer?(transfer: AirtimeTransfer): Promise<TelcoResult>;
  /** The result of an earlier movement; undefined when the operator never saw the reference. */
  status(lookup: MovementLookup): Promise<TelcoResult | undefined>;
}

/** What the provider said of an SMS it took: its id (delivery reports name it), its status ('Success', 'Sent'). */
export interface SmsSent {
  messageId: string;
  status: string;
}

export interface MessagingPort {
  readonly name: string;
  /** One SMS that fits one (the activity splits longer text); a repeated reference is dropped if it can be. */
  sendSms(phoneNumber: string, message: string, reference: string): Promise<SmsSent>;
}

/** The operator did not answer in time: the call may or may not have committed. Ask status(reference). */
export class TelcoTimeoutError extends BridgeError {
  constructor(
    readonly reference: string,
    message = `operator timed out on ${reference}; outcome unknown`,
  ) {
    super('TelcoTimeout', message);
    this.name = 'TelcoTimeoutError';
  }
}

/**
 * The operator has the movement but no final answer yet (a payment waiting for the person's approval on
 * the handset): retryable, and settled by asking its status again until it is final.
 */
export class TelcoPendingError extends TelcoTimeoutError {
  constructor(reference: string, operator: string) {
    super(reference, `${operator} has ${reference} pending; not final yet`);
    this.name = 'TelcoPendingError';
  }
}

/** The operator refused the call before doing anything (outage, throttling): safe to retry. */
export class TelcoUnavailableError extends Error {
  constructor(
    message: string,
    /** how long the operator asked us to wait (Retry-After, an open circuit), when it said */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TelcoUnavailableError';
  }
}

/** A reference was reused for a different movement: a bug upstream, never retried. */
export class TelcoReferenceConflictError extends BridgeError {
  constructor(
    readonly reference: string,
    why?: string,
  ) {
    super(
      'ReferenceConflict',
      `reference ${reference} was already used for a different movement${why ? `: ${why}` : ''}`,
    );
    this.name = 'TelcoReferenceConflictError';
  }
}

/**
 * What the platform holds at an operator to pay out from (the float): MoMo's disbursement and collection
 * accounts, Africa's Talking's application balance. Read on a schedule (lib/floats.ts); a payout the float
 * cannot cover is refused before any debit.
 */
export interface FloatReading {
  /** which of the operator's accounts: disbursement, collection, application */
  account: string;
  currency: string;
  balanceMinor: bigint;
}

export interface FloatPort {
  readonly name: string;
  /** the account payouts (credits) come from */
  readonly payoutAccount: string;
  floats(): Promise<FloatReading[]>;
}
