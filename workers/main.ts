/** The worker process: runs every workflow and activity of txtc-bridge on the configured task queue. */
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/log';
import { createRuntime } from '../lib/runtime';
import { untilReady } from '../lib/startup';
import { ping } from '../lib/db/pool';
import { createActivities } from '../activities';
import { activityLogContext } from '../activities/shared';
import { createBridgeWorker } from './worker';
import { cachedWorkflowBundle } from './bundle';
import { join } from 'node:path';
import { SimulatedOperator } from '../lib/telco/simulated';
import { temporalConnectionOptions } from '../lib/temporal-connection';
import { missingSearchAttributes, missingSearchAttributesMessage } from './search-attributes';
import { enableDefaultMetrics, processRegistry, serveMetrics } from '../lib/metrics';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // JSON lines; an activity's lines carry its workflow id, type and attempt.
  const log = createLogger(config.logLevel, 'worker', { context: activityLogContext });
  // The SDK's own logs (workflow `log` calls with their workflow ids, worker state) go through the same
  // logger, and its worker metrics to their port; only here, before any connection: tests create workers
  // in-process without it.
  const temporalMetricsPort = config.metrics.temporalWorkerPort;
  Runtime.install({
    logger: new DefaultLogger(sdkLevel(config.logLevel), (entry) => {
      const level = entry.level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
      // pino serialises an error under `err` (message, type, stack); under another key it prints {}.
      const { error, ...meta } = entry.meta ?? {};
      log[level]({ sdk: true, ...meta, ...(error ? { err: error } : {}) }, entry.message);
    }),
    ...(temporalMetricsPort > 0
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `${config.host}:${temporalMetricsPort}` } } } }
      : {}),
  });
  // A dependency away at start is waited for (and said so), not a reason to exit.
  const runtime = await createRuntime(config, log);
  await untilReady('Postgres', () => ping(runtime.pool), log);
  enableDefaultMetrics();
  const metricsServer =
    config.metrics.workerPort > 0
      ? await serveMetrics(processRegistry, config.metrics.workerPort, config.host)
      : undefined;
  if (config.appEnv === 'local' && config.telco.adapter === 'simulated') {
    await untilReady('Postgres', () => new SimulatedOperator(runtime.pool).seedDemoAccounts(), log);
  }
  const connection = await untilReady(
    'Temporal',
    () => NativeConnection.connect(temporalConnectionOptions(config.temporal)),
    log,
  );
  const missing = await missingSearchAttributes(connection, config.temporal.namespace);
  if (missing.length > 0) {
    process.stderr.write(`${missingSearchAttributesMessage(config.temporal.namespace, missing)}\n`);
    await connection.close();
    await runtime.close();
    process.exit(1);
  }
  const worker = await createBridgeWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({ ...runtime, log }),
    // Bundled once per code version into DATA_DIR/cache: a restarted worker polls again within seconds.
    workflowBundle: await cachedWorkflowBundle(join(config.dataDir, 'cache'), Runtime.instance().logger),
  });
  log.info(
    {
      taskQueue: config.temporal.taskQueue,
      address: config.temporal.address,
      metricsPort: config.metrics.workerPort || undefined,
      temporalMetricsPort: temporalMetricsPort || undefined,
    },
    'worker started',
  );
  try {
    await worker.run(); // returns after SIGINT/SIGTERM once in-flight tasks are done
  } finally {
    metricsServer?.close();
    await connection.close();
    await runtime.close();
    log.info('worker stopped');
  }
}

/** The SDK's level for ours (it has no fatal and no silent). */
function sdkLevel(level: string): LogLevel {
  if (level === 'fatal' || level === 'silent') return 'ERROR';
  return level.toUpperCase() as LogLevel;
}

main().catch((e: unknown) => {
  process.stderr.write(`worker failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
