/** What every activity factory shares: domain errors become typed Temporal failures in one place. */
import { ApplicationFailure } from '@temporalio/activity';
import { BridgeError, Failures } from '../workflows/definitions/errors';
import type { LimitsWire } from '../workflows/definitions/common';
import type { Config } from '../lib/config';

/** The configured limits and what the number moved today, as a money workflow receives them. */
export function limitsWire(limits: Config['limits'], usedTodayUsdMicros: bigint): LimitsWire {
  return {
    minUsdCents: limits.minUsdCents.toString(),
    maxUsdCents: limits.maxUsdCents.toString(),
    dailyUsdCents: limits.dailyUsdCents.toString(),
    usedTodayUsdMicros: usedTodayUsdMicros.toString(),
  };
}

/** A domain error as the workflow sees it: its failure type, retryable only when the list says so. */
function toFailure(e: unknown): unknown {
  if (!(e instanceof BridgeError)) return e;
  return Failures[e.code].retryable
    ? ApplicationFailure.retryable(e.message, e.code)
    : ApplicationFailure.nonRetryable(e.message, e.code);
}

/** Wraps each activity so that a BridgeError it throws reaches the workflow with its type. */
export function withTypedFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          throw toFailure(e);
        }
      },
    ]),
  ) as T;
}
