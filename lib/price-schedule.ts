/**
 * The price schedule: every minute, one reading of the TXTC/USD pair's cumulative price (the observations
 * the price guard averages over). Created once and brought up to date on every call, like the
 * reconciliation's; `npm start` and `npm run reconcile:schedule` both call it.
 */
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const PRICE_SCHEDULE_ID = 'price-observations';

export async function ensurePriceSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  const spec = { intervals: [{ every: 60_000 }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'priceObservationWorkflow',
    workflowId: 'price-observation',
    taskQueue,
    args: [],
  };
  // A missed minute is not made up (the next reading covers it); two never overlap.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000 };
  let outcome: 'created' | 'updated' = 'created';
  try {
    await client.schedule.create({ scheduleId: PRICE_SCHEDULE_ID, spec, action, policies });
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    await client.schedule.getHandle(PRICE_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action, policies }));
    outcome = 'updated';
  }
  // A reading now: a stack started after a long stop quotes at once instead of waiting for the minute.
  await client.schedule.getHandle(PRICE_SCHEDULE_ID).trigger(ScheduleOverlapPolicy.SKIP);
  return outcome;
}
