/**
 * What a test file needs of the real stack: a configuration pointing at this run's parts, the shared
 * runtime (pool, provider, writer), a Temporal client and workers on task queues of the test's own.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { join } from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../lib/config';
import { createRuntime, type Runtime } from '../../lib/runtime';
import { createLogger } from '../../lib/log';
import { createActivities, type Activities } from '../../activities';
import { createBridgeWorker } from '../../workers/worker';
import { cachedWorkflowBundle } from '../../workers/bundle';
import { readStack } from './stack-file';

export const testLog = createLogger('silent', 'test');

export function testConfig(env: Record<string, string> = {}): Config {
  const stack = readStack();
  return loadConfig({
    APP_ENV: 'local',
    LOG_LEVEL: 'silent',
    DATA_DIR: '/nonexistent-test-data',
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    CHAIN_RPC_URL: stack.rpcUrl,
    TXTC_ADDRESS: stack.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stack.deployment.ratePair,
    // Most tests call the API without keys; test/security/api-keys and data-protection turn them on.
    API_KEYS_REQUIRED: 'false',
    ...env,
  });
}

let bundle: Promise<{ code: string }> | undefined;
/**
 * The workflow bundle, built once per version of the code into node_modules/.cache (webpack, seconds) and
 * read from there by every test file and run after it.
 */
export function workflowBundle(): Promise<{ code: string }> {
  bundle ??= cachedWorkflowBundle(join(__dirname, '..', '..', 'node_modules', '.cache', 'txtc-bridge'), {
    log: () => undefined,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (m: string) => console.error(m),
  });
  return bundle;
}

export interface TestStackHandle {
  config: Config;
  runtime: Runtime;
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

export async function openStack(env: Record<string, string> = {}): Promise<TestStackHandle> {
  const config = testConfig(env);
  const runtime = await createRuntime(config);
  const connection = await Connection.connect({ address: config.temporal.address });
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  return {
    config,
    runtime,
    client,
    connection,
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
      await runtime.close();
    },
  };
}

/** A worker on a task queue of its own, running until `fn` settles. */
export async function withWorker<T>(
  stack: TestStackHandle,
  activities: Activities,
  fn: (taskQueue: string, worker: Worker) => Promise<T>,
): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await createBridgeWorker({
    connection: stack.nativeConnection,
    namespace: stack.config.temporal.namespace,
    taskQueue,
    activities,
    workflowBundle: await workflowBundle(),
  });
  return worker.runUntil(fn(taskQueue, worker));
}

export function defaultActivities(stack: TestStackHandle): Activities {
  return createActivities({ ...stack.runtime, log: testLog });
}

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID()}`;
