import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure, decodeTimeoutType } from '@temporalio/common';
import { Wallet, parseUnits, type JsonRpcProvider } from 'ethers';
import { conversionWorkflow } from '../../workflows';
import { conversionWorkflowId, stepReference, type ConversionInput } from '../../lib/definitions';
import { createActivities } from '../../activities';
import { createChainActivities } from '../../activities/chain';
import {
  TxtcToken,
  chainReference,
  type MintReceipt,
  type MintingToken,
  type TransferringToken,
} from '../../lib/chain/txtc';
import type { WalletDirectory } from '../../lib/wallets';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import { startLocalChain } from '../../scripts/local/chain-node';
import { deployAll } from '../../scripts/local/deploy';
import { freePort, stopService, waitFor, type Service } from '../../scripts/local/processes';
import { openStack, testLog, uniqueId, workflowBundle, type TestStackHandle } from '../support/stack';
import { newSafaricomNumber, telcoOperations, topUp } from '../support/money';

const ROOT = resolve(__dirname, '..', '..');

/** A mint that lands only when the test says so, and the chain activities around it. */
function heldMint() {
  let land!: () => void;
  const token: MintingToken = {
    mintOnce: (to, amount) =>
      new Promise<MintReceipt>((done) => {
        land = () => done({ txHash: '0xmint', blockNumber: 1, to, amount, alreadyMinted: false });
      }),
    findMint: () => Promise.resolve(undefined),
  };
  const activities = createChainActivities({
    token,
    relay: {} as TransferringToken,
    wallets: {} as WalletDirectory,
    receiptTimeoutMs: 0,
    log: testLog,
  });
  const input = { to: Wallet.createRandom().address, amount: '5', reference: uniqueId('held-mint') };
  return { activities, input, land: () => land() };
}

function countHeartbeats(env: MockActivityEnvironment, enough: number) {
  let beats = 0;
  const reached = new Promise<void>((done) =>
    env.on('heartbeat', () => {
      beats += 1;
      if (beats === enough) done();
    }),
  );
  return { reached, count: () => beats };
}

describe('chain activities heartbeat while they wait on the node', () => {
  test('a mint heartbeats while its receipt is awaited and stops once it returns', async () => {
    const { activities, input, land } = heldMint();
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    const heartbeats = countHeartbeats(env, 3);
    const minting = env.run(activities.mintTxtc, input);
    await heartbeats.reached;
    land();
    await expect(minting).resolves.toMatchObject({ txHash: '0xmint', alreadyMinted: false });

    const after = heartbeats.count();
    await new Promise((r) => setTimeout(r, 400));
    expect(heartbeats.count()).toBe(after);
  });

  test('an attempt cancelled while it waits (its heartbeat timed out) stops waiting with a CancelledFailure', async () => {
    const { activities, input, land } = heldMint();
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    const minting = env.run(activities.mintTxtc, input);
    await countHeartbeats(env, 1).reached;
    env.cancel('TIMED_OUT');
    await expect(minting).rejects.toBeInstanceOf(CancelledFailure);
    land(); // the mint it left behind may still land; a retry finds it by its reference
  });

  test('without a heartbeat timeout, or called directly outside an activity, a mint runs without heartbeats', async () => {
    const noTimeout = heldMint();
    const env = new MockActivityEnvironment();
    const heartbeats = countHeartbeats(env, 1);
    const minting = env.run(noTimeout.activities.mintTxtc, noTimeout.input);
    noTimeout.land();
    await expect(minting).resolves.toMatchObject({ alreadyMinted: false });
    expect(heartbeats.count()).toBe(0);

    const direct = heldMint();
    const called = direct.activities.mintTxtc(direct.input);
    direct.land();
    await expect(called).resolves.toMatchObject({ txHash: '0xmint' });
  });
});

