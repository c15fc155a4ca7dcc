/**
 * One money movement at a time per payer, across kinds and channels: a movement takes the number's turn
 * before it reads the payer's balances and gives it back when it ends, so each decides on the balance the
 * previous one left. Another movement from the number waits (queued, not refused) up to PAYER_TURN_WAIT.
 * A hybrid's conversion leg runs in its parent's turn. A wait for a person (a hold for ops, a refund waiting
 * for ops) gives the turn back first. Histories from before the turn (patch 'payer-turn') replay without it.
 */
import { ActivityFailure, CancellationScope, patched, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { PayerTurnActivities } from '../../activities/payer-turns';
import { FailureTypes } from '../definitions/errors';
import { rejection } from './steps';

/** How long a movement waits for the number's turn before it is refused PayerBusy (nothing moved). */
export const PAYER_TURN_WAIT = '2 minutes';

const turns = proxyLocalActivities<PayerTurnActivities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: PAYER_TURN_WAIT,
  retry: { initialInterval: '100 ms', backoffCoefficient: 1.3, maximumInterval: '1 second' },
});
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
  let held = false;
  const turn: PayerTurn = {
    async take() {
      if (held) return;
      try {
        await turns.takePayerTurn({ phoneNumber, owner });
      } catch (err) {
        if (err instanceof ActivityFailure)
          throw rejection(
            FailureTypes.PayerBusy,
            'another payment from this number is still going through; try again in a minute',
          );
        throw err;
      }
      held = true;
    },
    async give() {
      if (!held) return;
      await CancellationScope.nonCancellable(() => giving.givePayerTurn({ phoneNumber, owner }));
      held = false;
    },
  };
  try {
    return await movement(turn);
  } finally {
    await turn.give();
  }
}
