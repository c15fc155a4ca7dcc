import { evaluateFraud, type FraudFacts, type FraudRules } from '../../../lib/fraud/rules';

const rules: FraudRules = {
  velocityMaxMovements: 10,
  velocityWindowMinutes: 10,
  maxReceiversPerHour: 5,
  holdAboveUsdCents: 5000n,
  newNumberHoldAboveUsdCents: 2000n,
  holdSendersPerReceiver: 10,
  holdTimeoutSeconds: 86400,
};

/** An ordinary $10 transfer of a number that used the service before. */
const facts = (over: Partial<FraudFacts> = {}): FraudFacts => ({
  kind: 'airtime',
  usdMicros: 10_000_000n,
  blocked: [],
  recentMovements: 0,
  receiversThisHour: 1,
  sendersToReceiverThisHour: 1,
  knownNumber: true,
  ...over,
});

const usd = (dollars: number, extraMicros = 0n) => BigInt(dollars) * 1_000_000n + extraMicros;

test('an ordinary movement is allowed', () => {
  expect(evaluateFraud(facts(), rules)).toEqual({ action: 'allow' });
  expect(evaluateFraud(facts({ kind: 'conversion', knownNumber: false, usdMicros: usd(40) }), rules)).toEqual({
    action: 'allow',
  });
});

test('a blocked sender or receiver (number or wallet) is refused, the sender named first', () => {
  expect(evaluateFraud(facts({ blocked: [{ party: 'sender', kind: 'phone' }] }), rules)).toMatchObject({
    action: 'refuse',
    type: 'NumberBlocked',
    rule: 'blocked-sender-phone',
  });
  expect(evaluateFraud(facts({ blocked: [{ party: 'receiver', kind: 'wallet' }] }), rules)).toMatchObject({
    action: 'refuse',
    type: 'NumberBlocked',
    rule: 'blocked-receiver-wallet',
    message: 'the receiver may not receive money',
  });
  // A block wins over a hold: a large amount from a blocked number is refused, not held.
  expect(
    evaluateFraud(facts({ usdMicros: usd(90), blocked: [{ party: 'sender', kind: 'phone' }] }), rules),
  ).toMatchObject({ action: 'refuse', type: 'NumberBlocked' });
});

test('velocity: the movement past N in the window is refused, the Nth is not', () => {
  expect(evaluateFraud(facts({ recentMovements: 9 }), rules)).toEqual({ action: 'allow' });
  expect(evaluateFraud(facts({ recentMovements: 10 }), rules)).toMatchObject({
    action: 'refuse',
    type: 'VelocityExceeded',
    rule: 'velocity',
    message: 'more than 10 requests in 10 minutes',
  });
  expect(evaluateFraud(facts({ kind: 'conversion', recentMovements: 10 }), rules)).toMatchObject({
    type: 'VelocityExceeded',
  });
  expect(evaluateFraud(facts({ recentMovements: 500 }), { ...rules, velocityMaxMovements: 0 })).toEqual({
    action: 'allow',
  });
});

test('more than K distinct receivers in an hour is refused for transfers only', () => {
  expect(evaluateFraud(facts({ receiversThisHour: 5 }), rules)).toEqual({ action: 'allow' });
  expect(evaluateFraud(facts({ receiversThisHour: 6 }), rules)).toMatchObject({
    action: 'refuse',
    type: 'VelocityExceeded',
    rule: 'receivers',
  });
  expect(evaluateFraud(facts({ kind: 'conversion', receiversThisHour: 6 }), rules)).toEqual({ action: 'allow' });
});

test('above FRAUD_HOLD_ABOVE_USD is held, exactly at it is not (compared to the micro-dollar)', () => {
  expect(evaluateFraud(facts({ usdMicros: usd(50) }), rules)).toEqual({ action: 'allow' });
  expect(evaluateFraud(facts({ usdMicros: usd(50, 1n) }), rules)).toEqual({
    action: 'hold',
    rules: 'large-amount',
    reason: 'worth more than $50.00',
    timeoutSeconds: 86400,
  });
  expect(evaluateFraud(facts({ kind: 'conversion', usdMicros: usd(51) }), rules)).toMatchObject({
    action: 'hold',
    rules: 'large-amount',
  });
  expect(evaluateFraud(facts({ usdMicros: usd(99) }), { ...rules, holdAboveUsdCents: 0n })).toEqual({
    action: 'allow',
  });
});

test("a new number's first transfer above $X is held; a known number's, or a conversion, is not", () => {
  expect(evaluateFraud(facts({ knownNumber: false, usdMicros: usd(20) }), rules)).toEqual({ action: 'allow' });
  expect(evaluateFraud(facts({ knownNumber: false, usdMicros: usd(21) }), rules)).toMatchObject({
    action: 'hold',
    rules: 'new-number',
  });
  expect(evaluateFraud(facts({ knownNumber: true, usdMicros: usd(21) }), rules)).toEqual({ action: 'allow' });
  expect(evaluateFraud(facts({ kind: 'conversion', knownNumber: false, usdMicros: usd(21) }), rules)).toEqual({
    action: 'allow',
  });
});

test('many numbers funding one receiver in an hour holds the transfer; every reason is kept', () => {
  expect(evaluateFraud(facts({ sendersToReceiverThisHour: 10 }), rules)).toEqual({ action: 'allow' });
  expect(
    evaluateFraud(facts({ sendersToReceiverThisHour: 11, knownNumber: false, usdMicros: usd(60) }), rules),
  ).toEqual({
    action: 'hold',
    rules: 'large-amount,new-number,many-senders',
    reason:
      "worth more than $50.00; a new number's first transfer above $20.00; the receiver was sent money by 11 numbers in an hour",
    timeoutSeconds: 86400,
  });
});

test('a refusal wins over a hold', () => {
  expect(evaluateFraud(facts({ usdMicros: usd(90), recentMovements: 10 }), rules)).toMatchObject({
    action: 'refuse',
    type: 'VelocityExceeded',
  });
});
