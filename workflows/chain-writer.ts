/**
 * The chain writer: the one writer of a signer's transactions (see definitions/chain-writer.ts). Entries
 * arrive by signal; a batch closes when it is full, or a short delay after its first entry; with timed
 * blocks it also waits for the next block's turn, so the signer sends at most one transaction per block and
 * an entry rarely waits more than one block. One batch is in flight at a time: broadcast with the next
 * nonce, watched until mined, replaced with a higher fee (same nonce) when stuck. Each entry's requester is
 * signalled how it settled, and a late duplicate of a settled entry is told the same, not written again (a new
 * attempt, numbered above the settled one by a requester that hands a mint not written over again, is). The
 * history is kept short by continuing as new between batches, carrying over the pending entries and, of the
 * settled ones, the skips a rewrite could still turn around until their deadlines pass (chain-writer-memory.ts):
 * a send refused for a short balance must not land once the balance grows, whichever run its duplicate meets.
 *
 * Several signers (settings.signers; absent with one, and in histories from before, so those run as they did):
 * each signer has its writer, and entries come to the writer their reference maps to (signerFor). Before each
 * batch the writer reads the signers' gas; when its own signer is out of gas it writes nothing and hands its
 * pending entries to writers with gas, remembering where each went, so a duplicate that comes here later (the
 * enqueue always routes by reference, never by gas) is handed to the same writer, which knows it. Re-routing in
 * the enqueue instead would be unsafe: a send one writer skipped for a short balance could land by the other.
 */
import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchResult, ChainWriterActivities } from '../activities/chain-writer';
import {
  chainWriteSettledSignal,
  chainWriterStateQuery,
  enqueueChainWriteSignal,
  outcomeFor,
  type BatchFees,
  type ChainWriteEntry,
  type ChainWriteOutcome,
  type ChainWriterInput,
  type ForwardedEntry,
  type RememberedOutcome,
} from '../lib/definitions/chain-writer';
import { WORKFLOW_TASK_TIMEOUT } from '../lib/definitions/common';
import { signerFor } from '../lib/definitions/signers';
import { isNewAttempt, toRememberNextRun } from './shared/chain-writer-memory';
import { LOST_AFTER } from './shared/activity-options';

/** Broadcasts and nonce reads: short, retried without end (entries wait on them; ops see it in the UI). */
const writer = proxyActivities<ChainWriterActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: LOST_AFTER,
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Batches per run before continuing as new (each batch adds a few events per entry). */
const BATCHES_PER_RUN = 200;
/** A batch whose transaction reverts (it applies nothing) is written again at most this often, then given up. */
const REVERTED_ROUNDS = 3;
/** With timed blocks, a batch is sent this far ahead of the next block (or a quarter block, if more). */
const BLOCK_LEAD_MS = 1500;
/** Several signers, all out of gas: how long entries wait before the gas is read again. */
const NO_GAS_RECHECK_MS = 30_000;
/** Several signers: an entry handed on is remembered this long (s) past its deadline, chain and workflow clocks apart. */
const FORWARD_MARGIN_S = 600;

