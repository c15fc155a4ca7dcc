/**
 * The engine's ceiling for a USSD session: a workflow that only answers update-with-start hops, each with
 * a fixed screen, and ends after its 4th hop (the buy flow's dial, menu, amount and PIN). No lookups, no
 * Postgres, no child workflow: what Temporal alone costs per hop. bench/ussd.ts drives it on the same
 * server as the real sessions and prints the ratio.
 */
import { allHandlersFinished, condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** The hops of one session: dial, "1", the amount, the PIN. */
export const BARE_HOPS = 4;

export const bareHopUpdate = defineUpdate<string, [{ seq: number; input: string }]>('hop');

export async function ussdBareWorkflow(): Promise<number> {
  let hops = 0;
  setHandler(bareHopUpdate, ({ seq }) => {
    hops += 1;
    return hops >= BARE_HOPS ? `END Request received (${seq})` : `CON Screen ${seq}\n1. Next\n0. Back`;
  });
  await condition(() => hops >= BARE_HOPS);
  await condition(allHandlersFinished);
  return hops;
}
