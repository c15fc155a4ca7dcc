/**
 * Batched chain writes on the real stack: the contract applies a batch entry by entry (a reused reference
 * never sinks the others), the chain writer replaces a stuck batch at the same nonce instead of writing it
 * twice, a lone entry is not kept waiting, a send skipped for a short balance stays skipped across the writer's
 * continue-as-new, a mint skipped Expired is written again only as a new attempt (each outcome told with the
 * entry's attempt), a voucher's owed mint takes only its own round's word and checks a Reverted on chain, and
 * two worker processes on one task queue mint each conversion exactly once through the one writer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Wallet, parseUnits } from 'ethers';
import { defaultPayloadConverter } from '@temporalio/common';
import { BatchWriter } from '../../lib/chain/batch';
import { TxtcToken, chainReference } from '../../lib/chain/txtc';
import { createActivities } from '../../activities';
import {
  chainWriteSettledSignal,
  chainWriterStart,
  chainWriterWorkflowId,
  conversionWorkflowId,
  enqueueChainWriteSignal,
  stepReference,
  voucherWorkflowId,
  type ChainWriteEntry,
  type ChainWriteOutcome,
  type ChainWriterInput,
  type ConversionState,
  type MintEntryWire,
  type TransferEntryWire,
  type VoucherRedemptionResult,
} from '../../lib/definitions';
import { conversionWorkflow, voucherRedemptionWorkflow } from '../../workflows';
import { openStack, testConfig, testLog, uniqueId, withWorker, type TestStackHandle } from '../support/stack';
import { newSafaricomNumber, topUp } from '../support/money';
import { readStack } from '../support/stack-file';

const ROOT = resolve(__dirname, '..', '..');
let stack: TestStackHandle;
let token: TxtcToken;
beforeAll(async () => {
  stack = await openStack();
  token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider, stack.runtime.writer);
});
afterAll(async () => {
  await stack.close();
});

const chainTime = async () => (await stack.runtime.provider.getBlock('latest'))!.timestamp;
const mintEntry = (reference: string, to: string, amount: bigint, deadline: number): MintEntryWire => ({
  kind: 'mint',
  reference,
  to,
  amount: amount.toString(),
  deadline,
  requester: 'nobody-waits',
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 60000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The referenced mints a reference left on chain (each reference may mint once). */
async function mintsOf(reference: string) {
  return token.contract.queryFilter(token.contract.filters.ReferencedMint!(chainReference(reference)), 0);
}

test('a batch with a reused reference mints the others: each entry applied or skipped on its own', async () => {
  const batches = new BatchWriter(token, stack.config.chain.signerPrivateKey, stack.runtime.provider);
  const [spent, first, second, late] = ['spent', 'first', 'second', 'late'].map((n) => uniqueId(`batch-test:${n}`));
  const [a, b, c] = [Wallet.createRandom().address, Wallet.createRandom().address, Wallet.createRandom().address];
  await token.mintOnce(a, 1n, spent!, 10000);
  const deadline = (await chainTime()) + 600;
  const entries: ChainWriteEntry[] = [
    mintEntry(spent!, a, 5n, deadline),
    mintEntry(first!, b, 7n, deadline),
    mintEntry(late!, c, 9n, (await chainTime()) - 1),
    mintEntry(second!, c, 11n, deadline),
  ];

  const sent = await batches.broadcast(entries, await batches.nextNonce());
  const watched = await batches.watch(entries, [sent.hash], sent.nonce, 30000);

  expect(watched.state).toBe('mined');
  if (watched.state !== 'mined') return;
  expect(watched.outcomes.map((o) => [o.reference, o.status, o.reason])).toEqual([
    [spent, 'skipped', 'ReferenceUsed'],
    [first, 'applied', undefined],
    [late, 'skipped', 'Expired'],
    [second, 'applied', undefined],
  ]);
  // One transaction carried them all; the spent reference still minted only its first 1 base unit.
  expect(new Set(watched.outcomes.map((o) => o.txHash))).toEqual(new Set([sent.hash]));
  expect([await token.balanceOf(a), await token.balanceOf(b), await token.balanceOf(c)]).toEqual([1n, 7n, 11n]);
  expect(await mintsOf(spent!)).toHaveLength(1);
  expect(await token.referenceUsed(late!)).toBe(false);
});

