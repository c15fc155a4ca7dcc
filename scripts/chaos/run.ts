/**
 * The chaos run: the product as separate processes (a throwaway Temporal dev server, Hardhat node and
 * Postgres database; the API; two workers on one task queue) under a mixed load — conversions, airtime,
 * TXTC and hybrid transfers through REST, USSD buy sessions and SMS commands, many delivered two or three
 * times (at once and late) — while workers and the API are SIGKILLed and restarted, the chain is paused
 * (SIGSTOP/SIGCONT), the app's database connections are terminated, Postgres restarts, minting is refused
 * for a window (the minter role revoked: debits must be refunded) and the simulated operator fails before
 * and times out after committing. Then it waits for every workflow to end, reconciles the window and
 * returns the counts. `npm run chaos` prints them; a short run is part of the test suite.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomInt, randomUUID } from 'node:crypto';
import { Contract, Wallet, id as keccakId, type InterfaceAbi } from 'ethers';
import { Client, Connection } from '@temporalio/client';
import { startEphemeralStack, type EphemeralStack } from '../local/ephemeral-stack';
import { freePort, waitFor } from '../local/processes';
import { createPool } from '../../lib/db/pool';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { TxtcToken } from '../../lib/chain/txtc';
import { loadArtifact } from '../../lib/chain/artifacts';
import { LOCAL_DEV_SIGNER_KEY, LOCAL_DEV_WALLET_MNEMONIC } from '../../lib/config';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { createUssdRepo } from '../../lib/db/ussd';
import { hashPin } from '../../lib/ussd/pins';

/** The run's own gateway secrets: the API requires them on /ussd and /sms/inbound, as a gateway sends them. */
const WEBHOOK_SECRETS = { ussd: `chaos-ussd-${randomUUID()}`, sms: `chaos-sms-${randomUUID()}` };
import { reconcileLedger, type LedgerCheck } from './ledger-check';

const ROOT = resolve(__dirname, '..', '..');
/** Hardhat's second dev account: the harness's own admin key (the workers' signer keeps its nonces). */
const CHAOS_ADMIN_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const PIN = '4826';

export interface ChaosOptions {
  /** unique requests (each may be delivered more than once) */
  requests: number;
  /** unique requests started per second */
  rate: number;
  workerKills: number;
  apiKills: number;
  chainPauses: number;
  dbCuts: number;
  pgRestarts: number;
  mintOutages: number;
  simErrorRate: number;
  simTimeoutAfterCommitRate: number;
  /** how long to wait for every workflow to end after the load */
  settleTimeoutMs: number;
  log: (line: string) => void;
}

export const DEFAULT_CHAOS: ChaosOptions = {
  requests: 1000,
  rate: 6,
  workerKills: 10,
  apiKills: 2,
  chainPauses: 2,
  dbCuts: 3,
  pgRestarts: 1,
  mintOutages: 1,
  simErrorRate: 0.05,
  simTimeoutAfterCommitRate: 0.05,
  settleTimeoutMs: 900_000,
  log: () => undefined,
};

/** burst: one payer's money moved through several doors at once (REST hybrid, TXTC send and buy, SMS SEND). */
type Kind = 'conversion' | 'airtime' | 'txtc' | 'hybrid' | 'ussd' | 'sms' | 'burst';
const WEIGHTS: [Kind, number][] = [
  ['conversion', 30],
  ['airtime', 15],
  ['txtc', 10],
  ['hybrid', 15],
  ['ussd', 15],
  ['sms', 15],
  ['burst', 10],
];

