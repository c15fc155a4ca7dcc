/**
 * The chain writer: one long-lived workflow per signer and task queue that collects TXTC mints and relayed
 * transfers and writes them in batches (one transaction, the contract's writeBatch), so any number of
 * worker processes share one signer and its nonces stay in one sequence. Money workflows enqueue an entry
 * (an activity signals the writer, starting it if need be) and wait for the writer's signal that it settled.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { WORKFLOW_TASK_TIMEOUT } from './common';

/** A mint entry: `amount` base units to `to`, under `reference`, void if not mined by `deadline` (chain time). */
export interface MintEntryWire {
  kind: 'mint';
  reference: string;
  to: string;
  amount: string;
  deadline: number;
  /** the workflow waiting for it (signalled when it settles) */
  requester: string;
  /**
   * absent: 0. A requester that hands the same reference over again on purpose after it was not written (an
   * owed mint past its deadline, mintTxtcUntilLanded) numbers each hand-over from its history, so the writer
   * tells a new attempt (above the one it settled: written anew) from a duplicate (a hand-over re-run on
   * replay: the same number, told the remembered outcome); see shared/chain-writer-memory.ts. Conversions'
   * mints never set it.
   */
  attempt?: number;
}

/** A relayed transfer entry: the sender's signed authorisation (the contract's TransferEntry). */
export interface TransferEntryWire {
  kind: 'transfer';
  reference: string;
  from: string;
  to: string;
  amount: string;
  deadline: number;
  v: number;
  r: string;
  s: string;
  requester: string;
  /**
   * as a mint's (absent: 0), but never a new attempt: a send the writer settled is a duplicate whatever its
   * attempt (isNewAttempt), so a send refused for good cannot land later. No send sets it.
   */
  attempt?: number;
}

export type ChainWriteEntry = MintEntryWire | TransferEntryWire;

/**
 * How an entry settled. `applied`: it is on chain in `txHash`. `skipped`: the batch was mined without it,
 * for `reason` (the contract's skip reason: ReferenceUsed, Expired, BadSignature, InsufficientBalance, ...), or
 * `Reverted`: the writer gave up a batch that reverted again and again.
 */
export interface ChainWriteOutcome {
  reference: string;
  status: 'applied' | 'skipped';
  reason?: string;
  txHash: string;
  blockNumber: number;
  /**
   * The attempt of the entry this tells (absent: the entry carried none), so a requester handing a mint over
   * again tells its round's word from a late one meant for an earlier round (answersAttempt).
   */
  attempt?: number;
}

/** The outcome as told to an entry's requester: the entry's attempt echoed, none if it carried none. */
export function outcomeFor(entry: Pick<ChainWriteEntry, 'attempt'>, outcome: ChainWriteOutcome): ChainWriteOutcome {
  return entry.attempt === undefined ? outcome : { ...outcome, attempt: entry.attempt };
}

/**
 * Whether a told outcome answers a requester's hand-over numbered `attempt` (absent: 0): a skip for a lower
 * attempt is an earlier round's word arriving late (a batch given up just as the next round was handed over),
 * and taking it would settle the round by a write that is not its own. Applied answers whatever its attempt:
 * the reference is minted, by whichever round (a later round would only be skipped for the used reference).
 * With no attempts (conversions) any outcome answers, as before attempts.
 */
export function answersAttempt(outcome: ChainWriteOutcome | undefined, attempt: number): outcome is ChainWriteOutcome {
  return outcome !== undefined && (outcome.status === 'applied' || (outcome.attempt ?? 0) >= attempt);
}

/**
 * Which word a requester keeps for a reference when another comes: applied is never replaced (the write
 * landed); otherwise the word for the higher attempt, a later one for the same (without attempts: the latest).
 */
export function wordToKeep(known: ChainWriteOutcome | undefined, told: ChainWriteOutcome): ChainWriteOutcome {
  if (!known) return told;
  if (known.status === 'applied') return known;
  if (told.status === 'applied') return told;
  return (told.attempt ?? 0) >= (known.attempt ?? 0) ? told : known;
}

