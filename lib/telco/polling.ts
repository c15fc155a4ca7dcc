/** Waiting for a payment to become final: polls with backoff, woken early by the operator's callbacks. */
import { TelcoPendingError } from './types';
import type { Clock } from './limits';

/**
 * Reads a payment's state until it is final (a person approving on the handset takes minutes), waiting
 * `initialMs` doubling up to `maxMs` between reads, for at most `waitMs`; still not final then, the movement
 * is pending (TelcoPendingError), settled later by status on the same reference.
 *
 * With `wake` (the operator's callback), the pause between reads is cut short: `woken` is asked every
 * `checkMs`, and when it says a callback came the state is read at once. The read decides, never the
 * callback; and a pause may then run to the deadline, since a callback can still end it.
 */
export async function pollUntilFinal<T>(p: {
  read: () => Promise<T | undefined>;
  isFinal: (state: T) => boolean;
  reference: string;
  operator: string;
  clock: Clock;
  waitMs: number;
  initialMs: number;
  maxMs: number;
  wake?: { woken: () => Promise<boolean>; checkMs: number };
}): Promise<T> {
  const deadline = p.clock.now() + p.waitMs;
  let pause = p.initialMs;
  for (;;) {
    const state = await p.read();
    if (state !== undefined && p.isFinal(state)) return state;
    const next = p.clock.now() + pause;
    if (!p.wake) {
      if (next > deadline) throw new TelcoPendingError(p.reference, p.operator);
      await p.clock.sleep(pause);
    } else if (!(await untilWoken(p.wake, Math.min(next, deadline), p.clock)) && next > deadline) {
      throw new TelcoPendingError(p.reference, p.operator);
    }
    pause = Math.min(pause * 2, p.maxMs);
  }
}

/** Waits until `until`, asking `woken` every `checkMs`; whether it said yes before then. */
async function untilWoken(
  wake: { woken: () => Promise<boolean>; checkMs: number },
  until: number,
  clock: Clock,
): Promise<boolean> {
  for (;;) {
    if (await wake.woken()) return true;
    const left = until - clock.now();
    if (left <= 0) return false;
    await clock.sleep(Math.min(wake.checkMs, left));
  }
}

/**
 * A poll's wake-up from the operator's callbacks (`latest`: the newest callback naming the payment, 0n for
 * none): true once one came that the wait has not seen. One already there when the wait begins does not
 * count, since the first read comes after it; a database error only means waiting for the next poll.
 */
export async function callbackWake(
  latest: () => Promise<bigint>,
  checkMs: number,
): Promise<{ woken: () => Promise<boolean>; checkMs: number }> {
  let seen = await latest().catch(() => 0n);
  return {
    checkMs,
    woken: async () => {
      const newest = await latest().catch(() => seen);
      if (newest <= seen) return false;
      seen = newest;
      return true;
    },
  };
}