export interface ChaosReport {
  requests: { unique: number; deliveries: number; duplicates: number; byKind: Record<Kind, number> };
  accepted: number;
  refusedAtTheDoor: number;
  refusals: Record<string, number>;
  abandonedUssdSessions: number;
  ussdAbandons: Record<string, number>;
  failures: Record<string, number>;
  records: { conversions: Record<string, number>; transfers: Record<string, number> };
  completed: number;
  failed: number;
  refunded: number;
  owed: number;
  unfinished: number;
  /** processes that died on their own (not killed by the harness): each one is a finding */
  crashes: Record<string, number>;
  /** why each crash happened: the process's last output */
  crashTails: string[];
  faults: {
    workerKills: number;
    apiKills: number;
    chainPauses: number;
    chainPausedSeconds: number;
    dbCuts: number;
    pgRestarts: number;
    mintOutages: number;
    simErrorRate: number;
    simTimeoutAfterCommitRate: number;
  };
  endToEnd: { p50Ms: number; p95Ms: number; maxMs: number };
  reconciliation: LedgerCheck;
  durationSeconds: number;
  logDir: string;
}

/** One of the product's processes, restarted like a supervisor would if it dies on its own (counted: a finding). */
class Proc {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULT_CHAOS, ...partial };
  const started = Date.now();
  const logDir = mkdtempSync(join(tmpdir(), 'txtc-chaos-'));
  o.log(`stack starting; process logs in ${logDir}`);
  const stack = await startEphemeralStack({ name: 'chaos' });
  const pool = createPool(stack.databaseUrl, 4);
  // The app's connections are cut by pg_terminate_backend; this pool is the harness's own and survives them.
  pool.on('error', () => undefined);
  const procs: Proc[] = [];
  let chainPaused = false;
  try {
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const env: NodeJS.ProcessEnv = {
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
    const workerEnv = {
      ...env,
      SIM_TELCO_ERROR_RATE: String(o.simErrorRate),
      SIM_TELCO_TIMEOUT_AFTER_COMMIT_RATE: String(o.simTimeoutAfterCommitRate),
    };
    const apiProc = new Proc('api', ['api/main.ts'], env, logDir);
    const workers = [1, 2].map((n) => new Proc(`worker-${n}`, ['workers/main.ts'], workerEnv, logDir));
    procs.push(apiProc, ...workers);

    // People: Safaricom and Airtel Kenya numbers with airtime, TXTC and a USSD registration with a PIN.
    const people = await seedPeople(stack, pool, 40);
    const windowStart = new Date(Date.now() - 5 * 60_000); // everything of this throwaway stack, seeding included
    const admin = await chaosAdmin(stack);
    for (const w of workers) w.start();
    apiProc.start();
    await waitFor('chaos API', async () => (await fetch(`${api}/health`)).status === 200, 120_000);
    o.log('stack up: API, two workers; load starting');

    const temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      namespace: 'default',
    });

    // ---- faults, spread over the load's expected duration
    const loadSeconds = o.requests / o.rate;
    const faults = {
      workerKills: 0,
      apiKills: 0,
      chainPauses: 0,
      chainPausedSeconds: 0,
      dbCuts: 0,
      pgRestarts: 0,
      mintOutages: 0,
    };
    const at = (n: number) =>
      Array.from({ length: n }, () => 2000 + randomInt(Math.max(1, Math.floor(loadSeconds * 1000 * 0.9))));
    const faultRuns: Promise<void>[] = [];
    for (const t of at(o.workerKills))
      faultRuns.push(
        sleep(t).then(async () => {
          const w = pick(workers);
          await w.kill('SIGKILL');
          faults.workerKills += 1;
          o.log(`killed ${w.name}`);
          await sleep(500 + randomInt(2500));
          w.start();
        }),
      );
    for (const t of at(o.apiKills))
      faultRuns.push(
        sleep(t).then(async () => {
          await apiProc.kill('SIGKILL');
          faults.apiKills += 1;
          o.log('killed the API');
          await sleep(500 + randomInt(1500));
          apiProc.start();
        }),
      );
    // Chain pauses and the mint outage one after another (a paused node could not take the role change).
    const chainFaults = [
      ...Array.from({ length: o.chainPauses }, () => 'pause' as const),
      ...Array.from({ length: o.mintOutages }, () => 'outage' as const),
    ].sort(() => randomInt(3) - 1);
    faultRuns.push(
      (async () => {
        const gap = (loadSeconds * 1000) / (chainFaults.length + 1);
        for (const f of chainFaults) {
          await sleep(gap * (0.5 + Math.random() * 0.5));
          if (f === 'pause') {
            const seconds = 5 + randomInt(11);
            chainPaused = true;
            stack.chain.child.kill('SIGSTOP');
            o.log(`chain paused for ${seconds} s`);
            await sleep(seconds * 1000);
            stack.chain.child.kill('SIGCONT');
            chainPaused = false;
            faults.chainPauses += 1;
            faults.chainPausedSeconds += seconds;
          } else {
            await admin.setMinter(false);
            o.log('minting refused (minter role revoked) for 10 s');
            await sleep(10_000);
            await admin.setMinter(true);
            faults.mintOutages += 1;
          }
        }
      })(),
    );
    for (const t of at(o.dbCuts))
      faultRuns.push(
        sleep(t).then(async () => {
          await cutConnections(pool, stack.databaseUrl);
          faults.dbCuts += 1;
          o.log('database connections terminated');
        }),
      );
    if (o.pgRestarts > 0 && existsSync('/usr/bin/pg_ctlcluster'))
      faultRuns.push(
        sleep(at(1)[0]!).then(() => {
          const version = execFileSync('ls', ['/etc/postgresql']).toString().trim().split('\n')[0]!;
          execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'ignore' });
          faults.pgRestarts += 1;
          o.log('Postgres restarted');
        }),
      );

    // ---- load
    const counts = {
      deliveries: 0,
      accepted: 0,
      refused: 0,
      abandoned: 0,
      byKind: Object.fromEntries(WEIGHTS.map(([k]) => [k, 0])) as Record<Kind, number>,
    };
    const requests: Promise<void>[] = [];
    const total = WEIGHTS.reduce((a, [, w]) => a + w, 0);
    for (let i = 0; i < o.requests; i++) {
      let roll = randomInt(total);
      const kind = WEIGHTS.find(([, w]) => (roll -= w) < 0)![0];
      counts.byKind[kind] += 1;
      requests.push(sendOne(kind, i, api, people, counts));
      await sleep(1000 / o.rate);
    }
    await Promise.all(requests);
    await Promise.all(faultRuns);
    o.log(`load sent: ${counts.deliveries} deliveries of ${o.requests} requests`);

    // ---- every workflow to its end (workers alive, chain running)
    if (chainPaused) stack.chain.child.kill('SIGCONT');
    for (const w of workers) if (!w.alive()) w.start();
    const deadline = Date.now() + o.settleTimeoutMs;
    let running = Infinity;
    while (Date.now() < deadline) {
      running = await countRunning(temporal);
      if (running === 0) break;
      await sleep(2000);
    }
    o.log(`workflows still running: ${running}`);

    const records = await recordCounts(pool);
    const reconciliation = await reconcileLedger(
      pool,
      stack,
      { since: windowStart, until: new Date(Date.now() + 5 * 60_000) },
      people.map((p) => `chaos-fund:${p.phone}`),
    );
    const endToEnd = await latencies(pool);
    await temporal.connection.close();
    return {
      requests: {
        unique: o.requests,
        deliveries: counts.deliveries,
        duplicates: counts.deliveries - o.requests,
        byKind: counts.byKind,
      },
      accepted: counts.accepted,
      refusedAtTheDoor: counts.refused,
      refusals,
      abandonedUssdSessions: counts.abandoned,
      ussdAbandons,
      failures: records.failures,
      records: { conversions: records.conversions, transfers: records.transfers },
      completed: records.completed,
      failed: records.failed,
      refunded: records.refunded,
      owed: records.owed,
      unfinished: running === Infinity ? -1 : running + records.pending,
      crashes: Object.fromEntries(procs.map((p) => [p.name, p.crashes])),
      crashTails: procs.flatMap((p) => p.crashTails),
      faults: { ...faults, simErrorRate: o.simErrorRate, simTimeoutAfterCommitRate: o.simTimeoutAfterCommitRate },
      endToEnd,
      reconciliation,
      durationSeconds: Math.round((Date.now() - started) / 1000),
      logDir,
    };
  } finally {
    if (chainPaused) stack.chain.child.kill('SIGCONT');
    await Promise.all(procs.map((p) => p.kill('SIGTERM', true)));
    await pool.end().catch(() => undefined);
    await stack.stop().catch(() => undefined);
  }

  // ------------------------------------------------------------------------------------------------
  async function sendOne(
    kind: Kind,
    i: number,
    api: string,
    people: Person[],
    counts: { deliveries: number; accepted: number; refused: number; abandoned: number },
    payer?: Person,
  ): Promise<void> {
    if (kind === 'burst') {
      // Concurrent movements from one payer across channels: each must see the balance the last one left.
      const one = pick(people);
      await Promise.all(
        (['hybrid', 'txtc', 'conversion', 'sms'] as const).map((k, j) =>
          sendOne(k, i * 10 + j, api, people, counts, one),
        ),
      );
      return;
    }
    const from = payer ?? pick(people);
    let to = pick(people);
    while (to === from) to = pick(people);
    const key = `chaos-${i}-${randomUUID().slice(0, 8)}`;
    let deliver: () => Promise<'accepted' | 'refused' | 'retry'>;
    if (kind === 'ussd') {
      const ok = await ussdSession(api, from.phone, key, counts);
      if (ok) counts.accepted += 1;
      else counts.abandoned += 1;
      return;
    }
    if (kind === 'sms') {
      const text = pick([
        ...(payer ? [] : [`BUY ${200 + randomInt(800)}`]),
        `SEND ${100 + randomInt(300)} TO ${to.phone}`,
        `TRANSFER ${150 + randomInt(500)} TO ${to.phone}`,
      ]);
      const form = new URLSearchParams({
        from: from.phone,
        to: '12345',
        text,
        id: key,
        date: new Date().toISOString(),
      });
      deliver = () => post(`${api}/sms/inbound`, form, { 'x-webhook-secret': WEBHOOK_SECRETS.sms });
    } else {
      const body =
        kind === 'conversion'
          ? {
              path: '/api/airtime/buy',
              json: { phoneNumber: from.phone, airtimeAmount: String(200 + randomInt(4000)) },
            }
          : kind === 'airtime'
            ? {
                path: '/api/airtime/transfer',
                json: { fromPhone: from.phone, toPhone: to.phone, amount: String(150 + randomInt(500)) },
              }
            : {
                path: '/api/transfers',
                json: {
                  fromPhone: from.phone,
                  toPhone: to.phone,
                  transferType: kind,
                  amount: String(100 + randomInt(kind === 'txtc' ? 200 : 500)),
                },
              };
      deliver = () =>
        post(`${api}${body.path}`, JSON.stringify(body.json), {
          'content-type': 'application/json',
          'idempotency-key': key,
        });
    }
    // A client retries (same key) until it gets an answer, for three minutes at most.
    const untilAnswered = async (): Promise<'accepted' | 'refused'> => {
      const giveUp = Date.now() + 180_000;
      while (Date.now() < giveUp) {
        counts.deliveries += 1;
        const outcome = await deliver();
        if (outcome !== 'retry') return outcome;
        await sleep(300 + randomInt(700));
      }
      refusals['no answer in 3 minutes'] = (refusals['no answer in 3 minutes'] ?? 0) + 1;
      return 'refused';
    };
    // Duplicates: a third of requests twice at once, a sixth again a few seconds later.
    const copies = [untilAnswered()];
    if (randomInt(3) === 0) copies.push(untilAnswered());
    const late = randomInt(6) === 0 ? sleep(2000 + randomInt(8000)).then(untilAnswered) : undefined;
    const outcomes = await Promise.all(copies);
    if (late) await late;
    if (outcomes.includes('accepted')) counts.accepted += 1;
    else counts.refused += 1;
  }

  async function ussdSession(
    api: string,
    phone: string,
    key: string,
    counts: { deliveries: number },
  ): Promise<boolean> {
    const inputs = ['1', String(300 + randomInt(2000)), PIN];
    for (let hop = 0; hop <= inputs.length; hop++) {
      const text = inputs.slice(0, hop).join('*');
      const form = new URLSearchParams({
        sessionId: key,
        serviceCode: '*123*456#',
        phoneNumber: phone,
        networkCode: '63902',
        text,
      });
      let answered: string | undefined;
      for (let attempt = 0; attempt < 8 && answered === undefined; attempt++) {
        counts.deliveries += 1;
        try {
          const res = await fetch(`${api}/ussd`, {
            method: 'POST',
            body: form,
            headers: { 'x-webhook-secret': WEBHOOK_SECRETS.ussd },
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 200) answered = await res.text();
        } catch {
          // the API is down: the gateway tries the hop again
        }
        if (answered === undefined) await sleep(500 + randomInt(1000));
      }
      if (answered === undefined || (hop < inputs.length && !answered.startsWith('CON'))) {
        note(`hop ${hop}: ${answered === undefined ? 'no answer' : answered.slice(0, 60)}`);
        return false;
      }
      if (hop === inputs.length) {
        if (!/^END Request received/.test(answered)) note(`last hop: ${answered.slice(0, 60)}`);
        return /^END Request received/.test(answered);
      }
    }
    return false;
  }
}

