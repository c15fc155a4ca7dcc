/**
 * A refund the operator refused for good is money owed. Instead of ending, the workflow waits, durably and
 * for REFUND_RETRY_WINDOW, for ops to send the `retryRefund` update (once the operator's problem is fixed),
 * and tries the same refund again under the same reference, so a retry can never pay twice and the record
 * moves from refund_failed to refunded in the workflow that owns it. The update answers how the try went.
 */
import { allHandlersFinished, condition, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { TelcoActivities } from '../../activities/telco';
import { REFUND_RETRY_WINDOW, retryRefundUpdate, type RefundRetryResult } from '../../lib/definitions/search';
import { refundCall } from './activity-options';
import { failureOf } from './steps';

/** A retry ops asked for: a few tries, so the update answers within minutes rather than half an hour. */
export const owedOnRequest = proxyActivities<TelcoActivities>({
  ...refundCall,
  retry: { ...refundCall.retry, maximumAttempts: 5 },
});

/**
 * Waits for `retryRefund` and runs `refund` on each, until one succeeds ('refunded') or the window passes
 * without one ('expired'). A failed retry leaves it waiting for the next.
 */
export async function awaitRefundRetry(id: string, refund: () => Promise<unknown>): Promise<'refunded' | 'expired'> {
  let asked = 0;
  let tried = 0;
  let refunded = false;
  let last: RefundRetryResult = { refunded: false };
  setHandler(
    retryRefundUpdate,
    async () => {
      const mine = ++asked;
      await condition(() => tried >= mine);
      return last;
    },
    {
      validator: () => {
        if (refunded) throw new Error('the refund has been made');
      },
    },
  );
  while (!refunded) {
    if (!(await condition(() => asked > tried, REFUND_RETRY_WINDOW))) return 'expired';
    const upTo = asked;
    try {
      await refund();
      refunded = true;
      last = { refunded: true };
    } catch (err) {
      last = { refunded: false, failure: failureOf(err) };
      log.error('refund retried by ops failed; airtime still owed', { id, error: last.failure?.message });
    }
    tried = upTo;
  }
  await condition(allHandlersFinished);
  return 'refunded';
}
