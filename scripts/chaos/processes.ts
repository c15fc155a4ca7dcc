/**
 * The chaos run's processes (scripts/chaos/run.ts): the product's API and workers as separate processes, each
 * restarted like a supervisor would when it dies on its own, and the environment they run with on the run's
 * throwaway stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EphemeralStack } from '../local/ephemeral-stack';

const ROOT = resolve(__dirname, '..', '..');

/** The run's own gateway secrets: the API requires them on /ussd and /sms/inbound, as a gateway sends them. */
export const WEBHOOK_SECRETS = { ussd: `chaos-ussd-${randomUUID()}`, sms: `chaos-sms-${randomUUID()}` };

/** The API's and workers' environment on the run's stack (`logDir` their data directory). */
export function productEnv(stack: EphemeralStack, apiPort: number, logDir: string): NodeJS.ProcessEnv {
  return {
    APP_ENV: 'local',
    LOG_LEVEL: 'warn',
    DATA_DIR: logDir,
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_TASK_QUEUE: 'chaos',
    START_LOCAL_TEMPORAL: 'false',
    START_LOCAL_CHAIN: 'false',
    CHAIN_RPC_URL: stack.rpcUrl,
    TXTC_ADDRESS: stack.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stack.deployment.ratePair,
    PORT: String(apiPort),
    USSD_IDLE_TIMEOUT: '15',
    DAILY_LIMIT_USD: '1000000',
    SMS_CONFIRM_ABOVE_USD: '1000000',
    CHAIN_RECEIPT_TIMEOUT_MS: '20000',
    // Two workers on one machine: no metrics listeners to collide on.
    WORKER_METRICS_PORT: '0',
    TEMPORAL_WORKER_METRICS_PORT: '0',
    USSD_WEBHOOK_SECRET: WEBHOOK_SECRETS.ussd,
    SMS_WEBHOOK_SECRET: WEBHOOK_SECRETS.sms,
    // The whole load comes from one address and a few numbers: this run measures faults, not abuse limits.
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_PHONE: '0',
    // The harness is the only caller, on a throwaway stack: API keys are proven by test/security/api-keys.
    API_KEYS_REQUIRED: 'false',
    // ...and 40 people moving money to each other hundreds of times: not fraud, so no fraud rule refuses or holds.
    FRAUD_VELOCITY_MAX_MOVEMENTS: '0',
    FRAUD_MAX_RECEIVERS_PER_HOUR: '0',
    FRAUD_HOLD_SENDERS_PER_RECEIVER: '0',
    FRAUD_HOLD_ABOVE_USD: '0',
    FRAUD_NEW_NUMBER_HOLD_ABOVE_USD: '0',
  };
}

/** One of the product's processes, restarted like a supervisor would if it dies on its own (counted: a finding). */
export class Proc {
  child: ChildProcess | undefined;
  /** exits the harness did not cause: a process that died of a fault */
  crashes = 0;
  /** for each such exit: its code or signal and the last lines the process wrote (why it died) */
  readonly crashTails: string[] = [];
  private tail = '';
  private stopping = false;
  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
  ) {}

  start(): void {
    if (this.alive()) return;
    const out = createWriteStream(join(this.logDir, `${this.name}.log`), { flags: 'a' });
    // node --import tsx (not the tsx CLI): a kill reaches the process itself, not a wrapper.
    const child = spawn(process.execPath, ['--import', 'tsx', ...this.args], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Both streams into one file: neither may end it, or the other's last lines (a crash's stack) are a
    // write after end; the file closes when the process and both its streams are done.
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    this.tail = '';
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('close', (code, signal) => {
      out.end();
      if (this.child !== child || this.stopping) return;
      this.crashTails.push(`${this.name} exited (${signal ?? `code ${code}`}):\n${this.tail}`);
    });
    this.child = child;
    child.once('exit', () => {
      if (this.child !== child || this.stopping) return;
      this.crashes += 1;
      setTimeout(() => {
        if (this.child === child && !this.stopping) this.start();
      }, 1000);
    });
  }

  alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills it on purpose (a fault, or the end of the run); `start()` brings it back. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', forGood = false): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.child = undefined;
    this.stopping = forGood;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}
