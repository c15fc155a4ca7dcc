/**
 * One money movement at a time per payer, run as local activities: a movement takes the number's turn before
 * it reads balances (waiting, by retries, while another movement holds it) and gives it back when it ends.
 * A holder that is no longer running (terminated by hand) cannot keep the number locked: its turn is taken over.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
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
    async takePayerTurn(input: { phoneNumber: string; owner: string }): Promise<void> {
      const taken = await deps.payerTurns.take(input.phoneNumber, input.owner);
      if (taken.taken) return;
      if (!(await stillRunning(taken.owner))) {
        if (await deps.payerTurns.takeOver(input.phoneNumber, taken.owner, input.owner)) {
          deps.log.warn({ owner: input.owner, stale: taken.owner }, 'payer turn taken over from a closed movement');
          return;
        }
      }
      // Retried (the workflow's wait) until the holder gives the turn back.
      throw ApplicationFailure.retryable(`waiting for ${taken.owner} from the same number`, 'PayerTurnTaken');
    },

    async givePayerTurn(input: { phoneNumber: string; owner: string }): Promise<void> {
      await deps.payerTurns.give(input.phoneNumber, input.owner);
    },
  };
}

export type PayerTurnActivities = ReturnType<typeof createPayerTurnActivities>;
