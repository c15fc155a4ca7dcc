/**
 * Several signers (CHAIN_SIGNER_PRIVATE_KEYS) on the real stack: each signer has its own chain writer and
 * nonces, entries go to a writer by their reference, so conversions complete exactly once spread over both
 * writers, a duplicate enqueue meets the writer that knows it (and is written once), and a signer out of gas gets
 * no new entries: its writer hands them to the signer with gas, and its gauge says it is out of gas.
 * Each test signs with fresh keys of its own (granted the roles as `npm start` grants them), so no other test's
 * writer shares their nonces.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { Wallet, parseUnits } from 'ethers';
import { createActivities } from '../../activities';
import { TxtcToken, chainReference } from '../../lib/chain/txtc';
import {
  chainWriterWorkflowId,
  conversionWorkflowId,
  signerFor,
  stepReference,
  type ConversionState,
} from '../../lib/definitions';
import { chainSignerOutOfGas } from '../../lib/metrics';
import { conversionWorkflow } from '../../workflows';
import { grantSignerRoles } from '../../scripts/local/deploy';
import { openStack, testConfig, testLog, uniqueId, withWorker, type TestStackHandle } from '../support/stack';
import { newSafaricomNumber, topUp } from '../support/money';

let stack: TestStackHandle;
let token: TxtcToken;
beforeAll(async () => {
  stack = await openStack();
  token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider, stack.runtime.writer);
});
afterAll(async () => {
  await stack.close();
});

/** Two fresh signers granted the roles; the second gets no ETH when `broke`. */
async function twoSigners(options: { broke?: boolean } = {}) {
  const [first, second] = [Wallet.createRandom(), Wallet.createRandom()];
  await grantSignerRoles(stack.runtime.writer, stack.runtime.addresses.txtc, [first.address]);
  await grantSignerRoles(stack.runtime.writer, stack.runtime.addresses.txtc, [second.address], {
    fund: !options.broke,
  });
  const config = testConfig({
    CHAIN_SIGNER_PRIVATE_KEY: first.privateKey,
    CHAIN_SIGNER_PRIVATE_KEYS: second.privateKey,
    CHAIN_BATCH_DELAY_MS: '100',
  });
  const activities = createActivities({ ...stack.runtime, config, log: testLog });
  return { signers: [first.address, second.address], activities };
}

/** Who signed the transaction that minted `reference` (each reference mints once: exactly one). */
async function mintersOf(reference: string): Promise<string[]> {
  const mints = await token.contract.queryFilter(token.contract.filters.ReferencedMint!(chainReference(reference)), 0);
  return Promise.all(mints.map(async (m) => (await stack.runtime.provider.getTransaction(m.transactionHash))!.from));
}

async function convert(taskQueue: string, n: number): Promise<ConversionState[]> {
  const phones = Array.from({ length: n }, () => newSafaricomNumber());
  for (const phone of phones) await topUp(stack.runtime.pool, phone, 'safaricom-ke', 200000n);
  return Promise.all(
    phones.map((phone) =>
      stack.client.workflow.execute(conversionWorkflow, {
        taskQueue,
        workflowId: conversionWorkflowId('api', uniqueId('signers')),
        args: [{ channel: 'api', phoneNumber: phone, operator: 'safaricom-ke', usdCents: '1000' }],
      }),
    ),
  );
}

/** The enqueue signals a writer got, by reference (none if the writer never ran). */
async function enqueuedAt(writerId: string): Promise<string[]> {
  try {
    const history = await stack.client.workflow.getHandle(writerId).fetchHistory();
    return (history.events ?? []).flatMap((e) => {
      const signal = e.workflowExecutionSignaledEventAttributes;
      if (signal?.signalName !== 'enqueueChainWrite') return [];
      const payload = signal.input?.payloads?.[0]?.data;
      return payload ? [(JSON.parse(Buffer.from(payload).toString()) as { reference: string }).reference] : [];
    });
  } catch {
    return [];
  }
}

