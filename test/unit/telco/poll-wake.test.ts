/**
 * The approval wait (lib/telco/http.ts pollUntilFinal) with the operators' callbacks: a callback cuts the pause
 * between status reads short, the read decides, and without callbacks the wait is what it always was.
 */
import { type Clock } from '../../../lib/telco/limits';
import { callbackWake, pollUntilFinal } from '../../../lib/telco/polling';
import { TelcoPendingError } from '../../../lib/telco/types';

function fakeClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
    slept,
  };
}

/** A payment whose reads answer `states` in turn (the last one repeats). */
function payment(...states: string[]) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    read: () => Promise.resolve(states[Math.min(reads++, states.length - 1)]),
  };
}

const base = { isFinal: (s: string) => s !== 'PENDING', reference: 'ref-1', operator: 'test-op' };

test('without callbacks: reads with doubling pauses, pending once the next read would fall after the wait', async () => {
  const clock = fakeClock();
  const p = payment('PENDING');
  await expect(
    pollUntilFinal({ ...base, read: p.read, clock, waitMs: 1000, initialMs: 100, maxMs: 400 }),
  ).rejects.toThrow(TelcoPendingError);
  expect(clock.slept).toEqual([100, 200, 400]);
  expect(p.reads).toBe(4);
});

test('a callback during a long pause makes the next read happen at once, and that read decides', async () => {
  const clock = fakeClock();
  const start = clock.now();
  const p = payment('PENDING', 'SUCCESSFUL');
  let checks = 0;
  const wake = { checkMs: 50, woken: () => Promise.resolve(++checks === 4) }; // the callback is seen on the 4th look
  const state = await pollUntilFinal({
    ...base,
    read: p.read,
    clock,
    waitMs: 600_000,
    initialMs: 60_000,
    maxMs: 60_000,
    wake,
  });
  expect(state).toBe('SUCCESSFUL');
  expect(p.reads).toBe(2);
  expect(clock.now() - start).toBe(150);
});

test('a callback the read does not confirm changes nothing: the wait runs to its end and the payment is pending', async () => {
  const clock = fakeClock();
  const start = clock.now();
  const p = payment('PENDING');
  let checks = 0;
  const wake = { checkMs: 100, woken: () => Promise.resolve(++checks === 2) };
  await expect(
    pollUntilFinal({ ...base, read: p.read, clock, waitMs: 1000, initialMs: 60_000, maxMs: 60_000, wake }),
  ).rejects.toThrow(TelcoPendingError);
  expect(p.reads).toBe(2); // the first read, and the one the callback asked for
  expect(clock.now() - start).toBe(1000);
});

test('callbackWake: a callback already there does not count, each newer one once, a database error is no wake', async () => {
  const answers: (bigint | Error)[] = [5n, 5n, 7n, 7n, new Error('db down'), 9n];
  const latest = () => {
    const next = answers.shift()!;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  const wake = await callbackWake(latest, 10);
  const seen: boolean[] = [];
  for (let i = 0; i < 5; i++) seen.push(await wake.woken());
  expect(seen).toEqual([false, true, false, false, true]);
});