test('a stuck batch is replaced at the same nonce with a higher fee, not duplicated: one transaction, one mint', async () => {
  const chain = stack.runtime.provider;
  const config = testConfig({ CHAIN_BATCH_STUCK_MS: '1500', CHAIN_BATCH_DELAY_MS: '50' });
  const activities = createActivities({ ...stack.runtime, config, log: testLog });
  const reference = uniqueId('batch-test:stuck');
  const to = Wallet.createRandom().address;
  const signer = stack.runtime.writer.address;
  const nonceBefore = await chain.getTransactionCount(signer, 'latest');

  await withWorker(stack, activities, async (taskQueue) => {
    const writerId = chainWriterWorkflowId(taskQueue, signer);
    await chain.send('evm_setAutomine', [false]);
    try {
      await stack.client.workflow.signalWithStart('chainWriterWorkflow', {
        workflowId: writerId,
        taskQueue,
        args: [{ signer, settings: { ...config.chain.batch, blockTimeMs: 0 } }],
        signal: enqueueChainWriteSignal,
        signalArgs: [mintEntry(reference, to, 42n, (await chainTime()) + 600)],
      });
      // No blocks: the batch waits in the node's pool until the writer replaces it.
      // The first write reports it stuck; the next one replaces it in the node's pool (same nonce, higher fee).
      const [first] = await waitFor('the first broadcast stuck', async () => {
        const sent = await broadcasts(writerId);
        return sent.length > 0 && sent;
      });
      await waitFor('a replacement broadcast', async () => (await chain.getTransaction(first!.hash)) === null);
    } finally {
      await chain.send('evm_mine', []);
      await chain.send('evm_setAutomine', [true]);
    }
    await waitFor('the mint', async () => (await mintsOf(reference)).length > 0);
    const [mint] = await mintsOf(reference);
    // The writer's last write returns once it sees its transaction mined.
    const sent = await waitFor('the writer to see it mined', async () => {
      const all = await broadcasts(writerId);
      return all.some((b) => b.hash === mint!.transactionHash) && all;
    });

    // Every broadcast used the one nonce, each outbidding the one before; the last one is the one mined.
    expect(new Set(sent.map((s) => s.nonce)).size).toBe(1);
    expect(new Set(sent.map((s) => s.hash)).size).toBe(sent.length);
    for (let i = 1; i < sent.length; i++)
      expect(BigInt(sent[i]!.maxFeePerGas)).toBeGreaterThan(BigInt(sent[i - 1]!.maxFeePerGas));
    expect(sent.map((s) => s.hash)).toContain(mint!.transactionHash);
    expect(mint!.transactionHash).not.toBe(sent[0]!.hash);
    expect(await mintsOf(reference)).toHaveLength(1);
    expect(await token.balanceOf(to)).toBe(42n);
    expect(await chain.getTransactionCount(signer, 'latest')).toBe(nonceBefore + 1);
  });
});

