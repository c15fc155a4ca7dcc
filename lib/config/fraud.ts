/** The fraud rules the money workflows apply before money moves (lib/fraud/rules.ts); 0 turns a rule off. */
import { decimal, int, nonNegativeInt } from './kinds';
import { variable } from './variable';

export const fraudVariables = {
  velocityMaxMovements: variable('FRAUD_VELOCITY_MAX_MOVEMENTS', nonNegativeInt.default(10)),
  velocityWindowMinutes: variable('FRAUD_VELOCITY_WINDOW_MINUTES', int(1, 1440).default(10)),
  maxReceiversPerHour: variable('FRAUD_MAX_RECEIVERS_PER_HOUR', nonNegativeInt.default(5)),
  holdAboveUsdCents: variable('FRAUD_HOLD_ABOVE_USD', decimal(2, '50')),
  newNumberHoldAboveUsdCents: variable('FRAUD_NEW_NUMBER_HOLD_ABOVE_USD', decimal(2, '20')),
  holdSendersPerReceiver: variable('FRAUD_HOLD_SENDERS_PER_RECEIVER', nonNegativeInt.default(10)),
  holdTimeoutSeconds: variable('FRAUD_HOLD_TIMEOUT', int(1, 2_592_000).default(86400)),
};