/** Why requests were refused at the door (status and error code), for the report. */
const refusals: Record<string, number> = {};
/** Why USSD sessions were abandoned, for the report. */
const ussdAbandons: Record<string, number> = {};
const note = (why: string) => void (ussdAbandons[why] = (ussdAbandons[why] ?? 0) + 1);

async function post(url: string, body: string | URLSearchParams, headers: Record<string, string>) {
  try {
    const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    if (res.status >= 400 && res.status !== 409 && res.status !== 429 && res.status < 500) {
      const code = /"code":"([A-Za-z]+)"/.exec(text)?.[1] ?? 'unknown';
      const key = `${res.status} ${code} ${new URL(url).pathname}`;
      refusals[key] = (refusals[key] ?? 0) + 1;
    }
    if (res.status < 300) return 'accepted' as const;
    // 409 for an in-flight twin with the same key is an answer; 429/5xx are worth another try.
    if (res.status === 409) return 'accepted' as const;
    if (res.status >= 500 || res.status === 429) return 'retry' as const;
    return 'refused' as const;
  } catch {
    return 'retry' as const; // connection refused while the API restarts
  }
}

interface Person {
  phone: string;
  operator: string;
}

async function seedPeople(
  stack: EphemeralStack,
  pool: ReturnType<typeof createPool>,
  count: number,
): Promise<Person[]> {
  const sim = new SimulatedOperator(pool);
  const ussd = createUssdRepo(pool);
  const wallets = new WalletDirectory(createWalletRepo(pool), LOCAL_DEV_WALLET_MNEMONIC);
  const provider = createProvider(stack.rpcUrl);
  const writer = new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider);
  const token = new TxtcToken(stack.deployment.txtc, provider, writer, stack.deployment.txtcBlock);
  const pinHash = await hashPin(PIN);
  const people: Person[] = [];
  const seen = new Set<string>();
  try {
    while (people.length < count) {
      const airtel = people.length % 4 === 3;
      const phone = airtel
        ? `+25473${String(randomInt(0, 10_000_000)).padStart(7, '0')}`
        : `+2547${randomInt(10, 30)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`.slice(0, 13);
      if (seen.has(phone)) continue;
      seen.add(phone);
      const operator = airtel ? 'airtel-ke' : 'safaricom-ke';
      await sim.topUp(phone, operator, 100_000_000n, `chaos-topup:${phone}`);
      await ussd.setPin(phone, pinHash);
      await ussd.completeRegistration(phone, 'en');
      const wallet = await wallets.ensure(phone);
      await token.mintOnce(wallet, 200n * 10n ** 18n, `chaos-fund:${phone}`, 30_000);
      people.push({ phone, operator });
    }
  } finally {
    provider.destroy();
  }
  return people;
}

