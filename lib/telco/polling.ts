/** Waiting for a payment to become final: polls with backoff, woken early by the operator's callbacks. */
import type { CallbackInbox, CallbackOperator } from '../db/operator-callbacks';
import { TelcoPendingError } from './types';
import type { Clock } from './limits';
import type { Product } from './mobile-money';

/** How a mobile-money adapter (MoMo, Airtel) waits for a payment; part of its config. */
export interface PollSettings {
  /** how often a waiting debit looks for a callback between its polls, with an inbox (default 500 ms) */
  callbackCheckMs?: number;
  /** the first wait between status polls; it doubles up to pollMaxMs */
  pollInitialMs: number;
  pollMaxMs: number;
}

/**
 * Waits for the payment `id` of `product` to become final as every mobile-money adapter does: polls it with
 * the adapter's backoff (pollUntilFinal), woken early by a callback naming it when there is an inbox.
 */
export async function awaitPayment<T>(
  p: Pick<PaymentPoll<T>, 'read' | 'isFinal' | 'reference' | 'clock' | 'waitMs'> & {
    operator: CallbackOperator;
    id: string;
    product: Product;
    inbox: CallbackInbox | undefined;
    settings: PollSettings;
  },
): Promise<T> {
  const { inbox, settings } = p;
  const wake =
    inbox && (await callbackWake(() => inbox.latest(p.operator, p.id, p.product), settings.callbackCheckMs ?? 500));
  return pollUntilFinal({
    read: p.read,
    isFinal: p.isFinal,
    reference: p.reference,
    operator: p.operator,
    clock: p.clock,
    waitMs: p.waitMs,
    initialMs: settings.pollInitialMs,
    maxMs: settings.pollMaxMs,
    ...(wake ? { wake } : {}),
  });
}

/** A wait for one payment: how to read its state and see it final, and how long and how often to look. */
export interface PaymentPoll<T> {
  read: () => Promise<T | undefined>;
  isFinal: (state: T) => boolean;
  reference: string;
  operator: string;
  clock: Clock;
  waitMs: number;
  initialMs: number;
  maxMs: number;
  wake?: { woken: () => Promise<boolean>; checkMs: number };
}

/**
 * Reads a payment's state until it is final (a person approving on the handset takes minutes), waiting
 * `initialMs` doubling up to `maxMs` between reads, for at most `waitMs`; still not final then, the movement
 * is pending (TelcoPendingError), settled later by status on the same reference.
 *
 * With `wake` (the operator's callback), the pause between reads is cut short: `woken` is asked every
 * `checkMs`, and when it says a callback came the state is read at once. The read decides, never the
 * callback; and a pause may then run to the deadline, since a callback can still end it.
 */
export async function pollUntilFinal<T>(p: PaymentPoll<T>): Promise<T> {
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
