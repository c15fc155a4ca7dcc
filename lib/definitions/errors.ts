/**
 * Every failure anybody can see, in one list: workflow rejections, activity errors the workflows act on,
 * and the API's own. Each carries the HTTP status it maps to, so the API's error handler is one lookup,
 * and whether a retry can help (activity retry policies read it). Tests and the API read the type, not
 * the text. Side-effect free: workflows import it.
 */
export const Failures = {
  // The request itself
  InvalidRequest: { status: 400, retryable: false },
  InvalidAmount: { status: 400, retryable: false },
  InvalidPhoneNumber: { status: 400, retryable: false },
  UnsupportedCountry: { status: 400, retryable: false },
  UnknownOperator: { status: 400, retryable: false },
  SelfTransfer: { status: 400, retryable: false },
  UnsupportedTransfer: { status: 400, retryable: false },
  AmountBelowMinimum: { status: 400, retryable: false },
  AmountAboveMaximum: { status: 400, retryable: false },
  AmountTooSmall: { status: 400, retryable: false },
  IdempotencyKeyReused: { status: 409, retryable: false },
  NotFound: { status: 404, retryable: false },
  /** an ops action on a movement that is not waiting for it (not held, no failed refund, already decided) */
  NotWaiting: { status: 409, retryable: false },
  // Who may call what (API keys, webhook secrets) and how often
  Unauthorized: { status: 401, retryable: false },
  Forbidden: { status: 403, retryable: false },
  PayloadTooLarge: { status: 413, retryable: false },
  RateLimited: { status: 429, retryable: true },
  // Business rules and balances, decided inside the workflows
  DailyLimitExceeded: { status: 422, retryable: false },
  InsufficientAirtime: { status: 422, retryable: false },
  InsufficientTxtc: { status: 422, retryable: false },
  Cancelled: { status: 409, retryable: false },
  PayerBusy: { status: 409, retryable: false },
  ConsentRefused: { status: 422, retryable: false },
  ConsentExpired: { status: 422, retryable: false },
  // Fraud rules (lib/fraud/rules.ts): refused outright, or held for ops and then rejected or left undecided
  NumberBlocked: { status: 422, retryable: false },
  PinLocked: { status: 422, retryable: false },
  VelocityExceeded: { status: 422, retryable: false },
  HoldRejected: { status: 422, retryable: false },
  HoldExpired: { status: 422, retryable: false },
  // What operators and the chain answer
  OperatorRejected: { status: 502, retryable: false },
  MintRejected: { status: 502, retryable: false },
  TransferRejected: { status: 502, retryable: false },
  ReferenceConflict: { status: 500, retryable: false },
  TelcoTimeout: { status: 504, retryable: true },
  RefundFailed: { status: 500, retryable: false },
  /** the operator float a payout comes from cannot cover it (lib/floats.ts): refused before any debit */
  PayoutUnavailable: { status: 503, retryable: false },
  // The platform
  Unavailable: { status: 503, retryable: true },
  /** the pool's price left its time-weighted average (a push?) or is not watched: no quote, try later */
  PriceUnavailable: { status: 503, retryable: false },
  InternalError: { status: 500, retryable: true },
} as const satisfies Record<
  string,
  { status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 502 | 503 | 504; retryable: boolean }
>;

export type FailureType = keyof typeof Failures;

/** The failure types themselves, e.g. `FailureTypes.InsufficientAirtime === 'InsufficientAirtime'`. */
export const FailureTypes = Object.fromEntries(Object.keys(Failures).map((k) => [k, k])) as { [K in FailureType]: K };

/** Types no retry can change: activity retry policies stop on them. */
export const NON_RETRYABLE: FailureType[] = (Object.keys(Failures) as FailureType[]).filter(
  (k) => !Failures[k].retryable,
);

export function isFailureType(type: string | undefined | null): type is FailureType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(Failures, type);
}

/** HTTP status of a failure type; unknown types are internal errors. */
export function httpStatusOf(type: string): (typeof Failures)[FailureType]['status'] {
  return isFailureType(type) ? Failures[type].status : 500;
}

/** A failure as it is recorded and shown: its type and a sentence a person can read. */
export interface Failure {
  type: string;
  message: string;
}

/**
 * A domain error outside workflows (parsers, repositories, the API): one class, typed by a failure
 * type, so every layer maps it the same way.
 */
export class BridgeError extends Error {
  constructor(
    readonly code: FailureType,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}