test('a lone entry on a quiet chain is not kept waiting: the writer waits its batch delay, not a block’s turn, and sends it once, alone', async () => {
  const chain = stack.runtime.provider;
  const blockTimeMs = 3000;
  const config = testConfig({ CHAIN_BLOCK_TIME_MS: String(blockTimeMs), CHAIN_BATCH_DELAY_MS: '200' });
  const activities = createActivities({ ...stack.runtime, config, log: testLog });
  const reference = uniqueId('batch-test:lone');
  const to = Wallet.createRandom().address;
  const signer = stack.runtime.writer.address;

  await withWorker(stack, activities, async (taskQueue) => {
    await chain.send('evm_setAutomine', [false]);
    await chain.send('evm_setIntervalMining', [blockTimeMs]);
    try {
      const deadline = (await chainTime()) + 600;
      const blockAtEnqueue = await chain.getBlockNumber();
      await stack.client.workflow.signalWithStart('chainWriterWorkflow', {
        workflowId: chainWriterWorkflowId(taskQueue, signer),
        taskQueue,
        args: [{ signer, settings: { ...config.chain.batch, blockTimeMs } }],
        signal: enqueueChainWriteSignal,
        signalArgs: [mintEntry(reference, to, 5n, deadline)],
      });
      const [mint] = await waitFor('the mint', async () => {
        const found = await mintsOf(reference);
        return found.length > 0 && found;
      });
      // What the writer decided, not how long the machine took (block latency belongs in bench/): before its
      // first write it waited only the 200 ms batch delay (no block to time yet, and no company to wait for),
      // then wrote one transaction carrying this entry alone, never replaced, and that transaction is the mint.
      const writerId = chainWriterWorkflowId(taskQueue, signer);
      const events = (await stack.client.workflow.getHandle(writerId).fetchHistory()).events ?? [];
      const firstWrite = events.findIndex(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'writeBatch',
      );
      expect(firstWrite).toBeGreaterThan(0);
      const waits = events.slice(0, firstWrite).flatMap((e) => {
        const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
        return timeout ? [Number(timeout.seconds ?? 0) * 1000 + (timeout.nanos ?? 0) / 1e6] : [];
      });
      expect(waits).toEqual([200]);
      // (the write's activity returns once the receipt is in, which may be a moment after the mint shows)
      const sent = await waitFor('the write recorded', async () => {
        const written = await broadcasts(writerId);
        return written.length > 0 && written;
      });
      expect(sent.map((s) => s.hash)).toEqual([mint!.transactionHash]);
      expect(mint!.blockNumber).toBeGreaterThan(blockAtEnqueue);
      const receipt = await chain.getTransactionReceipt(mint!.transactionHash);
      expect(receipt!.logs.filter((l) => l.topics[0] === mint!.topics[0])).toHaveLength(1);
    } finally {
      await chain.send('evm_setIntervalMining', [0]);
      await chain.send('evm_setAutomine', [true]);
    }
  });
});

test('a send skipped for a short balance is not written again by a later run once the balance grows', async () => {
  const chain = stack.runtime.provider;
  const config = testConfig({ CHAIN_BATCH_DELAY_MS: '50' });
  const activities = createActivities({ ...stack.runtime, config, log: testLog });
  const signer = stack.runtime.writer.address;
  const sender = Wallet.createRandom();
  const receiver = Wallet.createRandom().address;
  const [minted, short, topUp] = ['minted', 'short', 'top-up'].map((n) => uniqueId(`batch-test:${n}`));
  const deadline = (await chainTime()) + 600;
  const auth = await token.authoriseTransfer(sender, receiver, 5n, short!, undefined, deadline);
  const send: TransferEntryWire = {
    kind: 'transfer',
    reference: short!,
    from: auth.from,
    to: auth.to,
    amount: '5',
    deadline,
    v: auth.v,
    r: auth.r,
    s: auth.s,
    requester: 'nobody-waits',
  };
  const sends = async () =>
    token.contract.queryFilter(token.contract.filters.ReferencedTransfer!(chainReference(short!)), 0);

  await withWorker(stack, activities, async (taskQueue) => {
    const writerId = chainWriterWorkflowId(taskQueue, signer);
    // One batch per run: after each batch a new run knows only what the last one carried over.
    await stack.client.workflow.signalWithStart(
      'chainWriterWorkflow',
      chainWriterStart(
        taskQueue,
        { signer, settings: { ...config.chain.batch, blockTimeMs: 0, batchesPerRun: 1 } },
        mintEntry(minted!, receiver, 3n, deadline),
      ),
    );
    const writer = stack.client.workflow.getHandle(writerId);
    await writer.signal(enqueueChainWriteSignal, send);
    const [refused] = await waitFor('the send settled', async () => {
      const told = await toldOf(writerId, short!);
      return told.length > 0 && told;
    });
    expect(refused).toMatchObject({ status: 'skipped', reason: 'InsufficientBalance' });

    // The sender's balance grows, written by a later run of the writer.
    await writer.signal(enqueueChainWriteSignal, mintEntry(topUp!, sender.address, 10n, deadline));
    await waitFor('the top-up settled', async () => (await toldOf(writerId, topUp!)).length > 0);
    const nonceAfterTopUp = await chain.getTransactionCount(signer, 'latest');

    // The send's hand-over, run again on replay, enqueues the same entry again.
    await writer.signal(enqueueChainWriteSignal, send);
    const told = await waitFor('the duplicate told, or written', async () => {
      const all = await toldOf(writerId, short!);
      return (all.length > 1 || (await sends()).length > 0) && all;
    });

    // It is told the skip its requester already took as final, and nothing of it is written.
    expect(told).toEqual([refused, refused]);
    expect(await sends()).toHaveLength(0);
    expect(await token.balanceOf(sender.address)).toBe(10n);
    expect(await chain.getTransactionCount(signer, 'latest')).toBe(nonceAfterTopUp);
    // The runs carried the skip alone, with its deadline; the mints that landed were not carried.
    const runs = await runsOf(writerId);
    expect(inputOf(runs[0]!).remembered).toEqual([{ outcome: refused, deadline }]);
    // Every run, the ones continued as new too, has the 5 s task timeout (WORKFLOW_TASK_TIMEOUT).
    const taskTimeouts = runs.map((run) =>
      Number(run.events![0]!.workflowExecutionStartedEventAttributes!.workflowTaskTimeout!.seconds),
    );
    expect(taskTimeouts.length).toBeGreaterThanOrEqual(3);
    expect(taskTimeouts).toEqual(runs.map(() => 5));
  });
});