/** A second admin of TXTC (not the workers' signer, whose nonces they keep) that can revoke and restore minting. */
async function chaosAdmin(stack: EphemeralStack) {
  const provider = createProvider(stack.rpcUrl);
  const signer = new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider);
  const abi = loadArtifact('Txtc').abi as InterfaceAbi;
  const asSigner = new Contract(stack.deployment.txtc, abi, provider);
  const adminKey = new Wallet(CHAOS_ADMIN_KEY);
  const DEFAULT_ADMIN = '0x' + '00'.repeat(32);
  const grant = asSigner.interface.encodeFunctionData('grantRole', [DEFAULT_ADMIN, adminKey.address]);
  await (await signer.send({ to: stack.deployment.txtc, data: grant })).wait();
  provider.destroy();
  const minter = keccakId('MINTER_ROLE');
  return {
    async setMinter(allowed: boolean): Promise<void> {
      const p = createProvider(stack.rpcUrl);
      try {
        const writer = new ChainWriter(CHAOS_ADMIN_KEY, p);
        const data = asSigner.interface.encodeFunctionData(allowed ? 'grantRole' : 'revokeRole', [
          minter,
          new Wallet(LOCAL_DEV_SIGNER_KEY).address,
        ]);
        await (await writer.send({ to: stack.deployment.txtc, data })).wait();
      } finally {
        p.destroy();
      }
    },
  };
}

