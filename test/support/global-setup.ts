/**
 * Brings up the real parts once per test run (scripts/local/ephemeral-stack.ts), one copy per jest worker, and
 * tells the test files where they are through TXTC_TEST_STACK: each worker runs its files one after another on
 * a stack of its own (a Temporal dev server, a chain node with its own signer nonces, a database), so files on
 * two workers never meet. The teardown stops them and drops their databases.
 */
import { startEphemeralStack } from '../../scripts/local/ephemeral-stack';
import { STACK_ENV, type TestStack } from './stack-file';

export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  const copies = Math.max(1, globalConfig.maxWorkers);
  const stacks = await Promise.all(
    Array.from({ length: copies }, (_, n) =>
      startEphemeralStack({ name: `test${n + 1}`, postgresBaseUrl: process.env.TEST_DATABASE_BASE_URL }),
    ),
  );
  const shared: TestStack[] = stacks.map((stack) => ({
    temporalAddress: stack.temporalAddress,
    rpcUrl: stack.rpcUrl,
    databaseUrl: stack.databaseUrl,
    deployment: stack.deployment,
  }));
  process.env[STACK_ENV] = JSON.stringify(shared);
  // Unset APP_ENV means production: the tests (and the processes they start) run the local mode.
  process.env.APP_ENV ??= 'local';
  (globalThis as Record<string, unknown>).__txtcTestStacks = stacks;
}