test('a mint skipped Expired is told so again when handed over again under the same attempt, and written anew under a higher one', async () => {
  const chain = stack.runtime.provider;
  const config = testConfig({ CHAIN_BATCH_DELAY_MS: '50' });
  const activities = createActivities({ ...stack.runtime, config, log: testLog });
  const signer = stack.runtime.writer.address;
  const reference = uniqueId('batch-test:owed');
  const to = Wallet.createRandom().address;
  const told = async (n: number) =>
    waitFor(`${n} outcomes told`, async () => {
      const all = await toldOf(writerId, reference);
      return all.length >= n && all;
    });
  let writerId = '';

  await withWorker(stack, activities, async (taskQueue) => {
    writerId = chainWriterWorkflowId(taskQueue, signer);
    // The first hand-over (no attempt, like every conversion's) reaches the chain past its deadline.
    await stack.client.workflow.signalWithStart('chainWriterWorkflow', {
      workflowId: writerId,
      taskQueue,
      args: [{ signer, settings: { ...config.chain.batch, blockTimeMs: 0 } }],
      signal: enqueueChainWriteSignal,
      signalArgs: [mintEntry(reference, to, 7n, (await chainTime()) - 1)],
    });
    const writer = stack.client.workflow.getHandle(writerId);
    const [expired] = await told(1);
    expect(expired).toMatchObject({ status: 'skipped', reason: 'Expired' });
    const nonceAfterSkip = await chain.getTransactionCount(signer, 'latest');

    // The same hand-over run again on replay (a fresh deadline, the same attempt): a conversion's refund may
    // already follow the skip, so it is told Expired again and nothing is written.
    const deadline = (await chainTime()) + 600;
    await writer.signal(enqueueChainWriteSignal, mintEntry(reference, to, 7n, deadline));
    await writer.signal(enqueueChainWriteSignal, { ...mintEntry(reference, to, 7n, deadline), attempt: 0 });
    // Each is told with the attempt it came with (none, as every conversion's, is told none).
    expect(await told(3)).toEqual([expired, expired, { ...expired, attempt: 0 }]);
    expect(expired).not.toHaveProperty('attempt');
    expect(await mintsOf(reference)).toHaveLength(0);
    expect(await chain.getTransactionCount(signer, 'latest')).toBe(nonceAfterSkip);

    // An owed mint's next round, attempt 1: written anew, and it lands.
    await writer.signal(enqueueChainWriteSignal, { ...mintEntry(reference, to, 7n, deadline + 60), attempt: 1 });
    const landed = (await told(4))[3]!;
    expect(landed).toMatchObject({ status: 'applied', attempt: 1 });

    // That round run again on replay, and a later one: the reference is spent, each is told it landed.
    await writer.signal(enqueueChainWriteSignal, { ...mintEntry(reference, to, 7n, deadline + 60), attempt: 1 });
    await writer.signal(enqueueChainWriteSignal, { ...mintEntry(reference, to, 7n, deadline + 120), attempt: 2 });
    expect((await told(6)).slice(3)).toEqual([landed, landed, { ...landed, attempt: 2 }]);
    expect((await mintsOf(reference)).map((m) => m.transactionHash)).toEqual([landed.txHash]);
    expect(await token.balanceOf(to)).toBe(7n);
    expect(await chain.getTransactionCount(signer, 'latest')).toBe(nonceAfterSkip + 1);
  });
});

