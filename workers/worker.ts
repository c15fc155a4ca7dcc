import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { PRELOADED_WORKFLOW_MODULES } from './bundle';

export interface BridgeWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** a prebuilt bundle (tests build one and share it); otherwise workflows/ is bundled at start */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/**
 * Workflow-task polls split evenly between the task queue itself and this worker's sticky queue (the SDK's
 * default ratio is 0.2: two of its ten polls on the task queue). Every new workflow's first task comes from
 * the task queue, and ours start many: each USSD dial starts a session, each confirmation a conversion.
 * With two polls there, a dial queued behind other first tasks under load: in `npm run bench:ussd` (50
 * sessions at once, buy flow) the dial's p50 was 2.4-2.7 s, p99 8.1 s, and 7-18 dials of 150 ran past the
 * hop deadline ("busy"); with an even split, dial p50 ~1.0 s, p99 3.3-3.4 s, no errors, and conversions/s in
 * `npm run bench:conversion` unchanged.
 */
export const WORKFLOW_TASK_POLLING = { maxConcurrentWorkflowTaskPolls: 10, nonStickyToStickyPollRatio: 1 };

/**
 * How long a workflow's next task waits on this worker's sticky queue before any worker may take it: 3 s, not
 * the SDK's 10. A worker killed leaves its workflows' next tasks there; every one of them (the chain writer's
 * included, and so every mint waiting on its batch) waited the full timeout before another worker, or this
 * one restarted, could go on. A live worker takes a sticky task in milliseconds; one busier than 3 s loses the
 * task to the task queue and replays that workflow's history.
 */
export const STICKY_TASK_TIMEOUT = '3 seconds';

export function createBridgeWorker(options: BridgeWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...WORKFLOW_TASK_POLLING,
    stickyQueueScheduleToStartTimeout: STICKY_TASK_TIMEOUT,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : {
          workflowsPath: require.resolve('../workflows'),
          bundlerOptions: { preloadModules: PRELOADED_WORKFLOW_MODULES },
        }),
  });
}
