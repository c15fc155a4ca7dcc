import { proxyActivities } from '@temporalio/workflow';
import type { SystemActivities } from '../activities/system';
import type { PriceActivities } from '../activities/price';
import type { FloatActivities } from '../activities/floats';
import type { SystemCheckResult } from '../lib/definitions';

const { checkDependencies } = proxyActivities<SystemActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 ms' },
});

/** Proves the worker, the dev server and the activities' Postgres and chain are wired together. */
export async function systemCheckWorkflow(): Promise<SystemCheckResult> {
  return await checkDependencies();
}

const { recordPriceObservation } = proxyActivities<PriceActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
});

/** One reading of the TXTC/USD pair's cumulative price, run every minute by the price schedule. */
export async function priceObservationWorkflow(): Promise<{ pair: string; at: number } | { skipped: string }> {
  return await recordPriceObservation();
}

const { readOperatorFloats } = proxyActivities<FloatActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
});

/** One reading of every operator float (lib/floats.ts), run every minute by the float schedule. */
export async function floatReadingWorkflow(): Promise<{ read: string[]; failed: string[] }> {
  return await readOperatorFloats();
}
