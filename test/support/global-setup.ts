/**
 * Brings up the real parts once per test run (lib/ephemeral-stack.ts) and tells the test files where
 * they are through TXTC_TEST_STACK; the teardown stops them and drops the run's database.
 */
import { startEphemeralStack } from '../../scripts/local/ephemeral-stack';
import { STACK_ENV, type TestStack } from './stack-file';

export default async function globalSetup(): Promise<void> {
  const stack = await startEphemeralStack({ name: 'test', postgresBaseUrl: process.env.TEST_DATABASE_BASE_URL });
  const shared: TestStack = {
    temporalAddress: stack.temporalAddress,
    rpcUrl: stack.rpcUrl,
    databaseUrl: stack.databaseUrl,
    deployment: stack.deployment,
  };
  process.env[STACK_ENV] = JSON.stringify(shared);
  // Unset APP_ENV means production: the tests (and the processes they start) run the local mode.
  process.env.APP_ENV ??= 'local';
  (globalThis as Record<string, unknown>).__txtcTestStack = stack;
}