test('a new attempt of a mint still waiting for its batch takes its place: written once, under its own deadline', async () => {
  const chain = stack.runtime.provider;
  const config = testConfig({ CHAIN_BATCH_DELAY_MS: '50' });
  const activities = createActivities({ ...stack.runtime, config, log: testLog });
  const signer = stack.runtime.writer.address;
  const [ahead, reference] = ['ahead', 'owed-waiting'].map((n) => uniqueId(`batch-test:${n}`));
  const to = Wallet.createRandom().address;

  await withWorker(stack, activities, async (taskQueue) => {
    const writerId = chainWriterWorkflowId(taskQueue, signer);
    const deadline = (await chainTime()) + 600;
    await chain.send('evm_setAutomine', [false]);
    try {
      // A batch in flight, unmined: what comes next waits for the batch after it.
      await stack.client.workflow.signalWithStart('chainWriterWorkflow', {
        workflowId: writerId,
        taskQueue,
        args: [{ signer, settings: { ...config.chain.batch, blockTimeMs: 0 } }],
        signal: enqueueChainWriteSignal,
        signalArgs: [mintEntry(ahead!, to, 1n, deadline)],
      });
      await waitFor(
        'the first batch broadcast',
        async () =>
          (await chain.getTransactionCount(signer, 'pending')) > (await chain.getTransactionCount(signer, 'latest')),
      );
      const writer = stack.client.workflow.getHandle(writerId);
      // A round whose deadline will have passed when its batch is mined, then the next round: it replaces it.
      await writer.signal(enqueueChainWriteSignal, mintEntry(reference!, to, 7n, (await chainTime()) - 1));
      await writer.signal(enqueueChainWriteSignal, { ...mintEntry(reference!, to, 7n, deadline), attempt: 1 });
      await waitFor('both hand-overs handled', async () => {
        const events = (await writer.fetchHistory()).events ?? [];
        const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes);
        const lastSignal = events.indexOf(signals[signals.length - 1]!);
        return signals.length >= 2 && events.slice(lastSignal).some((e) => e.workflowTaskCompletedEventAttributes);
      });
    } finally {
      await chain.send('evm_mine', []);
      await chain.send('evm_setAutomine', [true]);
    }
    const told = await waitFor('the round told', async () => {
      const all = await toldOf(writerId, reference!);
      return all.length > 0 && all;
    });
    expect(told).toEqual([expect.objectContaining({ status: 'applied' })]);
    expect((await mintsOf(reference!)).map((m) => m.transactionHash)).toEqual([told[0]!.txHash]);
    expect(await token.balanceOf(to)).toBe(8n);
  });
});

/**
 * Redeems a voucher (no voucher row: its records update nothing) with the chain's automine off: once its first
 * batch waits in the pool, `whileUnmined` runs; then blocks are mined again. The redemption must end minted by
 * the one mint under its reference; returns that mint and the requester's history.
 */
async function voucherMintedOnce(name: string, whileUnmined: (workflowId: string, reference: string) => Promise<void>) {
  const activities = createActivities({
    ...stack.runtime,
    config: testConfig({ CHAIN_BATCH_DELAY_MS: '50' }),
    log: testLog,
  });
  const voucherId = uniqueId(name);
  const reference = stepReference(voucherWorkflowId(voucherId), 'mint');
  return await withWorker(stack, activities, async (taskQueue) => {
    const chain = stack.runtime.provider;
    await chain.send('evm_setAutomine', [false]);
    let workflowId: string;
    try {
      ({ workflowId } = await stack.client.workflow.start(voucherRedemptionWorkflow, {
        taskQueue,
        workflowId: uniqueId('batch-test:voucher'),
        args: [{ voucherId, phoneNumber: newSafaricomNumber(), txtcAmount: '7' }],
      }));
      await batchInPool();
      await whileUnmined(workflowId, reference);
    } finally {
      await chain.send('evm_mine', []);
      await chain.send('evm_setAutomine', [true]);
    }
    const result: VoucherRedemptionResult = await stack.client.workflow.getHandle(workflowId).result();
    const mints = await mintsOf(reference);
    expect(mints).toHaveLength(1);
    expect(result).toMatchObject({ status: 'minted', txHash: mints[0]!.transactionHash });
    return { mint: mints[0]!, ...(await requesterHistory(workflowId)) };
  });
}

