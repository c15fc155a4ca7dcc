/**
 * One money movement at a time per payer, across kinds and channels: a movement takes the number's turn
 * before it reads the payer's balances and gives it back when it ends, so each decides on the balance the
 * previous one left. Another movement from the number waits in line (queued, not refused) up to
 * PAYER_TURN_WAIT, then is refused PayerBusy with nothing moved. The wait is durable (a condition with a
 * timeout, not an activity retrying), woken at once by the holder's give. A hybrid's conversion leg runs in
 * its parent's turn. A wait for a person (a hold for ops, a refund waiting for ops) gives the turn back first.
 * Histories from before the turn (patch 'payer-turn') replay without it.
 */
import {
  CancellationScope,
  condition,
  patched,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { PayerTurnActivities } from '../../activities/payer-turns';
import { FailureTypes } from '../../lib/definitions/errors';
import { payerTurnFreeSignal } from '../../lib/definitions/common';
import { rejection } from './steps';

/** How long a movement waits in line for the number's turn before it is refused PayerBusy. */
const PAYER_TURN_WAIT_MS = 2 * 60_000;

const turns = proxyLocalActivities<PayerTurnActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
});
/**
 * Giving the turn back is retried until it works (Postgres away: it waits with everything else): a give that
 * failed would skip a refund's wait for ops, or fail a movement whose money already moved.
 */
const giving = proxyLocalActivities<PayerTurnActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export interface PayerTurn {
  /** Waits for the number's turn; PayerBusy when it does not come within the wait. */
  take(): Promise<void>;
  /** Gives it back (nothing when not held). */
  give(): Promise<void>;
}

const NO_TURN: PayerTurn = { take: () => Promise.resolve(), give: () => Promise.resolve() };

/**
 * Runs a movement of `phoneNumber`'s money with a turn it takes when it is about to read balances; the turn
 * is given back however the movement ends. `parentId`: a hybrid's leg, whose parent holds the turn.
 */
export async function withPayerTurn<T>(
  phoneNumber: string,
  parentId: string | undefined,
  movement: (turn: PayerTurn) => Promise<T>,
): Promise<T> {
  if (!patched('payer-turn')) return movement(NO_TURN);
  if (parentId !== undefined) {
    // A leg takes nothing (its parent holds the turn); before a wait for ops it gives the parent's turn back.
    return movement({
      take: () => Promise.resolve(),
      give: () => CancellationScope.nonCancellable(() => giving.givePayerTurn({ phoneNumber, owner: parentId })),
    });
  }
  const owner = workflowInfo().workflowId;
  let woken = false;
  setHandler(payerTurnFreeSignal, () => {
    woken = true;
  });
  let held = false;
  let asked = false;
  const turn: PayerTurn = {
    async take() {
      if (held) return;
      // One timer for the whole wait, cancelled once the turn comes; each ask waits at most 3 s for a wake.
      let expired = false;
      const wait = new CancellationScope();
      void wait
        .run(() => sleep(PAYER_TURN_WAIT_MS))
        .then(
          () => (expired = true),
          () => undefined,
        );
      try {
        for (;;) {
          woken = false;
          asked = true;
          const answer = await turns.takePayerTurn({ phoneNumber, owner });
          if (answer.taken) break;
          if (expired)
            throw rejection(
              FailureTypes.PayerBusy,
              'another payment from this number is still going through; try again in a minute',
            );
          await condition(() => woken || expired, 3000);
        }
      } finally {
        wait.cancel();
      }
      held = true;
    },
    async give() {
      if (!held && !asked) return;
      await CancellationScope.nonCancellable(() => giving.givePayerTurn({ phoneNumber, owner }));
      held = false;
      asked = false;
    },
  };
  try {
    return await movement(turn);
  } finally {
    await turn.give();
  }
}
