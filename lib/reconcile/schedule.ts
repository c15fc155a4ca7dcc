/**
 * The hourly reconciliation schedule: at 15 minutes past every hour, reconcile the hour before. Created once
 * and brought up to date on every call (an existing schedule is updated, not duplicated), so `npm start`,
 * `npm run reconcile:schedule` and deploys can all call it.
 */
import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../config';
import { ensureFloatSchedule, ensurePriceSchedule } from '../price-schedule';
import { temporalConnectionOptions } from '../temporal-connection';
import { WORKFLOW_TASK_TIMEOUT } from '../definitions/common';
import {
  DEFAULT_LAG_MINUTES,
  DEFAULT_WINDOW_MINUTES,
  RECONCILIATION_SCHEDULE_ID,
  reconciliationWorkflowId,
  type ReconciliationInput,
} from '../definitions/reconcile';

export interface ReconciliationScheduleOptions {
  taskQueue: string;
  windowMinutes?: number;
  lagMinutes?: number;
  ignoreReferencePrefixes?: string[];
}

export async function ensureReconciliationSchedule(
  client: Client,
  options: ReconciliationScheduleOptions,
): Promise<'created' | 'updated'> {
  const windowMinutes = options.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
  const lagMinutes = options.lagMinutes ?? DEFAULT_LAG_MINUTES;
  const args: [ReconciliationInput] = [
    {
      windowMinutes,
      lagMinutes,
      ...(options.ignoreReferencePrefixes?.length ? { ignoreReferencePrefixes: options.ignoreReferencePrefixes } : {}),
    },
  ];
  // Each run's workflow id gets the scheduled time appended by Temporal: one stored report per window.
  const spec = { intervals: [{ every: windowMinutes * 60_000, offset: lagMinutes * 60_000 }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'reconciliationWorkflow',
    workflowId: reconciliationWorkflowId('scheduled'),
    taskQueue: options.taskQueue,
    args,
    workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
  };
  // A run missed while the cluster was down is still made (within a day); two never overlap.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 86_400_000 };
  try {
    await client.schedule.create({ scheduleId: RECONCILIATION_SCHEDULE_ID, spec, action, policies });
    return 'created';
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    await client.schedule
      .getHandle(RECONCILIATION_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action, policies }));
    return 'updated';
  }
}

/** Connects to the configured Temporal, ensures the schedule, disconnects. */
export async function ensureReconciliationScheduleFor(
  config: Config,
  options: Omit<ReconciliationScheduleOptions, 'taskQueue'> = {},
): Promise<'created' | 'updated'> {
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    // The price guard's observations and the operator floats, every minute, beside the hourly reconciliation.
    await ensurePriceSchedule(client, config.temporal.taskQueue);
    await ensureFloatSchedule(client, config.temporal.taskQueue);
    return await ensureReconciliationSchedule(client, { taskQueue: config.temporal.taskQueue, ...options });
  } finally {
    await connection.close();
  }
}