/** Terminates every connection of the app's database but the harness's own. */
async function cutConnections(pool: ReturnType<typeof createPool>, databaseUrl: string): Promise<void> {
  const database = new URL(databaseUrl).pathname.slice(1);
  await pool
    .query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      database,
    ])
    .catch(() => undefined);
}

async function countRunning(temporal: Client): Promise<number> {
  try {
    let n = 0;
    // The chain writer is long-lived by design (it waits for the next entry): every other workflow must end.
    const query = 'ExecutionStatus="Running" AND WorkflowType!="chainWriterWorkflow"';
    for await (const _ of temporal.workflow.list({ query })) n += 1;
    return n;
  } catch {
    return Infinity;
  }
}

async function recordCounts(pool: ReturnType<typeof createPool>) {
  const group = async (sql: string) => {
    const { rows } = await pool.query<{ key: string; n: string }>(sql);
    return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
  };
  const conversions = await group(
    "SELECT status || '/' || stage AS key, count(*) AS n FROM airtime_transactions WHERE parent_transfer_id IS NULL GROUP BY 1",
  );
  const transfers = await group(
    "SELECT transfer_type || ':' || status || '/' || stage AS key, count(*) AS n FROM p2p_transfers GROUP BY 1",
  );
  const failures = await group(
    `SELECT 'conversion ' || COALESCE(failure_code, '?') AS key, count(*) AS n FROM airtime_transactions
       WHERE status = 'failed' AND parent_transfer_id IS NULL GROUP BY 1
     UNION ALL
     SELECT transfer_type || ' ' || COALESCE(failure_code, '?'), count(*) FROM p2p_transfers WHERE status = 'failed' GROUP BY 1`,
  );
  const sum = (m: Record<string, number>, test: (k: string) => boolean) =>
    Object.entries(m).reduce((a, [k, n]) => a + (test(k) ? n : 0), 0);
  const all = { ...conversions, ...transfers };
  return {
    conversions,
    transfers,
    failures,
    completed: sum(all, (k) => k.includes('completed/')),
    failed: sum(all, (k) => k.includes('failed/')),
    refunded: sum(all, (k) => k.endsWith('/refunded')),
    owed: sum(all, (k) => k.endsWith('/refund_failed')),
    pending: sum(all, (k) => k.includes('pending/')),
  };
}

async function latencies(pool: ReturnType<typeof createPool>) {
  const { rows } = await pool.query<{ ms: string }>(
    `SELECT extract(epoch FROM (updated_at - created_at)) * 1000 AS ms FROM (
       SELECT created_at, updated_at FROM airtime_transactions WHERE parent_transfer_id IS NULL AND status <> 'pending'
       UNION ALL SELECT created_at, updated_at FROM p2p_transfers WHERE status <> 'pending') t ORDER BY 1`,
  );
  const ms = rows.map((r) => Number(r.ms));
  const at = (p: number) =>
    ms.length ? Math.round(ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!) : 0;
  return { p50Ms: at(50), p95Ms: at(95), maxMs: at(100) };
}