describe('a chain activity lost with its worker', () => {
  // A chain of this test's own: it stops mining blocks, which the shared chain's other users would feel.
  let node: Service | undefined;
  let provider: JsonRpcProvider | undefined;
  let stack: TestStackHandle | undefined;
  let dying: ChildProcess | undefined;
  let token: TxtcToken;
  let chainEnv: Record<string, string>;

  beforeAll(async () => {
    const port = await freePort();
    node = await startLocalChain(port, 0);
    const rpcUrl = `http://127.0.0.1:${port}`;
    provider = createProvider(rpcUrl);
    const deployment = await deployAll(new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider));
    chainEnv = {
      CHAIN_RPC_URL: rpcUrl,
      TXTC_ADDRESS: deployment.txtc,
      TXTC_DEPLOY_BLOCK: String(deployment.txtcBlock),
      RATE_PAIR_ADDRESS: deployment.ratePair,
      // A mint as its own transaction, awaited by the activity the test kills (batched writes are awaited by
      // the chain writer instead; the chaos run kills workers under them).
      CHAIN_BATCHING: 'false',
    };
    stack = await openStack(chainEnv);
    token = new TxtcToken(deployment.txtc, provider, undefined, deployment.txtcBlock);
  });
  afterAll(async () => {
    if (dying && dying.exitCode === null && dying.signalCode === null) dying.kill('SIGKILL');
    provider?.destroy();
    if (node) await stopService(node);
    await stack?.close();
  });

  /** The real activities in a worker process of their own, ready once it polls the task queue. */
  async function startDyingWorker(taskQueue: string, identity: string): Promise<ChildProcess> {
    // Node itself runs the worker (tsx as a loader, not its CLI, which would leave the worker a grandchild).
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/chain/activity-worker.ts', taskQueue, identity], {
      cwd: ROOT,
      env: { ...process.env, WORKER_ENV: JSON.stringify(chainEnv) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-4000)));
    await waitFor('the activity worker', () => Promise.resolve(stdout.includes('ready\n')), 60000, child).catch(
      (e: unknown) => {
        throw new Error(`${String(e)}\n${stderrTail}`);
      },
    );
    return child;
  }

  test('a mint whose worker is killed while it awaits the receipt is retried after the heartbeat timeout and mints once', async () => {
    const s = stack!;
    const chain = provider!;
    const phone = newSafaricomNumber();
    await topUp(s.runtime.pool, phone, 'safaricom-ke', 500000n);
    const taskQueue = uniqueId('test-lost-mint');
    const workflowId = conversionWorkflowId('api', uniqueId('lost-mint'));
    const mintReference = stepReference(workflowId, 'mint');
    const args: ConversionInput = { channel: 'api', phoneNumber: phone, operator: 'safaricom-ke', usdCents: '1000' };
    const nonceBefore = await chain.getTransactionCount(s.runtime.writer.address, 'latest');

    // The workflow and its local activities in this process; every other activity goes to the dying worker.
    const workflows = await Worker.create({
      connection: s.nativeConnection,
      namespace: s.config.temporal.namespace,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({ ...s.runtime, log: testLog }),
      enableNonLocalActivities: false,
    });
    dying = await startDyingWorker(taskQueue, 'dying-worker');

    const state = await workflows.runUntil(async () => {
      // Blocks stop: the dying worker's mint is broadcast and its receipt does not come.
      await chain.send('evm_setAutomine', [false]);
      const handle = await s.client.workflow.start(conversionWorkflow, { taskQueue, workflowId, args: [args] });
      await waitFor('the mint to be broadcast', async () => {
        const [pending, mined] = await Promise.all([
          chain.getTransactionCount(s.runtime.writer.address, 'pending'),
          chain.getTransactionCount(s.runtime.writer.address, 'latest'),
        ]);
        return pending > mined;
      });
      const { raw } = await handle.describe();
      expect(raw.pendingActivities?.map((a) => [a.activityType?.name, a.attempt, a.lastWorkerIdentity])).toEqual([
        ['mintTxtc', 1, 'dying-worker'],
      ]);

      dying!.kill('SIGKILL');
      await new Promise((r) => dying!.once('exit', r));
      // The chain goes on without the worker: its broadcast lands.
      await chain.send('evm_mine', []);
      await chain.send('evm_setAutomine', [true]);

      const survivor = await Worker.create({
        connection: s.nativeConnection,
        namespace: s.config.temporal.namespace,
        taskQueue,
        identity: 'surviving-worker',
        activities: createActivities({ ...s.runtime, log: testLog }),
      });
      return survivor.runUntil(handle.result());
    });

    expect(state.status).toBe('completed');
    // The second attempt found the dead attempt's mint instead of minting: one mint, one transaction.
    const minted = await token.contract.queryFilter(
      token.contract.filters.ReferencedMint!(chainReference(mintReference)),
      0,
    );
    expect(minted.map((log) => log.transactionHash)).toEqual([state.txHash]);
    expect(await chain.getTransactionCount(s.runtime.writer.address, 'latest')).toBe(nonceBefore + 1);
    expect(await token.balanceOf(state.walletAddress!)).toBe(parseUnits('980', 18));
    expect(await telcoOperations(s.runtime.pool, phone)).toEqual([
      { reference: stepReference(workflowId, 'debit'), kind: 'debit', amountMinor: 129000n, status: 'committed' },
    ]);

    // The history: the mint's last attempt is the second, by the surviving worker, after a heartbeat timeout.
    const history = await s.client.workflow.getHandle(workflowId).fetchHistory();
    const mintScheduled = history.events!.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'mintTxtc',
    );
    const ofMint = (id: { scheduledEventId?: unknown } | null | undefined) =>
      !!id && String(id.scheduledEventId) === String(mintScheduled?.eventId);
    const mintStarted = history.events!.filter((e) => ofMint(e.activityTaskStartedEventAttributes));
    expect(mintStarted).toHaveLength(1);
    const started = mintStarted[0]!.activityTaskStartedEventAttributes!;
    expect(started.attempt).toBe(2);
    expect(started.identity).toBe('surviving-worker');
    expect(decodeTimeoutType(started.lastFailure?.timeoutFailureInfo?.timeoutType)).toBe('HEARTBEAT');
    expect(history.events!.filter((e) => ofMint(e.activityTaskCompletedEventAttributes))).toHaveLength(1);
    expect(history.events!.some((e) => e.activityTaskTimedOutEventAttributes)).toBe(false);
  });
});
