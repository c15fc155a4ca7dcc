/**
 * A worker of the real activities in a process of its own, so that a test can kill it hard (SIGKILL) in the
 * middle of an activity. Run as `node --import tsx test/chain/activity-worker.ts <taskQueue> <identity>`;
 * configured like the tests plus the overrides in WORKER_ENV (JSON). It polls activities only and prints
 * "ready" once it runs.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createRuntime } from '../../lib/runtime';
import { createActivities } from '../../activities';
import { testConfig, testLog } from '../support/stack';

async function main(): Promise<void> {
  const [taskQueue, identity] = process.argv.slice(2);
  if (!taskQueue || !identity) throw new Error('usage: activity-worker.ts <taskQueue> <identity>');
  const config = testConfig(JSON.parse(process.env.WORKER_ENV ?? '{}') as Record<string, string>);
  const runtime = await createRuntime(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    identity,
    activities: createActivities({ ...runtime, log: testLog }),
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
