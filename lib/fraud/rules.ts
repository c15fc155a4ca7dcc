/**
 * The fraud rules, pure: what the prepare step of a money workflow counted under the number's lock (facts)
 * and the configured thresholds (rules) give one verdict. Refusals first (a blocked party, too many movements
 * in the window, too many receivers in an hour), then holds for ops review (a large amount, a new number's
 * large first transfer, many numbers funding one receiver). A threshold of 0 turns its rule off.
 */
import type { FraudVerdict } from '../definitions/fraud';
import { formatUsdCents } from '../money/format';

export interface FraudRules {
  /** refuse more than this many money movements from one number in the window (0: off) */
  velocityMaxMovements: number;
  velocityWindowMinutes: number;
  /** refuse a transfer to more than this many distinct receivers from one number in an hour (0: off) */
  maxReceiversPerHour: number;
  /** hold any movement worth more than this (0: off) */
  holdAboveUsdCents: bigint;
  /** hold a number's first transfer when it is worth more than this (0: off) */
  newNumberHoldAboveUsdCents: bigint;
  /** hold a transfer to a number that more than this many distinct numbers funded in an hour (0: off) */
  holdSendersPerReceiver: number;
  /** how long a held movement waits for ops before it is rejected */
  holdTimeoutSeconds: number;
}

export type MovementKind = 'conversion' | 'airtime' | 'txtc' | 'hybrid';

export interface FraudFacts {
  kind: MovementKind;
  usdMicros: bigint;
  /** listed entries that name a party of this movement (its number, or its wallet for TXTC) */
  blocked: { party: 'sender' | 'receiver'; kind: 'phone' | 'wallet' }[];
  /** the number's other money movements (not failed) in the velocity window */
  recentMovements: number;
  /** distinct receivers of the number's transfers in the last hour, this one included (transfers) */
  receiversThisHour: number;
  /** distinct numbers that sent to this receiver in the last hour, this sender included (transfers) */
  sendersToReceiverThisHour: number;
  /** whether the number ever completed a money movement before */
  knownNumber: boolean;
  /** the sender's PIN is locked (too many wrong tries, any channel): no money moves until it is reset */
  pinLocked?: boolean;
}

const isTransfer = (kind: MovementKind) => kind !== 'conversion';

export function evaluateFraud(facts: FraudFacts, rules: FraudRules): FraudVerdict {
  const blocked = facts.blocked[0];
  if (blocked) {
    return {
      action: 'refuse',
      type: 'NumberBlocked',
      rule: `blocked-${blocked.party}-${blocked.kind}`,
      message: blocked.party === 'sender' ? 'this number may not move money' : 'the receiver may not receive money',
    };
  }
  if (facts.pinLocked) {
    return {
      action: 'refuse',
      type: 'PinLocked',
      rule: 'pin-locked',
      message: 'this number is locked after too many wrong PINs; reset the PIN to move money',
    };
  }
  if (rules.velocityMaxMovements > 0 && facts.recentMovements + 1 > rules.velocityMaxMovements) {
    return {
      action: 'refuse',
      type: 'VelocityExceeded',
      rule: 'velocity',
      message: `more than ${rules.velocityMaxMovements} requests in ${rules.velocityWindowMinutes} minutes`,
    };
  }
  if (isTransfer(facts.kind) && rules.maxReceiversPerHour > 0 && facts.receiversThisHour > rules.maxReceiversPerHour) {
    return {
      action: 'refuse',
      type: 'VelocityExceeded',
      rule: 'receivers',
      message: `transfers to more than ${rules.maxReceiversPerHour} numbers in an hour`,
    };
  }

  // Exactly: micro-USD against cents, no rounding of the amount.
  const above = (limitUsdCents: bigint) => limitUsdCents > 0n && facts.usdMicros > limitUsdCents * 10_000n;
  const holds: { rule: string; reason: string }[] = [];
  if (above(rules.holdAboveUsdCents)) {
    holds.push({ rule: 'large-amount', reason: `worth more than ${formatUsdCents(rules.holdAboveUsdCents)}` });
  }
  if (isTransfer(facts.kind) && !facts.knownNumber && above(rules.newNumberHoldAboveUsdCents)) {
    holds.push({
      rule: 'new-number',
      reason: `a new number's first transfer above ${formatUsdCents(rules.newNumberHoldAboveUsdCents)}`,
    });
  }
  if (
    isTransfer(facts.kind) &&
    rules.holdSendersPerReceiver > 0 &&
    facts.sendersToReceiverThisHour > rules.holdSendersPerReceiver
  ) {
    holds.push({
      rule: 'many-senders',
      reason: `the receiver was sent money by ${facts.sendersToReceiverThisHour} numbers in an hour`,
    });
  }
  if (!holds.length) return { action: 'allow' };
  return {
    action: 'hold',
    rules: holds.map((h) => h.rule).join(','),
    reason: holds.map((h) => h.reason).join('; '),
    timeoutSeconds: rules.holdTimeoutSeconds,
  };
}
