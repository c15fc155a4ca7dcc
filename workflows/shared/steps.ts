/** Helpers every money workflow uses: what a failure was, and moving state and record on together. */
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { FailureTypes, type Failure, type FailureType } from '../../lib/definitions/errors';
import type { LimitsWire, TransferStatus } from '../../lib/definitions/common';
import { usdLimitBreach } from '../../lib/money/transfer';
import { formatLimit, type LimitUnit } from '../../lib/money/format';
import type { Refusal } from '../../lib/messages/sms';
import { showInSearch } from './search';

/** The ApplicationFailure inside whatever failed (an activity's is found inside its wrapper). */
function applicationFailureIn(err: unknown): ApplicationFailure | undefined {
  let e: unknown = err;
  while (
    e &&
    typeof e === 'object' &&
    !(e instanceof ApplicationFailure) &&
    'cause' in e &&
    (e as { cause?: unknown }).cause
  ) {
    e = e.cause;
  }
  return e instanceof ApplicationFailure ? e : undefined;
}

/** The type and message of whatever failed; an activity's ApplicationFailure is found inside its wrapper. */
export function failureOf(err: unknown): Failure {
  if (isCancellation(err)) return { type: FailureTypes.Cancelled, message: 'cancelled before any money moved' };
  const e = applicationFailureIn(err);
  if (e) return { type: e.type ?? 'Error', message: e.message };
  return { type: 'Error', message: err instanceof Error ? err.message : String(err) };
}

/** A refusal as the person's SMS words it: the failure, with the limit it broke when a limit check threw it. */
export function refusalOf(err: unknown): Refusal {
  const failure = failureOf(err);
  const detail: unknown = isCancellation(err) ? undefined : applicationFailureIn(err)?.details?.[0];
  const limit = detail && typeof detail === 'object' ? (detail as { limit?: unknown }).limit : undefined;
  return typeof limit === 'string' ? { ...failure, limit } : failure;
}

/**
 * A compensation (`step`: refund, return) that failed too: the record moves to `stage`, keeping the first
 * failure's type, its message saying what then failed. Returns the compensation's own failure.
 */
export async function compensationFailed<Stage extends string>(
  advance: (update: { stage: Stage; status: 'failed'; failure: Failure }) => Promise<void>,
  stage: Stage,
  step: string,
  first: Failure,
  err: unknown,
): Promise<Failure> {
  const then = failureOf(err);
  await advance({
    stage,
    status: 'failed',
    failure: { type: first.type, message: `${first.message}; ${step} failed: ${then.message}` },
  });
  return then;
}

/**
 * A business rejection thrown from workflow code, typed from the one list (or passed on as it came); a limit
 * check adds the `limit` it broke, formatted, for the SMS to word (refusalOf). The record keeps `message`.
 */
export function rejection(
  type: FailureType | (string & NonNullable<unknown>),
  message: string,
  limit?: string,
): ApplicationFailure {
  return limit === undefined
    ? ApplicationFailure.nonRetryable(message, type)
    : ApplicationFailure.nonRetryable(message, type, { limit });
}

/**
 * Refuses a movement worth `usdMicros` that breaks a per-transaction or the daily limit (`noun`: "transfer"),
 * telling the limit in the unit the person used (`unit`).
 */
export function checkUsdLimits(usdMicros: bigint, wire: LimitsWire, noun: string, unit?: LimitUnit): void {
  const limits = {
    minUsdCents: BigInt(wire.minUsdCents),
    maxUsdCents: BigInt(wire.maxUsdCents),
    dailyUsdCents: BigInt(wire.dailyUsdCents),
  };
  const breach = usdLimitBreach(usdMicros, BigInt(wire.usedTodayUsdMicros), limits);
  if (breach) throw limitRejection(breach, noun, limits, unit);
}

/** The rejection of a `noun` that broke a limit: a minimum rounded up, a maximum down, in the person's unit. */
export function limitRejection(
  breach: 'below' | 'above' | 'daily',
  noun: string,
  limits: { minUsdCents: bigint; maxUsdCents: bigint; dailyUsdCents: bigint },
  unit?: LimitUnit,
): ApplicationFailure {
  if (breach === 'below') {
    const limit = formatLimit(limits.minUsdCents, 'up', unit);
    return rejection('AmountBelowMinimum', `the smallest ${noun} is ${limit}`, limit);
  }
  if (breach === 'above') {
    const limit = formatLimit(limits.maxUsdCents, 'down', unit);
    return rejection('AmountAboveMaximum', `the largest ${noun} is ${limit}`, limit);
  }
  const limit = formatLimit(limits.dailyUsdCents, 'down', unit);
  return rejection('DailyLimitExceeded', `this would pass your daily limit of ${limit}`, limit);
}

interface Tracked<Stage extends string> {
  stage: Stage;
  status: TransferStatus;
  failure?: Failure;
}

export interface StageUpdate<Stage extends string> {
  stage: Stage;
  status?: TransferStatus;
  failure?: Failure;
}

/**
 * One step forward in the workflow's state (what the query answers), its search attributes (what ops
 * filter on in the Temporal UI) and its record (what the API and ops read), always together. Runs even
 * while the workflow is being cancelled: a record must say how things ended.
 */
export function stageKeeper<Stage extends string, Update extends StageUpdate<Stage>>(
  state: Tracked<Stage>,
  persist: (update: Update) => Promise<void>,
): (update: Update) => Promise<void> {
  return async (update) => {
    state.stage = update.stage;
    if (update.status) state.status = update.status;
    if (update.failure) state.failure = update.failure;
    showInSearch({ stage: state.stage, status: state.status });
    await CancellationScope.nonCancellable(() => persist(update));
  };
}
