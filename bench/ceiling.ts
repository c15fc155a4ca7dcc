/**
 * Runs the ceiling workflow (bench/ceiling-workflow.ts) `count` times, `concurrency` at once, on a task
 * queue of its own, and returns workflows per second with latencies: the figure a real flow is compared to.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { noopActivities } from './ceiling-activities';
import type { ceilingWorkflow } from './ceiling-workflow';

export interface Shape {
  local: number;
  regular: number;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Runs `one` count times with `concurrency` callers; returns the total time and each latency, sorted. */
export async function drive(count: number, concurrency: number, one: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = Date.now();
        await one(i);
        latencies.push(Date.now() - t0);
      }
    }),
  );
  const totalMs = Date.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    totalMs,
    perSecond: Math.round((count * 100_000) / totalMs) / 100,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.at(-1) ?? 0 },
  };
}

export async function measureCeiling(options: {
  connection: NativeConnection;
  client: Client;
  shape: Shape;
  count: number;
  concurrency: number;
}) {
  const taskQueue = `ceiling-${randomUUID()}`;
  const worker = await Worker.create({
    connection: options.connection,
    taskQueue,
    workflowsPath: require.resolve('./ceiling-workflow'),
    activities: noopActivities,
  });
  const run = await worker.runUntil(
    drive(options.count, options.concurrency, async () => {
      await options.client.workflow.execute<typeof ceilingWorkflow>('ceilingWorkflow', {
        taskQueue,
        workflowId: `ceiling-${randomUUID()}`,
        args: [options.shape],
      });
    }),
  );
  return { shape: options.shape, workflows: options.count, concurrency: options.concurrency, ...run };
}
