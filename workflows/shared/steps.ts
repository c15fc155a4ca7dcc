/** Helpers every money workflow uses: what a failure was, and moving state and record on together. */
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { FailureTypes, type Failure, type FailureType } from '../../lib/definitions/errors';
import type { LimitsWire, TransferStatus } from '../../lib/definitions/common';
import { usdLimitBreach } from '../../lib/money/transfer';
import { formatLimit, type LimitUnit } from '../../lib/money/format';
import { showInSearch } from './search';

/** The type and message of whatever failed; an activity's ApplicationFailure is found inside its wrapper. */
export function failureOf(err: unknown): Failure {
  if (isCancellation(err)) return { type: FailureTypes.Cancelled, message: 'cancelled before any money moved' };
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
  if (e instanceof ApplicationFailure) return { type: e.type ?? 'Error', message: e.message };
  return { type: 'Error', message: err instanceof Error ? err.message : String(err) };
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

/** A business rejection thrown from workflow code, typed from the one list (or passed on as it came). */
export function rejection(type: FailureType | (string & NonNullable<unknown>), message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
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
  if (breach === 'below')
    throw rejection('AmountBelowMinimum', `the smallest ${noun} is ${formatLimit(limits.minUsdCents, 'up', unit)}`);
  if (breach === 'above')
    throw rejection('AmountAboveMaximum', `the largest ${noun} is ${formatLimit(limits.maxUsdCents, 'down', unit)}`);
  if (breach === 'daily')
    throw rejection(
      'DailyLimitExceeded',
      `this would pass your daily limit of ${formatLimit(limits.dailyUsdCents, 'down', unit)}`,
    );
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
