import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { stopService, type Service } from '../../lib/processes';
import { dropDatabase } from '../../lib/db/pool';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__txtcTestStack as
    | { env: TestWorkflowEnvironment; chain: Service; databaseUrl: string }
    | undefined;
  if (!stack) return;
  await stack.env.teardown();
  await stopService(stack.chain);
  await dropDatabase(stack.databaseUrl);
}
