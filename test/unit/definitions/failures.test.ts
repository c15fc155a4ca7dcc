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
