/**
 * The chain writer workflow's activities: the signer's next nonce, a batch broadcast (or its replacement),
 * and the watch that settles it. They run on the worker's task queue; the workflow calls them one at a
 * time, so the signer has one batch in flight whichever worker process runs them.
 */
import type { BatchWriter, BroadcastBatch } from '../lib/chain/batch';
import type { BatchFees, ChainWriteEntry, ChainWriteOutcome } from '../lib/definitions/chain-writer';
import type { Logger } from '../lib/log';
import { Context } from '@temporalio/activity';
import { formatEther } from 'ethers';
import { chainWriterStart, type ChainWriterSettings } from '../lib/definitions/chain-writer';
import {
  chainBatchEntries,
  chainBatches,
  chainGasUsed,
  chainSignerBalance,
  chainSignerOutOfGas,
  chainWrites,
} from '../lib/metrics';
import { heartbeatingAll } from './shared';

export type BatchResult =
  | {
      state: 'mined';
      hash: string;
      blockNumber: number;
      gasUsed: string;
      outcomes: ChainWriteOutcome[];
      rewrite: ChainWriteEntry[];
    }
  | { state: 'nonce-used'; outcomes: ChainWriteOutcome[]; rewrite: ChainWriteEntry[]; nextNonce: number }
  | { state: 'stuck'; minedNonce: number };

interface SettleInput {
  entries: ChainWriteEntry[];
  hashes: string[];
  nonce: number;
  stuckAfterMs: number;
  signer?: string;
}