test('conversions complete exactly once, spread over both signers’ writers by their reference', async () => {
  const { signers, activities } = await twoSigners();
  await withWorker(stack, activities, async (taskQueue) => {
    const states = await convert(taskQueue, 12);
    expect(states.map((s) => s.status)).toEqual(Array(12).fill('completed'));
    const used = new Set<string>();
    for (const state of states) {
      const reference = stepReference(state.id, 'mint');
      const minters = await mintersOf(reference);
      // Minted once, by the signer its reference maps to, and the person holds exactly one mint's TXTC.
      expect(minters).toEqual([signerFor(reference, signers)]);
      expect(await token.balanceOf(state.walletAddress!)).toBe(parseUnits('980', 18));
      used.add(minters[0]!);
    }
    expect(used).toEqual(new Set(signers));
    // Each writer got only its own references.
    for (const signer of signers)
      for (const reference of await enqueuedAt(chainWriterWorkflowId(taskQueue, signer)))
        expect(signerFor(reference, signers)).toBe(signer);
  });
});

test('a duplicate enqueue meets the same writer, which writes the entry once', async () => {
  const { signers, activities } = await twoSigners();
  await withWorker(stack, activities, async (taskQueue) => {
    const env = new MockActivityEnvironment({ taskQueue }, { client: stack.client });
    const reference = uniqueId('signers-test:duplicate');
    const to = Wallet.createRandom().address;
    const entry = { to, amount: '42', reference, deadlineSeconds: 600, requester: 'nobody-waits' };
    // The enqueue activity run twice (a retry after its worker was lost): the same writer both times.
    const submit = async (): Promise<{ mode: string }> =>
      env.run(async (): Promise<{ mode: string }> => activities.submitMint(entry));
    expect((await submit()).mode).toBe('queued');
    expect((await submit()).mode).toBe('queued');
    const home = signerFor(reference, signers);
    const other = signers.find((s) => s !== home)!;
    await waitFor('the mint', async () => (await token.balanceOf(to)) === 42n);
    await new Promise((r) => setTimeout(r, 1000)); // a second write would have landed by now
    expect(await mintersOf(reference)).toEqual([home]);
    expect(await token.balanceOf(to)).toBe(42n);
    expect(await enqueuedAt(chainWriterWorkflowId(taskQueue, home))).toEqual([reference, reference]);
    expect(await enqueuedAt(chainWriterWorkflowId(taskQueue, other))).not.toContain(reference);
  });
});

test('a signer out of gas gets no new entries: its writer hands them to the signer with gas, and says so', async () => {
  const { signers, activities } = await twoSigners({ broke: true });
  const [funded, broke] = signers as [string, string];
  await withWorker(stack, activities, async (taskQueue) => {
    const states = await convert(taskQueue, 10);
    expect(states.map((s) => s.status)).toEqual(Array(10).fill('completed'));
    const references = states.map((s) => stepReference(s.id, 'mint'));
    // Some of them are the broke signer's by their reference; every one was minted once, by the funded signer.
    expect(references.filter((r) => signerFor(r, signers) === broke).length).toBeGreaterThan(0);
    for (const reference of references) expect(await mintersOf(reference)).toEqual([funded]);
    for (const state of states) expect(await token.balanceOf(state.walletAddress!)).toBe(parseUnits('980', 18));
    // The broke writer received its references (the enqueue routes by reference only) and handed them on.
    const handed = await enqueuedAt(chainWriterWorkflowId(taskQueue, broke));
    expect(handed.length).toBeGreaterThan(0);
    const atFunded = await enqueuedAt(chainWriterWorkflowId(taskQueue, funded));
    for (const reference of handed) expect(atFunded).toContain(reference);
    expect(await stack.runtime.provider.getTransactionCount(broke)).toBe(0);
  });
  const gauge = (await chainSignerOutOfGas.get()).values;
  expect(gauge.find((v) => v.labels.signer === broke.toLowerCase())?.value).toBe(1);
  expect(gauge.find((v) => v.labels.signer === funded.toLowerCase())?.value).toBe(0);
});

async function waitFor(what: string, probe: () => Promise<boolean>, ms = 60000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
