/** What every activity factory shares: domain errors become typed Temporal failures in one place. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { BridgeError, Failures } from '../lib/definitions/errors';
import type { LimitsWire } from '../lib/definitions/common';
import type { Config } from '../lib/config';
import type { Services } from '../lib/services';

/** What a bookkeeping factory takes: the services it uses, as the service graph builds them, and the config it reads. */
export type FactoryDeps<S extends keyof Services, C extends keyof Config> = Pick<Services, S> & {
  config: Pick<Config, C>;
};

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

export type ActivityMap = Record<string, (...args: never[]) => Promise<unknown>>;

/** Wraps every activity of a factory the same way (typed failures, heartbeats, an operator's retry advice). */
function wrapEach<T extends ActivityMap>(
  activities: T,
  wrap: (fn: (...args: never[]) => Promise<unknown>) => (...args: never[]) => Promise<unknown>,
): T {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, wrap(fn)])) as T;
}

/** Wraps each activity so that what it throws reaches the workflow as `translate` makes it. */
export function translatingFailures<T extends ActivityMap>(activities: T, translate: (e: unknown) => unknown): T {
  return wrapEach(activities, (fn) => async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      throw translate(e);
    }
  });
}

/** Wraps each activity so that a BridgeError it throws reaches the workflow with its type. */
export function withTypedFailures<T extends ActivityMap>(activities: T): T {
  return translatingFailures(activities, toFailure);
}

/** How often a call says it is alive while it waits (the SDK sends at most one per 80% of the timeout). */
const HEARTBEAT_EVERY_MS = 2000;

/**
 * Runs a call heartbeating on a timer, so an attempt lost with its worker is retried once the heartbeat
 * timeout passes instead of the start-to-close timeout. The timer proves the worker alive, not the node or
 * the operator: the call's own timeouts and start-to-close bound one that stops answering. A cancelled
 * attempt (timed out, worker shutting down) stops waiting; what it sent may still land, and the retry finds
 * it by its reference (the chain's event, the operator's status).
 */
export async function heartbeating<T>(call: () => Promise<T>): Promise<T> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return call(); // outside an activity (a direct call): nobody to tell
  }
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (!timeoutMs) return call(); // the SDK asks for no heartbeats without a heartbeat timeout
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), Math.min(HEARTBEAT_EVERY_MS, timeoutMs / 3));
  try {
    return await Promise.race([call(), context.cancelled]);
  } finally {
    clearInterval(timer);
  }
}

/** Wraps each activity so that it heartbeats while it runs (the chain's and the operator's calls). */
export function heartbeatingAll<T extends ActivityMap>(activities: T): T {
  return wrapEach(activities, (fn) => {
    return (...args) => heartbeating(() => fn(...args));
  });
}

/** What a worker's log line says of the activity it was logged in (nothing outside one). */
export function activityLogContext(): Record<string, unknown> {
  try {
    const info = Context.current().info;
    return { workflowId: info.workflowExecution?.workflowId, activityType: info.activityType, attempt: info.attempt };
  } catch {
    return {};
  }
}