/** Until the signer has a batch broadcast and not mined. */
async function batchInPool(ms = 60000): Promise<void> {
  const chain = stack.runtime.provider;
  const signer = stack.runtime.writer.address;
  await waitFor(
    'a batch broadcast',
    async () =>
      (await chain.getTransactionCount(signer, 'pending')) > (await chain.getTransactionCount(signer, 'latest')),
    ms,
  );
}

/** Until a workflow has handled every signal it was sent (a workflow task completed after the last one). */
async function signalsHandled(workflowId: string, n: number): Promise<void> {
  await waitFor('the signals handled', async () => {
    const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes);
    const last = events.indexOf(signals[signals.length - 1]!);
    return signals.length >= n && events.slice(last).some((e) => e.workflowTaskCompletedEventAttributes);
  });
}

/** What a requester was told by the chain writer (and by the test), in order, and which activities it ran. */
async function requesterHistory(workflowId: string) {
  const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const told = events
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((s) => s?.signalName === 'chainWriteSettled')
    .map((s) => defaultPayloadConverter.fromPayload<ChainWriteOutcome>(s!.input!.payloads![0]!));
  const activities = events
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => name !== undefined);
  return { told, activities };
}

const NO_TX = `0x${'0'.repeat(64)}`;

/** Tells a requester, as the writer would, that its batch was given up reverting; until it handled `n` words. */
async function tellGivenUp(workflowId: string, reference: string, n: number): Promise<void> {
  await stack.client.workflow.getHandle(workflowId).signal(chainWriteSettledSignal, {
    reference,
    status: 'skipped',
    reason: 'Reverted',
    txHash: NO_TX,
    blockNumber: 0,
  });
  await signalsHandled(workflowId, n);
}

test("an owed mint's next round does not take a late Reverted for the round before: the voucher is minted once, not failed", async () => {
  const chain = stack.runtime.provider;
  const { mint, told, activities } = await voucherMintedOnce('batch-test-stale', async (workflowId, reference) => {
    // Round 0's batch is mined past its deadline: skipped Expired, settled on chain, handed over in a minute.
    await chain.send('evm_increaseTime', [700]);
    await chain.send('evm_mine', []);
    // Round 1 (attempt 1) waits in the pool when round 0's word comes late: the writer gave that batch up.
    await batchInPool(120000);
    await tellGivenUp(workflowId, reference, 2);
  });
  // Round 0 was told its skip with no attempt, round 1 its mint with attempt 1: the late word in between,
  // with no attempt, is round 0's, and round 1 did not even ask the chain about it.
  expect(told).toEqual([
    expect.objectContaining({ status: 'skipped', reason: 'Expired' }),
    expect.objectContaining({ reason: 'Reverted', txHash: NO_TX }),
    expect.objectContaining({ status: 'applied', txHash: mint.transactionHash, attempt: 1 }),
  ]);
  expect(told[0]).not.toHaveProperty('attempt');
  expect(activities.filter((name) => name === 'mintOutcome')).toHaveLength(1);
}, 240000);

test('an owed mint told Reverted asks the chain first: a voucher whose given-up mint landed after all is minted, not failed', async () => {
  // Its batch waits in the pool when the word comes that it was given up reverting; then it is mined.
  const { activities } = await voucherMintedOnce('batch-test-reverted', (workflowId, reference) =>
    tellGivenUp(workflowId, reference, 1),
  );
  expect(activities).toContain('mintOutcome');
});

