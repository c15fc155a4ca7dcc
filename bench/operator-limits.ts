/**
 * npm run bench:operator-limits: the operator client's own limits (lib/telco/limits.ts) beside cockatiel's
 * bulkhead and circuit breaker, on what an operator slowing down does to our callers. Each caller is an
 * activity attempt holding a worker slot: the longer it is held before "not now", the less the worker does
 * for every other operator. JSON on stdout.
 *
 * - waiter: two slots held by calls that take HOLD_MS; four more callers come with a deadline of DEADLINE_MS.
 *   How long each is held before it is told no.
 * - half-open: the breaker opened after three failures; once the cool-down passed, a trial call takes
 *   HOLD_MS (the operator is slow, not back). How long three more callers wait meanwhile before an answer.
 * - overhead: a call that answers at once, through both guards, against calling it bare (ns a call).
 */
import { BulkheadPolicy, ConsecutiveBreaker, bulkhead, circuitBreaker, handleAll, wrap } from 'cockatiel';
import { CircuitBreaker, Slots, systemClock } from '../lib/telco/limits';

const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? 2000);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS ?? 250);
const COOL_DOWN_MS = 300;
const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const since = (start: number) => Math.round(performance.now() - start);

/** What the callers saw: each one's wait before its answer, and the answers. */
interface Waits {
  waitedMs: number[];
  answers: string[];
}

async function oursWaiter(): Promise<Waits> {
  const slots = new Slots(2);
  const far = Date.now() + 60_000;
  const holders = [0, 1].map(async () => {
    await slots.acquire(far, systemClock);
    await sleep(HOLD_MS);
    slots.release();
  });
  const waiters = [0, 1, 2, 3].map(async () => {
    const start = performance.now();
    const got = await slots.acquire(Date.now() + DEADLINE_MS, systemClock);
    if (got) slots.release();
    return { ms: since(start), answer: got ? 'slot' : 'no slot by the deadline' };
  });
  const seen = await Promise.all(waiters);
  await Promise.all(holders);
  return { waitedMs: seen.map((s) => s.ms), answers: seen.map((s) => s.answer) };
}

async function cockatielWaiter(): Promise<Waits> {
  const policy: BulkheadPolicy = bulkhead(2, 4);
  const holders = [0, 1].map(() => policy.execute(() => sleep(HOLD_MS)));
  const waiters = [0, 1, 2, 3].map(async () => {
    const start = performance.now();
    try {
      await policy.execute(() => undefined, AbortSignal.timeout(DEADLINE_MS));
      return { ms: since(start), answer: 'slot' };
    } catch (err) {
      return { ms: since(start), answer: (err as Error).constructor.name };
    }
  });
  const seen = await Promise.all(waiters);
  await Promise.all(holders);
  return { waitedMs: seen.map((s) => s.ms), answers: seen.map((s) => s.answer) };
}

async function oursHalfOpen(): Promise<Waits> {
  const breaker = new CircuitBreaker(3, COOL_DOWN_MS, systemClock);
  for (let i = 0; i < 3; i++) breaker.failed(false);
  await sleep(COOL_DOWN_MS);
  const trial = breaker.tryPass();
  const trialCall = sleep(HOLD_MS).then(() => breaker.failed(trial.pass && trial.trial));
  const others = [0, 1, 2].map(async () => {
    const start = performance.now();
    const gate = breaker.tryPass();
    return { ms: since(start), answer: gate.pass ? 'passed' : `refused, retry in ${gate.retryAfterMs} ms` };
  });
  const seen = await Promise.all(others);
  await trialCall;
  return { waitedMs: seen.map((s) => s.ms), answers: seen.map((s) => s.answer) };
}

async function cockatielHalfOpen(): Promise<Waits> {
  const policy = circuitBreaker(handleAll, { halfOpenAfter: COOL_DOWN_MS, breaker: new ConsecutiveBreaker(3) });
  const fail = () => Promise.reject(new Error('operator failing'));
  for (let i = 0; i < 3; i++) await policy.execute(fail).catch(() => undefined);
  await sleep(COOL_DOWN_MS);
  const trialCall = policy.execute(() => sleep(HOLD_MS).then(fail)).catch(() => undefined);
  await sleep(10);
  const others = [0, 1, 2].map(async () => {
    const start = performance.now();
    try {
      await policy.execute(() => undefined);
      return { ms: since(start), answer: 'passed' };
    } catch (err) {
      return { ms: since(start), answer: (err as Error).constructor.name };
    }
  });
  const seen = await Promise.all(others);
  await trialCall;
  return { waitedMs: seen.map((s) => s.ms), answers: seen.map((s) => s.answer) };
}

/** ns a call: each guard around a call that answers at once, and the bare call as the baseline. */
async function overhead() {
  const call = () => Promise.resolve(1);
  const far = () => Date.now() + 60_000;
  const time = async (run: () => Promise<unknown>) => {
    for (let i = 0; i < 10_000; i++) await run(); // warm-up
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) await run();
    return Number((process.hrtime.bigint() - start) / BigInt(CALLS));
  };
  const breaker = new CircuitBreaker(3, COOL_DOWN_MS, systemClock);
  const slots = new Slots(8);
  const ours = async () => {
    const gate = breaker.tryPass();
    if (!gate.pass || !(await slots.acquire(far(), systemClock))) throw new Error('refused');
    try {
      return await call();
    } finally {
      slots.release();
      breaker.succeeded(gate.trial);
    }
  };
  const policy = wrap(
    circuitBreaker(handleAll, { halfOpenAfter: COOL_DOWN_MS, breaker: new ConsecutiveBreaker(3) }),
    bulkhead(8, 8),
  );
  const theirs = () => policy.execute(call);
  const bare = await time(call);
  const oursNs = await time(ours);
  const cockatielNs = await time(theirs);
  return {
    calls: CALLS,
    bareNs: bare,
    oursNs,
    cockatielNs,
    /** each guarded call's time as a percentage of the bare call's (155: 1.55x), in whole percent */
    oursPercentOfBare: Math.round((oursNs * 100) / bare),
    cockatielPercentOfBare: Math.round((cockatielNs * 100) / bare),
  };
}

async function main() {
  const result = {
    settings: { holdMs: HOLD_MS, deadlineMs: DEADLINE_MS, coolDownMs: COOL_DOWN_MS },
    waiter: { ours: await oursWaiter(), cockatiel: await cockatielWaiter() },
    halfOpen: { ours: await oursHalfOpen(), cockatiel: await cockatielHalfOpen() },
    overhead: await overhead(),
  };
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
