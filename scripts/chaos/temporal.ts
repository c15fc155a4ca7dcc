/**
 * The chaos run's Temporal server on Postgres (scripts/local/temporal-postgres.ts) under faults: SIGKILLed and
 * started again on the same ports and databases, and watched like a supervisor would: a server that exits on
 * its own (e.g. when the machine's Postgres, which it shares with the product, restarts under it) is counted
 * as a crash, its log's last lines kept, and started again until it answers.
 */
import { readFileSync } from 'node:fs';
import type { TemporalOnPostgres } from '../local/temporal-postgres';
import { sleep } from './load';

export class TemporalSupervisor {
  /** SIGKILLs of the harness */
  kills = 0;
  /** exits the harness did not cause: each one is a finding */
  crashes = 0;
  readonly crashTails: string[] = [];
  private busy = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly server: TemporalOnPostgres,
    private readonly log: (line: string) => void,
  ) {}

  /** Checks every second that the server runs; one that died on its own is started again. */
  watch(): void {
    this.timer = setInterval(() => void this.check(), 1000);
  }

  unwatch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** SIGKILL (nothing flushed), `pauseMs` down, then the same server again until it answers. */
  async killAndRestart(pauseMs: number): Promise<void> {
    await this.idle();
    this.busy = true;
    try {
      await this.server.kill();
      this.kills += 1;
      this.log(`killed the Temporal server; back in ${pauseMs} ms`);
      await sleep(pauseMs);
      await this.bringBack();
    } finally {
      this.busy = false;
    }
  }

  /** Resolves once the server runs and answers (after any restart under way). */
  async ensureUp(): Promise<void> {
    await this.idle();
    if (this.server.pid() !== undefined) return;
    this.busy = true;
    try {
      await this.bringBack();
    } finally {
      this.busy = false;
    }
  }

  private async idle(): Promise<void> {
    while (this.busy) await sleep(200);
  }

  private async check(): Promise<void> {
    if (this.busy || !this.timer || this.server.pid() !== undefined) return;
    this.busy = true;
    try {
      this.crashes += 1;
      let tail = '';
      try {
        tail = readFileSync(this.server.logFile, 'utf8').slice(-3000);
      } catch {
        // no log yet
      }
      this.crashTails.push(`temporal server exited on its own:\n${tail}`);
      this.log('the Temporal server exited on its own: starting it again');
      await this.bringBack();
    } finally {
      this.busy = false;
    }
  }

  /** restart() until it answers: a start while Postgres itself restarts fails, and is tried again. */
  private async bringBack(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.server.restart();
        return;
      } catch (e) {
        if (attempt >= 10) throw e;
        this.log(`the Temporal server did not come back (${(e as Error).message.split('\n')[0]}); again`);
        await sleep(2000);
      }
    }
  }
}