type History = Awaited<ReturnType<ReturnType<typeof stack.client.workflow.getHandle>['fetchHistory']>>;
/** The chain writer's runs, newest first: each run's history, following continue-as-new back to the first. */
async function runsOf(writerId: string): Promise<History[]> {
  const runs: History[] = [];
  let runId: string | undefined;
  do {
    const history = await stack.client.workflow.getHandle(writerId, runId).fetchHistory();
    runs.push(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  } while (runId);
  return runs;
}

function inputOf(run: History): ChainWriterInput {
  const started = run.events![0]!.workflowExecutionStartedEventAttributes!;
  return defaultPayloadConverter.fromPayload<ChainWriterInput>(started.input!.payloads![0]!);
}

/** What the chain writer told requesters of a reference, oldest first, over all its runs. */
async function toldOf(writerId: string, reference: string): Promise<ChainWriteOutcome[]> {
  const told: ChainWriteOutcome[] = [];
  for (const run of (await runsOf(writerId)).reverse())
    for (const event of run.events ?? []) {
      const signal = event.signalExternalWorkflowExecutionInitiatedEventAttributes;
      if (signal?.signalName !== 'chainWriteSettled') continue;
      const outcome = defaultPayloadConverter.fromPayload<ChainWriteOutcome>(signal.input!.payloads![0]!);
      if (outcome.reference === reference) told.push(outcome);
    }
  return told;
}

type BroadcastOf = { hash: string; nonce: number; maxFeePerGas: string };
/** The chain writer's broadcasts, in order, from its history (each writeBatch's `sent`). */
async function broadcasts(writerId: string): Promise<{ hash: string; nonce: number; maxFeePerGas: string }[]> {
  const history = await stack.client.workflow.getHandle(writerId).fetchHistory();
  const scheduled = new Map<string, string>();
  const out: { hash: string; nonce: number; maxFeePerGas: string }[] = [];
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '');
    const done = event.activityTaskCompletedEventAttributes;
    if (done && scheduled.get(String(done.scheduledEventId)) === 'writeBatch')
      out.push(defaultPayloadConverter.fromPayload<{ sent: BroadcastOf }>(done.result!.payloads![0]!).sent);
  }
  return out;
}

describe('two worker processes on one task queue', () => {
  const workers: ChildProcess[] = [];
  afterAll(async () => {
    for (const w of workers) {
      if (w.exitCode === null && w.signalCode === null) {
        const exited = new Promise((r) => w.once('exit', r));
        w.kill('SIGTERM');
        await exited;
      }
    }
  });

  function startWorker(taskQueue: string, identity: string): Promise<ChildProcess> {
    const s = readStack();
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        APP_ENV: 'local',
        LOG_LEVEL: 'info',
        DATA_DIR: '/nonexistent-test-data',
        DATABASE_URL: s.databaseUrl,
        TEMPORAL_ADDRESS: s.temporalAddress,
        TEMPORAL_TASK_QUEUE: taskQueue,
        CHAIN_RPC_URL: s.rpcUrl,
        TXTC_ADDRESS: s.deployment.txtc,
        TXTC_DEPLOY_BLOCK: String(s.deployment.txtcBlock),
        RATE_PAIR_ADDRESS: s.deployment.ratePair,
        WORKER_METRICS_PORT: '0',
        TEMPORAL_WORKER_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    return waitFor(`worker ${identity}`, async () => out.includes('"worker started"') && child, 120000).catch(
      (e: unknown) => {
        throw new Error(`${String(e)}\n${out.slice(-3000)}`);
      },
    );
  }

  test('conversions spread over both, each minted exactly once through the one chain writer', async () => {
    const taskQueue = uniqueId('test-two-workers');
    await Promise.all([startWorker(taskQueue, 'worker-a'), startWorker(taskQueue, 'worker-b')]);
    const phones = Array.from({ length: 12 }, () => newSafaricomNumber());
    for (const phone of phones) await topUp(stack.runtime.pool, phone, 'safaricom-ke', 200000n);

    const states: ConversionState[] = await Promise.all(
      phones.map((phone) =>
        stack.client.workflow.execute(conversionWorkflow, {
          taskQueue,
          workflowId: conversionWorkflowId('api', uniqueId('two-workers')),
          args: [{ channel: 'api', phoneNumber: phone, operator: 'safaricom-ke', usdCents: '1000' }],
        }),
      ),
    );

    expect(states.map((s) => s.status)).toEqual(Array(12).fill('completed'));
    const identities = new Set<string>();
    for (const state of states) {
      const minted = await mintsOf(stepReference(state.id, 'mint'));
      expect(minted.map((m) => m.transactionHash)).toEqual([state.txHash]);
      expect(await token.balanceOf(state.walletAddress!)).toBe(parseUnits('980', 18));
      const history = await stack.client.workflow.getHandle(state.id).fetchHistory();
      for (const e of history.events ?? []) {
        const id = e.activityTaskStartedEventAttributes?.identity ?? e.workflowTaskStartedEventAttributes?.identity;
        if (id) identities.add(id);
      }
    }
    // Both processes did the conversions' work; one writer (one workflow) wrote every mint.
    expect(identities.size).toBe(2);
    expect(new Set(states.map((s) => s.txHash)).size).toBeLessThan(12);
  });
});
