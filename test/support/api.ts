/**
 * The app as a gateway and a partner call it, on a worker of its own task queue: the helpers every REST, USSD
 * and SMS test file shares instead of writing them again.
 */
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import type { Config } from '../../lib/config';
import { testLog, withWorker, type TestStackHandle } from './stack';

export type App = ReturnType<typeof createApp>;

/**
 * Runs `fn` with an app whose worker serves its workflows. `config` adjusts the app's and the activities'
 * configuration; `activities` overrides the activities' dependencies (a chain deployment of a test's own).
 */
export function withApi<T>(
  stack: TestStackHandle,
  fn: (app: App, taskQueue: string) => Promise<T>,
  options: { config?: (c: Config) => Config; deps?: Partial<Parameters<typeof createActivities>[0]> } = {},
): Promise<T> {
  const config = options.config ? options.config(stack.config) : stack.config;
  return withWorker(
    stack,
    createActivities({ ...stack.runtime, config, log: testLog, ...options.deps }),
    async (taskQueue) =>
      fn(
        createApp({
          ...stack.runtime,
          ...options.deps,
          config: { ...config, temporal: { ...config.temporal, taskQueue } },
          temporal: stack.client,
          log: testLog,
        }),
        taskQueue,
      ),
  );
}

/** GET /api/transfers/:id until the movement is no longer pending (or `done` says so). */
export async function settled<V extends { status?: unknown } = Record<string, unknown>>(
  app: App,
  id: string,
  options: { headers?: Record<string, string>; done?: (view: V) => boolean; tries?: number } = {},
): Promise<V> {
  const done = options.done ?? ((v: V) => v.status !== undefined && v.status !== 'pending');
  for (let i = 0; i < (options.tries ?? 600); i++) {
    const res = await app.request(`/api/transfers/${encodeURIComponent(id)}`, { headers: options.headers ?? {} });
    const view = (await res.json()) as V;
    if (res.status === 200 && done(view)) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`transfer ${id} never settled`);
}
