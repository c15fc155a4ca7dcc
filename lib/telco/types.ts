/**
 * The one telco interface. Every operator adapter (the simulated operator today; Africa's Talking,
 * MTN MoMo and Airtel later) implements it. Money calls carry the caller's reference, and an adapter
 * returns the first result for a reference it has seen, never moving money twice.
 */
export interface AirtimeBalance {
  phoneNumber: string;
  operator: string;
  currency: string;
  balanceMinor: bigint;
}

export interface AirtimeMovement {
  phoneNumber: string;
  operator: string;
  amountMinor: bigint;
  reference: string;
}

export interface TelcoResult {
  reference: string;
  status: 'committed' | 'rejected';
  /** why a movement was rejected, e.g. InsufficientAirtime */
  reason?: string;
  balanceAfterMinor?: bigint;
}

export interface TelcoOperator {
  readonly name: string;
  checkBalance(phoneNumber: string, operator: string): Promise<AirtimeBalance>;
  debit(movement: AirtimeMovement): Promise<TelcoResult>;
  credit(movement: AirtimeMovement): Promise<TelcoResult>;
  /** The result of an earlier debit/credit by its reference; undefined when the operator never saw it. */
  status(reference: string): Promise<TelcoResult | undefined>;
  sendSms(phoneNumber: string, message: string, reference: string): Promise<void>;
}

/** The operator did not answer in time: the call may or may not have committed. Ask status(reference). */
export class TelcoTimeoutError extends Error {
  constructor(readonly reference: string) {
    super(`operator timed out on ${reference}; outcome unknown`);
    this.name = 'TelcoTimeoutError';
  }
}

/** The operator refused the call before doing anything (outage, throttling): safe to retry. */
export class TelcoUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelcoUnavailableError';
  }
}

/** A reference was reused for a different movement: a bug upstream, never retried. */
export class TelcoReferenceConflictError extends Error {
  constructor(readonly reference: string) {
    super(`reference ${reference} was already used for a different movement`);
    this.name = 'TelcoReferenceConflictError';
  }
}
