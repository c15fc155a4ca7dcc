/**
 * Start-up that rides out a dependency blinking: a process waits for Postgres, the chain and Temporal
 * (retrying with a capped backoff, saying what it waits for) instead of exiting because one was away for a
 * few seconds when it started. A configuration error is not retried: it stops the process at once.
 */
import type { Logger } from './log';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

/** Runs `attempt` until it succeeds; `isFatal` errors (a wrong configuration) are thrown at once. */
export async function untilReady<T>(
  what: string,
  attempt: () => Promise<T>,
  log: Logger,
  options: { isFatal?: (err: unknown) => boolean; signal?: AbortSignal } = {},
): Promise<T> {
  let delay = FIRST_DELAY_MS;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (options.isFatal?.(err) || options.signal?.aborted) throw err;
      log.warn({ err: err instanceof Error ? err.message : String(err), tries }, `waiting for ${what}`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(MAX_DELAY_MS, delay * 2);
    }
  }
}
