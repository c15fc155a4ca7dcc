/**
 * The chaos run's faults (scripts/chaos/run.ts), spread over the load's expected duration: workers and the API
 * SIGKILLed and restarted, the chain paused (SIGSTOP/SIGCONT), minting refused for a window (the minter role
 * revoked: debits must be refunded), the app's database connections terminated, Postgres restarted and, on
 * the full Temporal server on Postgres, that server SIGKILLed and started again (./temporal).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { Contract, Wallet, id as keccakId, type InterfaceAbi } from 'ethers';
import type { EphemeralStack } from '../local/ephemeral-stack';
import { createPool } from '../../lib/db/pool';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { loadArtifact } from '../../lib/chain/artifacts';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import type { Proc } from './processes';
import { pick, sleep } from './load';
import type { TemporalSupervisor } from './temporal';

/** Hardhat's second dev account: the harness's own admin key (the workers' signer keeps its nonces). */
const CHAOS_ADMIN_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

/** How many of each fault the run injects. */
export interface FaultPlan {
  workerKills: number;
  apiKills: number;
  chainPauses: number;
  dbCuts: number;
  pgRestarts: number;
  mintOutages: number;
  /** SIGKILLs of the Temporal server, each followed by a restart (only on the server on Postgres) */
  temporalKills: number;
}

/** The faults that happened (a chain pause counts once it is over). */
export interface FaultCounts {
  workerKills: number;
  apiKills: number;
  chainPauses: number;
  chainPausedSeconds: number;
  dbCuts: number;
  pgRestarts: number;
  mintOutages: number;
  temporalKills: number;
}

/** What the faults act on; `chain.paused` says whether the chain is paused right now. */
export interface FaultTargets {
  stack: EphemeralStack;
  pool: ReturnType<typeof createPool>;
  workers: Proc[];
  api: Proc;
  admin: ChaosAdmin;
  chain: { paused: boolean };
  /** the Temporal server on Postgres, when the run has one */
  temporal?: TemporalSupervisor;
}

/**
 * Schedules every fault of `o` over the load of `o.requests` at `o.rate` a second; `runs` settle once each has
 * happened, `faults` counts them as they do.
 */
export function startFaults(
  o: FaultPlan & { requests: number; rate: number; log: (line: string) => void },
  { stack, pool, workers, api, admin, chain, temporal }: FaultTargets,
): { faults: FaultCounts; runs: Promise<void>[] } {
  const loadSeconds = o.requests / o.rate;
  const faults: FaultCounts = {
    workerKills: 0,
    apiKills: 0,
    chainPauses: 0,
    chainPausedSeconds: 0,
    dbCuts: 0,
    pgRestarts: 0,
    mintOutages: 0,
    temporalKills: 0,
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
        await api.kill('SIGKILL');
        faults.apiKills += 1;
        o.log('killed the API');
        await sleep(500 + randomInt(1500));
        api.start();
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
          chain.paused = true;
          stack.chain.child.kill('SIGSTOP');
          o.log(`chain paused for ${seconds} s`);
          await sleep(seconds * 1000);
          stack.chain.child.kill('SIGCONT');
          chain.paused = false;
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
  // Temporal kills one after another, spread over the load: each SIGKILL, 1-3 s down, then a restart.
  if (o.temporalKills > 0) {
    if (!temporal) throw new Error('Temporal kills need the Temporal server on Postgres (--temporal postgres)');
    faultRuns.push(
      (async () => {
        const gap = (loadSeconds * 1000) / (o.temporalKills + 1);
        for (let i = 0; i < o.temporalKills; i++) {
          await sleep(gap * (0.5 + Math.random() * 0.5));
          await temporal.killAndRestart(1000 + randomInt(2000));
          faults.temporalKills += 1;
          o.log('Temporal server back');
        }
      })(),
    );
  }
  return { faults, runs: faultRuns };
}

export type ChaosAdmin = Awaited<ReturnType<typeof chaosAdmin>>;

/** A second admin of TXTC (not the workers' signer, whose nonces they keep) that can revoke and restore minting. */
export async function chaosAdmin(stack: EphemeralStack) {
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
