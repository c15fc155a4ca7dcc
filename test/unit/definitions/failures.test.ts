import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BridgeError, Failures, FailureTypes, NON_RETRYABLE, httpStatusOf } from '../../../lib/definitions';
import { DecimalError, parseDecimal } from '../../../lib/money/decimal';
import { AmountTooSmallError } from '../../../lib/money/conversion';
import { PhoneNumberError, identifySubscriber } from '../../../lib/telco/detect';
import { UnknownOperatorError } from '../../../lib/rates';
import { MintRejectedError } from '../../../lib/chain/txtc';
import { TelcoReferenceConflictError, TelcoTimeoutError } from '../../../lib/telco/types';
import { RecordNotFoundError } from '../../../lib/db/conversions';

test('every failure type anybody can see has one HTTP status, and unknown types are 500', () => {
  for (const [type, { status }] of Object.entries(Failures)) {
    expect(FailureTypes[type as keyof typeof FailureTypes]).toBe(type);
    expect(httpStatusOf(type)).toBe(status);
  }
  expect(httpStatusOf('SomethingNew')).toBe(500);
  // The ones the issue named as living outside the list before.
  for (const type of [
    'RefundFailed',
    'TelcoTimeout',
    'IdempotencyKeyReused',
    'Unavailable',
    'InvalidAmount',
    'NotFound',
  ]) {
    expect(Object.keys(Failures)).toContain(type);
  }
});

/**
 * The contract written out by hand, not read from the table: what each code answers over HTTP. A status
 * changed in lib/definitions/errors.ts (or a code added or dropped there) fails here until someone decides
 * it on purpose.
 */
const EXPECTED_STATUS: Record<string, number> = {
  InvalidRequest: 400,
  InvalidAmount: 400,
  InvalidPhoneNumber: 400,
  UnsupportedCountry: 400,
  UnknownOperator: 400,
  SelfTransfer: 400,
  UnsupportedTransfer: 400,
  AmountBelowMinimum: 400,
  AmountAboveMaximum: 400,
  AmountTooSmall: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  IdempotencyKeyReused: 409,
  NotWaiting: 409,
  Cancelled: 409,
  PayerBusy: 409,
  PayloadTooLarge: 413,
  DailyLimitExceeded: 422,
  InsufficientAirtime: 422,
  InsufficientTxtc: 422,
  ConsentRefused: 422,
  ConsentExpired: 422,
  NumberBlocked: 422,
  PinLocked: 422,
  VelocityExceeded: 422,
  HoldRejected: 422,
  HoldExpired: 422,
  RateLimited: 429,
  ReferenceConflict: 500,
  RefundFailed: 500,
  InternalError: 500,
  OperatorRejected: 502,
  MintRejected: 502,
  TransferRejected: 502,
  PayoutUnavailable: 503,
  Unavailable: 503,
  PriceUnavailable: 503,
  TelcoTimeout: 504,
};
/** Only these can change by trying again (a timeout, an outage, a rate limit, a crash). */
const EXPECTED_RETRYABLE = ['RateLimited', 'TelcoTimeout', 'Unavailable', 'InternalError'];

test('each failure type answers the HTTP status written out here by hand, and only outages are retried', () => {
  expect(Object.keys(Failures).sort()).toEqual(Object.keys(EXPECTED_STATUS).sort());
  for (const [type, status] of Object.entries(EXPECTED_STATUS)) {
    expect([type, httpStatusOf(type)]).toEqual([type, status]);
  }
  expect([...NON_RETRYABLE].sort()).toEqual(
    Object.keys(EXPECTED_STATUS)
      .filter((type) => !EXPECTED_RETRYABLE.includes(type))
      .sort(),
  );
});

test('docs/api.md lists every code under the status the table gives it', () => {
  const doc = readFileSync(resolve(__dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');
  const section = doc.slice(doc.indexOf('**Error codes**'), doc.indexOf('## API keys and scopes'));
  // The section reads `400` `InvalidRequest`, ...; `401` `Unauthorized` ...: a status, then its codes.
  const documented = new Map<string, string>();
  let group = '';
  for (const [, token] of section.matchAll(/`([^`]+)`/g)) {
    if (/^[1-5](\d\d|xx)$/.test(token!)) group = token!;
    else if (Object.prototype.hasOwnProperty.call(Failures, token!) && !documented.has(token!)) {
      documented.set(token!, group);
    }
  }
  for (const [type, status] of Object.entries(EXPECTED_STATUS)) {
    const group = documented.get(type);
    const matches = group === String(status) || (group === '5xx' && status >= 500);
    expect({ type, group, matches }).toEqual({ type, group, matches: true });
  }
});

test('UnknownOperator is a 400 wherever it comes from', () => {
  expect(httpStatusOf(new UnknownOperatorError('nope').code)).toBe(400);
  const fromPhone = (() => {
    try {
      identifySubscriber('+254712345678', 'glo');
    } catch (e) {
      return e as PhoneNumberError;
    }
  })();
  expect(fromPhone).toBeInstanceOf(BridgeError);
  expect(fromPhone?.code).toBe('UnknownOperator');
  expect(httpStatusOf(fromPhone!.code)).toBe(400);
});

test('domain errors of every layer carry their failure type', () => {
  const cases: [BridgeError, string][] = [
    [
      (() => {
        try {
          parseDecimal('1.234', 2);
        } catch (e) {
          return e as DecimalError;
        }
      })()!,
      'InvalidAmount',
    ],
    [new AmountTooSmallError(1n, 2n), 'AmountTooSmall'],
    [new MintRejectedError('ReferenceAlreadyUsed'), 'MintRejected'],
    [new TelcoTimeoutError('r'), 'TelcoTimeout'],
    [new TelcoReferenceConflictError('r'), 'ReferenceConflict'],
    [new RecordNotFoundError('conversion', 'x'), 'NotFound'],
  ];
  for (const [error, code] of cases) {
    expect(error).toBeInstanceOf(BridgeError);
    expect(error.code).toBe(code);
  }
});

test('retry policies stop on business failures and keep trying on timeouts and outages', () => {
  expect(NON_RETRYABLE).toEqual(
    expect.arrayContaining(['InsufficientAirtime', 'DailyLimitExceeded', 'MintRejected', 'RefundFailed']),
  );
  expect(NON_RETRYABLE).not.toContain('TelcoTimeout');
  expect(NON_RETRYABLE).not.toContain('Unavailable');
});
