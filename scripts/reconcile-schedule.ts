/**
 * `npm run reconcile:schedule -- [--window <minutes>] [--lag <minutes>] [--ignore-prefix <text>]`: creates the
 * hourly reconciliation schedule on the configured Temporal (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_TASK_QUEUE), or brings an existing one up to date. `npm start` does this itself; on a cluster,
 * run it once per deploy.
 */
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../lib/config';
import { ensureReconciliationScheduleFor } from '../lib/reconcile/schedule';
import { RECONCILIATION_SCHEDULE_ID } from '../lib/definitions/reconcile';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      window: { type: 'string' },
      lag: { type: 'string' },
      'ignore-prefix': { type: 'string', multiple: true },
    },
  });
  const minutes = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`--${name} must be a whole number of minutes`);
    return n;
  };
  const config = loadConfigOrExit();
  const outcome = await ensureReconciliationScheduleFor(config, {
    windowMinutes: minutes(values.window, 'window'),
    lagMinutes: minutes(values.lag, 'lag'),
    ignoreReferencePrefixes: values['ignore-prefix'],
  });
  process.stdout.write(
    `schedule ${RECONCILIATION_SCHEDULE_ID} ${outcome} on ${config.temporal.address} (task queue ${config.temporal.taskQueue})\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`reconcile:schedule failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