export function createChainWriterActivities(deps: {
  batches?: BatchWriter;
  /** several signers: the further signers' batch writers (CHAIN_SIGNER_PRIVATE_KEYS) */
  moreBatches?: BatchWriter[];
  /** a signer below this balance (wei) is out of gas (absent: none is) */
  minBalanceWei?: bigint;
  log: Logger;
}) {
  /** The batch writer of `signer` (absent: the one signer's, as in histories from before several signers). */
  const batches = (signer?: string): BatchWriter => {
    if (!deps.batches) throw new Error('this worker has no chain signer: it cannot write batches');
    if (signer === undefined) return deps.batches;
    const found = [deps.batches, ...(deps.moreBatches ?? [])].find(
      (b) => b.address.toLowerCase() === signer.toLowerCase(),
    );
    if (!found) throw new Error(`this worker has no key for the chain signer ${signer}`);
    return found;
  };
  /** Reads a signer's balance into the gauges; true when it is out of gas. */
  async function gauge(signer: string): Promise<boolean> {
    const balance = await batches().balance(signer);
    const low = deps.minBalanceWei !== undefined && balance < deps.minBalanceWei;
    chainSignerBalance.set({ signer: signer.toLowerCase() }, Number(formatEther(balance)));
    chainSignerOutOfGas.set({ signer: signer.toLowerCase() }, low ? 1 : 0);
    return low;
  }
  async function broadcast(input: {
    entries: ChainWriteEntry[];
    nonce: number;
    replacing?: BatchFees;
    signer?: string;
  }): Promise<BroadcastBatch> {
    const sent = await batches(input.signer).broadcast(input.entries, input.nonce, input.replacing);
    if (input.replacing) chainBatches.inc({ outcome: 'replaced' });
    deps.log.info(
      {
        nonce: sent.nonce,
        txHash: sent.hash,
        entries: input.entries.length,
        replacement: !!input.replacing,
        underpriced: sent.underpriced,
      },
      'chain batch broadcast',
    );
    return sent;
  }

  /**
   * Watches the batch's transactions until one is mined (each entry applied or skipped; an entry without an
   * event, as in a reverted batch, is written again), the nonce is used by a transaction we know no hash of
   * (entries found on chain settle, the others are written again), or it is stuck (replace it).
   */
  async function settle(input: SettleInput): Promise<BatchResult> {
    const writer = batches(input.signer);
    const watched = await writer.watch(input.entries, input.hashes, input.nonce, input.stuckAfterMs);
    const unsettled = (outcomes: ChainWriteOutcome[]) => {
      const settled = new Set(outcomes.map((o) => o.reference));
      return input.entries.filter((e) => !settled.has(e.reference));
    };
    if (watched.state === 'stuck') return { state: 'stuck', minedNonce: await writer.minedNonce() };
    if (watched.state === 'mined') {
      const kinds = new Map(input.entries.map((e) => [e.reference, e.kind]));
      for (const o of watched.outcomes)
        chainWrites.inc({
          operation: kinds.get(o.reference) ?? 'mint',
          outcome: o.status === 'applied' ? 'sent' : 'skipped',
        });
      chainBatches.inc({ outcome: watched.outcomes.length > 0 ? 'mined' : 'reverted' });
      chainBatchEntries.observe(input.entries.length);
      chainGasUsed.observe({ operation: 'batch' }, Number(watched.gasUsed));
      deps.log.info(
        { nonce: input.nonce, txHash: watched.hash, block: watched.blockNumber, entries: input.entries.length },
        'chain batch mined',
      );
      // The signer's gas, for the alert (never fails the batch: it is mined).
      await gauge(writer.address).catch(() => undefined);
      return { ...watched, rewrite: unsettled(watched.outcomes) };
    }
    const outcomes = await writer.landed(input.entries);
    chainBatches.inc({ outcome: 'nonce_used' });
    deps.log.warn(
      { nonce: input.nonce, landed: outcomes.length, entries: input.entries.length },
      'chain batch nonce used by another transaction; entries found on chain settle, the rest are written again',
    );
    return { state: 'nonce-used', outcomes, rewrite: unsettled(outcomes), nextNonce: await writer.nextNonce() };
  }

  return heartbeatingAll({
    /** `signer` absent: the one signer (histories from before several signers). */
    async chainWriterNonce(signer?: string): Promise<number> {
      return batches(signer).nextNonce();
    },

    /** Several signers: which of `signers` are out of gas (balance below CHAIN_SIGNER_MIN_BALANCE_WEI), gauged. */
    async chainSignersOutOfGas(input: { signers: string[] }): Promise<string[]> {
      const low = await Promise.all(input.signers.map(gauge));
      return input.signers.filter((_, i) => low[i]);
    },

    /**
     * Several signers: hands entries to `signer`'s chain writer (started if it is not running), as the enqueue
     * activity does; each entry's requester is told by that writer. Signalling again is harmless: it dedups.
     */
    async forwardChainWrites(input: {
      signer: string;
      settings: ChainWriterSettings;
      entries: ChainWriteEntry[];
    }): Promise<void> {
      const context = Context.current();
      for (const entry of input.entries)
        await context.client.workflow.signalWithStart(
          'chainWriterWorkflow',
          chainWriterStart(context.info.taskQueue, { signer: input.signer, settings: input.settings }, entry),
        );
      deps.log.warn({ to: input.signer, entries: input.entries.length }, 'chain writer out of gas: entries handed on');
    },

    /**
     * One batch in one activity: broadcast (or replace, outbidding `replacing`), then watch the nonce's
     * transactions (`hashes` and this one) until one is mined, the nonce is used by another, or it is stuck.
     */
    async writeBatch(input: {
      entries: ChainWriteEntry[];
      nonce: number;
      hashes: string[];
      replacing?: BatchFees;
      stuckAfterMs: number;
      /** several signers: whose batch (absent: the one signer's) */
      signer?: string;
    }): Promise<{ sent: BroadcastBatch; result: BatchResult }> {
      const sent = await broadcast(input);
      const hashes = input.hashes.includes(sent.hash) ? input.hashes : [...input.hashes, sent.hash];
      return { sent, result: await settle({ ...input, hashes }) };
    },
  });
}

export type ChainWriterActivities = ReturnType<typeof createChainWriterActivities>;
