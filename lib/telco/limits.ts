/**
 * What keeps one operator API from hurting the rest (lib/telco/http.ts uses them): an injectable clock, a
 * circuit breaker, a bound on calls in flight and a start-rate token bucket. Ours, not cockatiel's: a waiter
 * is told no at its own deadline, and a half-open circuit refuses at once with a retry time, where cockatiel
 * holds both callers (npm run bench:operator-limits, docs/operators.md).
 */
/** Time, injectable so tests move it instead of waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Opens after N consecutive retryable failures; half-open (one trial call) after the cool-down. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly threshold: number,
    private readonly coolDownMs: number,
    private readonly clock: Clock,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.clock.now() - this.openedAt >= this.coolDownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go now; in half-open state only one trial call at a time. */
  tryPass(): { pass: true; trial: boolean } | { pass: false; retryAfterMs: number } {
    const state = this.state;
    if (state === 'closed') return { pass: true, trial: false };
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return { pass: true, trial: true };
    }
    const waited = this.clock.now() - (this.openedAt ?? 0);
    return { pass: false, retryAfterMs: Math.max(1000, this.coolDownMs - waited) };
  }

  succeeded(trial: boolean): void {
    if (trial) this.trialInFlight = false;
    this.failures = 0;
    this.openedAt = undefined;
  }

  /** A trial call that never reached the operator: the next call may try. */
  release(): void {
    this.trialInFlight = false;
  }

  failed(trial: boolean): void {
    if (trial) this.trialInFlight = false;
    this.failures += 1;
    if (trial || this.failures >= this.threshold) this.openedAt = this.clock.now();
  }
}

/** At most `max` holders at once; a waiter gives up at its deadline. */
export class Slots {
  private inUse = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly max: number) {}

  acquire(deadlineMs: number, clock: Clock): Promise<boolean> {
    if (this.inUse < this.max) {
      this.inUse += 1;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const granted = () => {
        clearTimeout(timer);
        this.waiting.delete(granted);
        this.inUse += 1;
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          this.waiting.delete(granted);
          resolve(false);
        },
        Math.max(0, deadlineMs - clock.now()),
      );
      this.waiting.add(granted);
    });
  }

  release(): void {
    this.inUse -= 1;
    const next = this.waiting.values().next();
    if (!next.done) next.value();
  }
}

/** A token bucket: `perSecond` calls a second, bursts up to one second's worth. */
export class StartRate {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {
    this.tokens = perSecond;
    this.last = clock.now();
  }

  /** Waits for a token; false when none comes before the deadline. */
  async take(deadlineMs: number): Promise<boolean> {
    if (this.perSecond <= 0) return true;
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return true;
      }
      const wait = Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
      if (now + wait > deadlineMs) return false;
      await this.clock.sleep(wait);
    }
  }
}
