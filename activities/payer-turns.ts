/**
 * One money movement at a time per payer, run as local activities: a movement asks for the number's turn
 * before it reads balances (the workflow waits between asks, durably) and gives it back when it ends, waking
 * the oldest movement in line. A holder that is no longer running (terminated by hand) cannot keep the
 * number locked: its turn is taken over.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { payerTurnFreeSignal } from '../lib/definitions';
import type { PayerTurnRepo } from '../lib/db/payer-turns';
import type { Logger } from '../lib/log';

export function createPayerTurnActivities(deps: { payerTurns: PayerTurnRepo; log: Logger }) {
  async function stillRunning(workflowId: string): Promise<boolean> {
    try {
      const described = await Context.current().client.workflow.getHandle(workflowId).describe();
      return described.status.name === 'RUNNING';
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return false;
      throw e;
    }
  }

  return {
    /** The turn, taken; or who holds it (the caller is in line and is woken when it is given back). */
    async takePayerTurn(input: { phoneNumber: string; owner: string }): Promise<{ taken: boolean; holder?: string }> {
      const taken = await deps.payerTurns.take(input.phoneNumber, input.owner);
      if (taken.taken) return { taken: true };
      if (!(await stillRunning(taken.owner))) {
        if (await deps.payerTurns.takeOver(input.phoneNumber, taken.owner, input.owner)) {
          deps.log.warn({ owner: input.owner, stale: taken.owner }, 'payer turn taken over from a closed movement');
          await deps.payerTurns.take(input.phoneNumber, input.owner); // leaves the line
          return { taken: true };
        }
      }
      return { taken: false, holder: taken.owner };
    },

    /** Gives the turn back and wakes the oldest movement waiting for it (one gone meanwhile is skipped). */
    async givePayerTurn(input: { phoneNumber: string; owner: string }): Promise<void> {
      const next = await deps.payerTurns.give(input.phoneNumber, input.owner);
      if (!next) return;
      await Context.current()
        .client.workflow.getHandle(next)
        .signal(payerTurnFreeSignal)
        .catch((e: unknown) => {
          if (!(e instanceof WorkflowNotFoundError)) throw e;
        });
    },
  };
}

export type PayerTurnActivities = ReturnType<typeof createPayerTurnActivities>;
