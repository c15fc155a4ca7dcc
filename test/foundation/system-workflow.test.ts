import { openStack, withWorker, defaultActivities, uniqueId, type TestStackHandle } from '../support/stack';
import { systemCheckWorkflow } from '../../workflows';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

test('the real worker runs a workflow on the dev server whose activity reaches Postgres and the chain', async () => {
  const result = await withWorker(stack, defaultActivities(stack), (taskQueue) =>
    stack.client.workflow.execute(systemCheckWorkflow, { taskQueue, workflowId: uniqueId('system-check') }),
  );
  expect(result.database).toBe(new URL(stack.config.databaseUrl).pathname.slice(1));
  expect(result.chainId).toBe(31337);
  expect(result.blockNumber).toBeGreaterThan(0);
});
