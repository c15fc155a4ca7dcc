/**
 * Timeouts and retry policies by kind of call, in one place. Workflows proxy their activities with one of
 * these instead of literals of their own. Business failures (the one list, definitions/errors.ts) are
 * never retried; everything else is, with backoff.
 */
import { proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { FailureTypes, NON_RETRYABLE } from '../../lib/definitions/errors';

const backoff = { initialInterval: '1 second', backoffCoefficient: 2 } as const;

/**
 * How long an activity that heartbeats (every 2 s at most, activities/shared.ts `heartbeating`) may be silent
 * before Temporal takes it for lost with its worker and retries it. The recovery measurement (docs/safety.md)
 * found no heartbeat timeout among the waits of the slowest conversions after worker kills, so it stays at 10 s,
 * clear of a busy event loop's pauses.
 */
export const LOST_AFTER = '10 seconds';

/**
 * Operator calls: balance, debit, credit, transfer. A debit/credit asks status(reference) before acting.
 * Operator (and SMS) activities heartbeat, so an attempt lost with its worker is retried after 10 s.
 */
export const telcoCall: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: LOST_AFTER,
  retry: { ...backoff, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
};

/**
 * A debit the person approves on the handset (MoMo request-to-pay, Airtel Money collection): the adapter
 * polls for the answer for minutes (MOMO_APPROVAL_TIMEOUT, AIRTEL_APPROVAL_TIMEOUT, at most 5) while the
 * activity heartbeats, so a worker lost meanwhile is still noticed within 10 s.
 */
export const approvalCall: ActivityOptions = { ...telcoCall, startToCloseTimeout: '6 minutes' };

/** A refund is money owed: it keeps trying far longer before the workflow gives up and surfaces it. */
export const refundCall: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: LOST_AFTER,
  retry: {
    ...backoff,
    maximumInterval: '1 minute',
    maximumAttempts: 30,
    nonRetryableErrorTypes: [FailureTypes.ReferenceConflict, FailureTypes.OperatorRejected],
  },
};

/** SMS is best effort: a few quick tries, then the workflow logs it and goes on (money already moved). */
export const smsCall: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  heartbeatTimeout: LOST_AFTER,
  retry: { ...backoff, maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};

/**
 * Chain writes: a referenced mint or transfer, found on chain on a retry instead of sent again. Chain
 * activities heartbeat while they wait on the node, so an attempt lost with its worker is retried seconds
 * after its last heartbeat; start-to-close only bounds a node that takes the broadcast and never answers.
 */
export const chainCall: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: LOST_AFTER,
  retry: { ...backoff, maximumInterval: '30 seconds', maximumAttempts: 8, nonRetryableErrorTypes: NON_RETRYABLE },
};

/**
 * Once money has moved, an unknown outcome (did the debit commit? did the mint land?) must be settled,
 * however long the operator or the node is away: no attempt limit. Ops see these waiting in the UI.
 */
export const settleCall: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: LOST_AFTER,
  retry: { ...backoff, maximumInterval: '1 minute' },
};

/** The same for the chain's word (kept apart: the chain may want other limits than the operator). */
export const settleChainCall: ActivityOptions = { ...settleCall };

/** Short Postgres bookkeeping before money moves (quote, record, limit sums): local, bounded. */
export const bookkeeping: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: {
    initialInterval: '500 ms',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 20,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

/** Record updates after money moved: local, retried until the database takes them. */
export const recordsUntilSettled: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { ...backoff, maximumInterval: '1 minute', nonRetryableErrorTypes: [FailureTypes.NotFound] },
};

/** Lookups while a person waits on a USSD hop (the gateway waits a few seconds): local, short, few tries. */
export const whileWaiting: LocalActivityOptions = {
  startToCloseTimeout: '4 seconds',
  retry: {
    initialInterval: '200 ms',
    backoffCoefficient: 2,
    maximumInterval: '1 second',
    maximumAttempts: 3,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

/**
 * A workflow's local activities under each of the three option sets above, named by when they run: `books`
 * before money moves, `records` once it has, `lookups` while a person waits on a hop.
 */
export function localActivities<A>() {
  return {
    books: proxyLocalActivities<A>(bookkeeping),
    records: proxyLocalActivities<A>(recordsUntilSettled),
    lookups: proxyLocalActivities<A>(whileWaiting),
  };
}

/**
 * Handing a mint or a send to the chain writer (a signal, and a signature for a send): local and quick,
 * retried until it is handed over, since the debit before it already happened. A repeat is harmless: the
 * writer keeps one entry per reference and the contract accepts a reference once.
 */
export const chainSubmit: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { ...backoff, maximumInterval: '10 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
};

/**
 * SMS, local: best effort, a few quick tries, sent under its reference (a send re-run on replay is dropped by
 * the reference), in the same workflow task as the record update before it.
 */
export const smsLocalCall: LocalActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { ...backoff, maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
};
