/**
 * The workflow tier's one part: a Temporal dev server (the cached temporal CLI, as the stack tier's), no
 * Postgres, no chain. Its address goes to the tests through TXTC_WORKFLOW_TEMPORAL.
 */
import { startTemporalDevServer } from '../../scripts/local/ephemeral-stack';

export default async function globalSetup(): Promise<void> {
  const env = await startTemporalDevServer();
  process.env.TXTC_WORKFLOW_TEMPORAL = env.address;
  process.env.APP_ENV ??= 'local';
  (globalThis as Record<string, unknown>).__txtcWorkflowEnv = env;
}
