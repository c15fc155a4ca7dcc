/**
 * The minute schedules: one reading of the TXTC/USD pair's cumulative price (the observations the price
 * guard averages over), and one of every operator float (lib/floats.ts). Created once and brought up to date
 * on every call, like the reconciliation's; `npm start` and `npm run reconcile:schedule` both call them.
 */
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { WORKFLOW_TASK_TIMEOUT } from './definitions/common';

export const PRICE_SCHEDULE_ID = 'price-observations';

export const FLOAT_SCHEDULE_ID = 'operator-floats';

export function ensurePriceSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensureMinuteSchedule(client, taskQueue, PRICE_SCHEDULE_ID, 'priceObservationWorkflow', 'price-observation');
}

export function ensureFloatSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensureMinuteSchedule(client, taskQueue, FLOAT_SCHEDULE_ID, 'floatReadingWorkflow', 'float-reading');
}

async function ensureMinuteSchedule(
  client: Client,
  taskQueue: string,
  scheduleId: string,
  workflowType: string,
  workflowId: string,
): Promise<'created' | 'updated'> {
  const spec = { intervals: [{ every: 60_000 }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType,
    workflowId,
    taskQueue,
    args: [],
    workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
  };
  // A missed minute is not made up (the next reading covers it); two never overlap.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000 };
  let outcome: 'created' | 'updated' = 'created';
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
    outcome = 'updated';
  }
  // A reading now: a stack started after a long stop quotes at once instead of waiting for the minute.
  await client.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.SKIP);
  return outcome;
}