export async function chainWriterWorkflow(input: ChainWriterInput): Promise<void> {
  const { settings } = input;
  const batchesPerRun = settings.batchesPerRun ?? BATCHES_PER_RUN;
  const pending: ChainWriteEntry[] = [...(input.pending ?? [])];
  const queued = new Set(pending.map((e) => e.reference));
  // Entries this run settled, and what earlier runs remembered: a late duplicate (an enqueue re-run on replay)
  // is told the same outcome instead of being written again, so an entry skipped for a short balance cannot
  // land later under the same reference; a new attempt of a skip (isNewAttempt) is written and remembered
  // anew. Not pruned within a run (a run is at most batchesPerRun batches, and forgetting mid-run would write
  // a duplicate an existing history tells): only what it carries is pruned.
  const written = new Map<string, RememberedOutcome>(
    (input.remembered ?? []).map((r) => [r.outcome.reference, { ...r }]),
  );
  let nonce = input.nonce;
  let lastMinedAt = input.lastMinedAt;
  let inFlight = 0;
  // Several signers: entries handed to another signer's writer, and duplicates of them to hand on again.
  const signers = settings.signers && settings.signers.length > 1 ? settings.signers : undefined;
  const forwarded = new Map<string, ForwardedEntry>((input.forwarded ?? []).map((f) => [f.reference, { ...f }]));
  const toForward: ChainWriteEntry[] = [];
  const mine = signers ? { signer: input.signer } : {};

  // Read-only (the ops console's chain writer panel): a query adds nothing to the history.
  setHandler(chainWriterStateQuery, () => ({
    signer: input.signer,
    pending: pending.length,
    inFlight,
    ...(lastMinedAt === undefined ? {} : { lastMinedAt }),
    ...(nonce === undefined ? {} : { nonce }),
  }));

  setHandler(enqueueChainWriteSignal, (entry) => {
    const handed = forwarded.get(entry.reference);
    if (handed) {
      // Handed on while this signer was out of gas: the writer it went to knows it (and tells its requester).
      handed.deadline = Math.max(handed.deadline, entry.deadline);
      toForward.push(entry);
      return;
    }
    // A retried enqueue of an entry still waiting here is the same entry; one an earlier run wrote and did not
    // remember is written again, harmlessly (chain-writer-memory.ts says why those need no memory).
    if (queued.has(entry.reference)) {
      // A new attempt of a mint still waiting for its batch takes its place (with its later deadline). One whose
      // earlier attempt is being written is dropped: its requester is told that write's outcome (for the earlier
      // attempt, which it does not take as its own), settles it on chain by its own deadline, and attempts again.
      const waiting = pending.findIndex((e) => e.reference === entry.reference);
      if (entry.kind === 'mint' && waiting >= 0 && (entry.attempt ?? 0) > (pending[waiting]!.attempt ?? 0))
        pending[waiting] = entry;
      return;
    }
    const known = written.get(entry.reference);
    if (known && !isNewAttempt(known, entry)) {
      // A mint's hand-over run again takes a later deadline: remember the entry until the latest one passes.
      known.deadline = Math.max(known.deadline, entry.deadline);
      void tellRequesters([entry], new Map([[entry.reference, known.outcome]]));
      return;
    }
    queued.add(entry.reference);
    pending.push(entry);
  });

  for (let batches = 0; ; batches++) {
    if (batches >= batchesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      while (toForward.length > 0) await handOn(toForward.splice(0));
      // eslint-disable-next-line no-restricted-syntax -- workflow time, deterministic in the sandbox
      const now = Math.floor(Date.now() / 1000);
      const remembered = toRememberNextRun(written.values(), now);
      const carried = signers
        ? { forwarded: [...forwarded.values()].filter((f) => f.deadline + FORWARD_MARGIN_S >= now) }
        : {};
      // The next run keeps the writer's short task timeout.
      return await makeContinueAsNewFunc<typeof chainWriterWorkflow>({
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      })({
        ...input,
        pending,
        nonce,
        lastMinedAt,
        remembered,
        ...carried,
      });
    }
    await condition(() => pending.length > 0 || toForward.length > 0);
    if (toForward.length > 0) {
      await handOn(toForward.splice(0));
      continue;
    }
    await condition(() => pending.length >= settings.maxEntries, Math.max(settings.delayMs, untilBlockTurn()));
    if (signers && !(await mayWrite(signers))) continue;
    const batch = pending.splice(0, settings.maxEntries);
    inFlight = batch.length;
    const settled = await write(batch);
    inFlight = 0;
    // eslint-disable-next-line no-restricted-syntax -- workflow time, deterministic in the sandbox
    lastMinedAt = Date.now();
    for (const entry of batch) {
      queued.delete(entry.reference);
      written.set(entry.reference, {
        outcome: settled.get(entry.reference)!,
        deadline: entry.deadline,
        attempt: entry.attempt,
      });
    }
    await tellRequesters(batch, settled);
  }

  /**
   * Several signers: whether this signer has gas to write. If not, its pending entries go to signers with gas
   * (by reference among them) and are remembered; with none, they wait and the gas is read again later.
   */
  async function mayWrite(all: string[]): Promise<boolean> {
    const low = await writer.chainSignersOutOfGas({ signers: all });
    if (!low.includes(input.signer)) return true;
    const withGas = all.filter((s) => !low.includes(s));
    if (withGas.length === 0) {
      log.error('chain writer: every signer is out of gas; entries wait', { pending: pending.length });
      await sleep(NO_GAS_RECHECK_MS);
      return false;
    }
    const handed = pending.splice(0);
    for (const entry of handed) {
      queued.delete(entry.reference);
      const signer = signerFor(entry.reference, withGas);
      forwarded.set(entry.reference, { reference: entry.reference, signer, deadline: entry.deadline });
    }
    log.warn('chain writer: signer out of gas; new entries handed to signers with gas', { n: handed.length });
    await handOn(handed);
    return false;
  }

  /** Sends entries this writer handed on to the writers it handed them to. */
  async function handOn(entries: ChainWriteEntry[]): Promise<void> {
    const bySigner = new Map<string, ChainWriteEntry[]>();
    for (const entry of entries) {
      const signer = forwarded.get(entry.reference)!.signer;
      bySigner.set(signer, [...(bySigner.get(signer) ?? []), entry]);
    }
    for (const [signer, handed] of bySigner) await writer.forwardChainWrites({ signer, settings, entries: handed });
  }

  /** With timed blocks: how long until a batch sent now would catch the next block (0: now). */
  function untilBlockTurn(): number {
    if (!settings.blockTimeMs || lastMinedAt === undefined) return 0;
    const lead = Math.max(BLOCK_LEAD_MS, settings.blockTimeMs / 4);
    // eslint-disable-next-line no-restricted-syntax -- workflow time, deterministic in the sandbox
    return Math.max(0, lastMinedAt + settings.blockTimeMs - lead - Date.now());
  }

  /** Writes one batch until every entry settled (applied or skipped); entries that did not land go again. */
  async function write(batch: ChainWriteEntry[]): Promise<Map<string, ChainWriteOutcome>> {
    const settled = new Map<string, ChainWriteOutcome>();
    let entries = batch;
    let reverted = 0;
    while (entries.length > 0) {
      let at: number = nonce ?? (await (signers ? writer.chainWriterNonce(input.signer) : writer.chainWriterNonce()));
      const hashes: string[] = [];
      let fees: BatchFees | undefined;
      let result: BatchResult;
      for (;;) {
        const stuckAfterMs = settings.stuckAfterMs;
        let sent: BatchFees & { hash: string };
        ({ sent, result } = await writer.writeBatch({
          entries,
          nonce: at,
          hashes,
          replacing: fees,
          stuckAfterMs,
          ...mine,
        }));
        if (!hashes.includes(sent.hash)) hashes.push(sent.hash);
        fees = sent;
        if (result.state !== 'stuck') break;
        if (result.minedNonce < at) {
          log.warn('chain batch stuck behind a gap in the nonces; rewriting at the first unused one', { nonce: at });
          at = result.minedNonce;
          hashes.length = 0;
          fees = undefined;
        } else log.warn('chain batch stuck; replacing it with a higher fee', { nonce: at, hashes: hashes.length });
      }
      for (const outcome of result.outcomes) settled.set(outcome.reference, outcome);
      entries = result.rewrite;
      nonce = result.state === 'nonce-used' ? result.nextNonce : at + 1;
      if (result.state === 'mined' && result.outcomes.length === 0 && ++reverted >= REVERTED_ROUNDS) {
        // Nothing of it can land now: each requester settles it as not written (and refunds, if owed).
        log.error('chain batch reverted again and again; its entries are given up', { tx: result.hash });
        for (const entry of entries)
          settled.set(entry.reference, {
            reference: entry.reference,
            status: 'skipped',
            reason: 'Reverted',
            txHash: result.hash,
            blockNumber: result.blockNumber,
          });
        entries = [];
      }
      if (entries.length > 0) log.warn('chain batch: entries not settled are written again', { n: entries.length });
    }
    return settled;
  }

  /** Signals each entry's requester how it settled, echoing the entry's attempt (outcomeFor). */
  async function tellRequesters(batch: ChainWriteEntry[], settled: Map<string, ChainWriteOutcome>): Promise<void> {
    const told = await Promise.allSettled(
      batch.map((entry) =>
        getExternalWorkflowHandle(entry.requester).signal(
          chainWriteSettledSignal,
          outcomeFor(entry, settled.get(entry.reference)!),
        ),
      ),
    );
    const gone = told.filter((t) => t.status === 'rejected').length;
    // A requester that ended meanwhile (terminated by ops) settles by the chain itself: nothing to tell.
    if (gone > 0) log.warn('chain writer: some requesters could not be told', { gone });
  }
}