/** Skip reasons, by the code the contract's MintSkipped / TransferSkipped events carry. */
export const SKIP_REASONS: Record<number, string> = {
  1: 'ZeroReference',
  2: 'ReferenceUsed',
  3: 'Expired',
  4: 'BadSignature',
  5: 'ZeroReceiver',
  6: 'InsufficientBalance',
};

/** The fees a batch transaction was signed with (decimal strings, wei), kept to price its replacement. */
export interface BatchFees {
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
}

export interface ChainWriterSettings {
  /** the most entries in one transaction */
  maxEntries: number;
  /** how long a batch stays open for more after its first entry */
  delayMs: number;
  /** the chain's block time (0: instant, a block per transaction); a batch waits for the next block's turn */
  blockTimeMs: number;
  /** a batch transaction unmined this long is replaced (same nonce, higher fee) */
  stuckAfterMs: number;
  /** batches per run before continuing as new (200 if unset; a test sets 1 to see what a new run remembers) */
  batchesPerRun?: number;
  /**
   * Several signers (absent with one: the writer as before): every signer's address in the configured order.
   * The writer then checks its signer's gas before each batch and, when it is out of gas, hands its new entries
   * to a writer whose signer has gas (lib/definitions/signers.ts).
   */
  signers?: string[];
  /** with `signers`: a signer whose balance (wei, decimal) is below this is out of gas */
  minBalanceWei?: string;
}

/** An entry a writer out of gas handed to another signer's writer, remembered until its deadline passes. */
export interface ForwardedEntry {
  reference: string;
  signer: string;
  deadline: number;
}

/**
 * A settled entry the writer remembers: how it settled, the latest deadline (chain time) it came with, and the
 * attempt it settled (absent: 0; runs before attempts carried none).
 */
export interface RememberedOutcome {
  outcome: ChainWriteOutcome;
  deadline: number;
  attempt?: number;
}

export interface ChainWriterInput {
  signer: string;
  settings: ChainWriterSettings;
  /** carried over continue-as-new: entries not yet written */
  pending?: ChainWriteEntry[];
  /** carried over continue-as-new: the signer's next nonce */
  nonce?: number;
  /** carried over continue-as-new: when (workflow time, ms) the last batch was seen mined */
  lastMinedAt?: number;
  /**
   * carried over continue-as-new: skipped entries whose requesters took the skip as final though a rewrite
   * could still land, until their deadlines pass (see shared/chain-writer-memory.ts); runs before it had none
   */
  remembered?: RememberedOutcome[];
  /** carried over continue-as-new, with several signers: entries handed to another signer's writer */
  forwarded?: ForwardedEntry[];
}

/** What the ops console reads of a writer: entries waiting, the batch being written, when a batch last landed. */
export interface ChainWriterState {
  signer: string;
  pending: number;
  inFlight: number;
  /** workflow time (ms) the last batch was seen mined; absent before the first */
  lastMinedAt?: number;
  nonce?: number;
}
export const chainWriterStateQuery = defineQuery<ChainWriterState>('chainWriterState');

export const enqueueChainWriteSignal = defineSignal<[ChainWriteEntry]>('enqueueChainWrite');
export const chainWriteSettledSignal = defineSignal<[ChainWriteOutcome]>('chainWriteSettled');

/** One writer per signer and task queue (tests run many task queues against one server). */
export function chainWriterWorkflowId(taskQueue: string, signer: string): string {
  return `chain-writer:${taskQueue}:${signer.toLowerCase()}`;
}

/** How an activity starts the signer's writer with an entry, or hands the entry to the running one. */
export function chainWriterStart(taskQueue: string, input: ChainWriterInput, entry: ChainWriteEntry) {
  return {
    workflowId: chainWriterWorkflowId(taskQueue, input.signer),
    taskQueue,
    workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
    args: [input] as [ChainWriterInput],
    signal: enqueueChainWriteSignal,
    signalArgs: [entry] as [ChainWriteEntry],
  };
}
