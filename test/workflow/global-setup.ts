/**
 * The workflow tier's one part: a Temporal dev server (the cached temporal CLI, as the stack tier's), no
 * Postgres, no chain. Its address goes to the tests through TXTC_WORKFLOW_TEMPORAL.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../../scripts/local/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../../lib/definitions/search';

export default async function globalSetup(): Promise<void> {
  const cli = ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli ? { executable: { type: 'existing-path' as const, path: cli } } : {}),
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'never' },
      searchAttributes: [...SEARCH_ATTRIBUTES],
    },
  });
  process.env.TXTC_WORKFLOW_TEMPORAL = env.address;
  process.env.APP_ENV ??= 'local';
  (globalThis as Record<string, unknown>).__txtcWorkflowEnv = env;
}
