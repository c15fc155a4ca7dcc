/**
 * `npm run bench:vm-timeout`: what one call into a workflow sandbox costs with and without a timeout.
 *
 * The Temporal TypeScript SDK runs workflow code in a node:vm context and passes every call into it a
 * `timeout` (its isolateExecutionTimeout, 5 s, which is how it notices a workflow that never yields). For each
 * such call Node starts and joins a watchdog thread (nodejs/node#47739). A workflow activation is several
 * calls: the activation's jobs, one per round of unblocked conditions, the conclusion. So this per-call cost
 * is paid several times per workflow task, by the product's workflows and by the bare ceilings alike, and the
 * SDK does not let it be turned off. The script times a trivial script run in a context built as the SDK
 * builds its own (microtaskMode afterEvaluate), with and without the timeout, interleaved, in one process.
 * JSON: {calls, rounds, withTimeoutUs, withoutTimeoutUs, ratio} (median microseconds per call over rounds).
 */
import { Script, createContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

const calls = Number(process.env.BENCH_CALLS ?? 5000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const context = createContext({}, { microtaskMode: 'afterEvaluate' });
const script = new Script('globalThis.n = (globalThis.n ?? 0) + 1');

function perCallUs(options: { timeout?: number }): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) script.runInContext(context, options);
  return ((performance.now() - t0) * 1000) / calls;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round2 = (x: number) => Math.round(x * 100) / 100;

perCallUs({ timeout: 5000 }); // warm-up
perCallUs({});
const withTimeout: number[] = [];
const without: number[] = [];
for (let r = 0; r < rounds; r++) {
  withTimeout.push(perCallUs({ timeout: 5000 }));
  without.push(perCallUs({}));
}
const result = {
  benchmark: 'vm-timeout',
  node: process.version,
  calls,
  rounds,
  withTimeoutUs: round2(median(withTimeout)),
  withoutTimeoutUs: round2(median(without)),
  ratio: round2(median(withTimeout) / median(without)),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
