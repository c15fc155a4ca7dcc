/**
 * Chain activities: the referenced TXTC mint and the referenced, relayed TXTC transfer (each exactly once
 * per reference), finding them again, and a number's TXTC balance.
 */
import { Context } from '@temporalio/activity';
import { BridgeError } from '../lib/definitions';
import { chainWriterStart, type ChainWriteEntry, type ChainWriterSettings } from '../lib/definitions/chain-writer';
import { signerFor } from '../lib/definitions/signers';
import {
  MintRejectedError,
  type MintingToken,
  type TransferReceipt,
  type TransferringToken,
  type TxtcToken,
} from '../lib/chain/txtc';
import type { WalletDirectory } from '../lib/wallets';
import type { Logger } from '../lib/log';
import { heartbeatingAll } from './shared';

export interface MintResult {
  txHash: string;
  blockNumber: number;
  alreadyMinted: boolean;
}

export interface TransferResult {
  txHash: string;
  blockNumber: number;
  alreadySent: boolean;
}

const transferResult = (t: TransferReceipt): TransferResult => ({
  txHash: t.txHash,
  blockNumber: t.blockNumber,
  alreadySent: t.alreadySent,
});

/** How a mint or a send goes: queued for the chain writer (a batch), or directly, one transaction each. */
export type Submitted = { mode: 'queued' } | { mode: 'direct' };

/** The sending attempt's number: a first attempt cannot have sent before, so it skips the look. */
function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 2; // outside an activity (a direct call): look first
  }
}

export function createChainActivities(deps: {
  token: MintingToken;
  relay: TransferringToken;
  /** signs transfer authorisations for batched sends (TXTC itself) */
  signer?: Pick<TxtcToken, 'authoriseTransfer'>;
  wallets: WalletDirectory;
  receiptTimeoutMs: number;
  log: Logger;
  /** batched writes: the signer's chain writer and its settings; absent, every write is its own transaction */
  batching?: {
    signer: string;
    settings: ChainWriterSettings;
    /** several signers: the further signers' addresses (entries go to a writer by their reference) */
    more?: string[];
    minBalanceWei?: string;
  };
}) {
  /**
   * A write settled by its deadline: what `find` finds of it; null once the chain is past the deadline without
   * it (it can never land); otherwise a retryable error, so the activity asks again later. The chain's time is
   * read first: a write not found afterwards was in no block up to that time.
   */
  async function byDeadline<T>(
    what: string,
    input: { reference: string; deadline: number },
    find: () => Promise<T | undefined>,
  ): Promise<T | null> {
    const chainTime = await deps.relay.chainTime();
    const found = await find();
    if (found) return found;
    if (chainTime > input.deadline) return null;
    throw new Error(`${what} ${input.reference} not found yet; it may land until ${input.deadline}`);
  }

  /**
   * Hands an entry to its signer's chain writer workflow (started if it is not running): the one signer's, or
   * with several the one its reference maps to (signerFor), whatever the signers' gas, so a duplicate meets the
   * writer that knows it; a writer out of gas hands the entry on itself.
   */
  async function enqueue(entry: ChainWriteEntry): Promise<Submitted> {
    const batching = deps.batching;
    if (!batching) return { mode: 'direct' };
    const context = Context.current();
    const more = batching.more ?? [];
    const signers = [batching.signer, ...more];
    const signer = more.length > 0 ? signerFor(entry.reference, signers) : batching.signer;
    const settings: ChainWriterSettings =
      more.length > 0 ? { ...batching.settings, signers, minBalanceWei: batching.minBalanceWei } : batching.settings;
    await context.client.workflow.signalWithStart(
      'chainWriterWorkflow',
      chainWriterStart(context.info.taskQueue, { signer, settings }, entry),
    );
    return { mode: 'queued' };
  }

  // Every chain call heartbeats: any of them can be the one lost with its worker.
  return heartbeatingAll({
    async mintTxtc(input: { to: string; amount: string; reference: string }): Promise<MintResult> {
      const mint = await deps.token.mintOnce(input.to, BigInt(input.amount), input.reference, deps.receiptTimeoutMs);
      deps.log.info(
        { reference: input.reference, txHash: mint.txHash, alreadyMinted: mint.alreadyMinted },
        'TXTC minted',
      );
      return { txHash: mint.txHash, blockNumber: mint.blockNumber, alreadyMinted: mint.alreadyMinted };
    },

    /**
     * Queues a mint for the chain writer (the workflow then waits for its signal), or says to mint directly.
     * Its deadline, `deadlineSeconds` after the time it can next land (never earlier than the wall clock, so
     * an idle chain cannot make it stale), is returned: after it the mint can never land.
     * `attempt` goes into the entry as it came (MintEntryWire says what it means).
     */
    async submitMint(input: {
      to: string;
      amount: string;
      reference: string;
      deadlineSeconds: number;
      requester: string;
      attempt?: number;
    }): Promise<Submitted & { deadline: number }> {
      if (!deps.batching) return { mode: 'direct', deadline: 0 };
      const { deadlineSeconds, ...entry } = input;
      const deadline = (await deps.relay.landingTime()) + deadlineSeconds;
      return { ...(await enqueue({ kind: 'mint', ...entry, deadline })), deadline };
    },

    /**
     * Settles a mint: the mint if it landed; null once the chain is past the deadline without it (it can never
     * land); otherwise it asks again later. A mint under the reference to another wallet or of another amount
     * is not this one (references are unique per step, so only a bug makes one): refused, never taken as paid.
     * `to` and `amount` are absent in histories from before the check.
     */
    async mintOutcome(input: {
      reference: string;
      deadline: number;
      to?: string;
      amount?: string;
    }): Promise<MintResult | null> {
      const found = await byDeadline('mint', input, () => deps.token.findMint(input.reference));
      if (!found) return null;
      const { to, amount } = input;
      if (
        (to !== undefined && found.to.toLowerCase() !== to.toLowerCase()) ||
        (amount !== undefined && found.amount !== BigInt(amount))
      ) {
        throw new MintRejectedError(`reference ${input.reference} already minted a different amount or recipient`);
      }
      return { txHash: found.txHash, blockNumber: found.blockNumber, alreadyMinted: true };
    },

    /**
     * Queues a TXTC send for the chain writer, authorised by the sender's key (derived in memory, never
     * stored), or says to send directly. A short balance shows when the batch is mined (the entry skipped).
     */
    async submitSend(
      input: { to: string; amount: string; reference: string; deadline: number; requester: string } & (
        | { fromPhone: string }
        | { fromTreasury: true }
      ),
    ): Promise<Submitted> {
      if (!deps.batching || !deps.signer) return { mode: 'direct' };
      const sender = 'fromTreasury' in input ? deps.wallets.treasury() : await deps.wallets.signerFor(input.fromPhone);
      if (!sender) throw new BridgeError('InsufficientTxtc', 'the sender has no TXTC wallet');
      const auth = await deps.signer.authoriseTransfer(
        sender,
        input.to,
        BigInt(input.amount),
        input.reference,
        undefined,
        input.deadline,
      );
      return enqueue({
        kind: 'transfer',
        reference: input.reference,
        from: auth.from,
        to: auth.to,
        amount: input.amount,
        deadline: input.deadline,
        v: auth.v,
        r: auth.r,
        s: auth.s,
        requester: input.requester,
      });
    },

    /** The mint of a reference, if one landed (checked before any refund). */
    async findMint(reference: string): Promise<MintResult | undefined> {
      const mint = await deps.token.findMint(reference);
      return mint && { txHash: mint.txHash, blockNumber: mint.blockNumber, alreadyMinted: true };
    },

    /** The number's wallet (null when it has none) and the TXTC base units in it. */
    async txtcBalance(phoneNumber: string): Promise<{ wallet: string | null; balance: string }> {
      const wallet = (await deps.wallets.find(phoneNumber)) ?? null;
      return { wallet, balance: wallet ? (await deps.relay.balanceOf(wallet)).toString() : '0' };
    },

    /**
     * Moves TXTC from the number's wallet (or the treasury's: a failed swap's return) to `to`: the wallet's
     * own key signs the authorisation (derived in memory, never stored), the platform's signer relays it and
     * pays the gas.
     */
    async sendTxtc(
      input: { to: string; amount: string; reference: string; deadline: number } & (
        | { fromPhone: string }
        | { fromTreasury: true }
      ),
    ): Promise<TransferResult> {
      const sender = 'fromTreasury' in input ? deps.wallets.treasury() : await deps.wallets.signerFor(input.fromPhone);
      if (!sender) throw new BridgeError('InsufficientTxtc', 'the sender has no TXTC wallet');
      const retry = attempt() > 1;
      let sent: TransferReceipt;
      try {
        sent = await deps.relay.transferOnce(
          sender,
          input.to,
          BigInt(input.amount),
          input.reference,
          deps.receiptTimeoutMs,
          {
            lookFirst: retry,
            deadline: input.deadline,
          },
        );
      } catch (e) {
        // On a retry an earlier attempt's broadcast may still be pending: a short balance now proves nothing,
        // so it stays retryable and the workflow settles the send by the authorisation's deadline.
        if (retry && e instanceof BridgeError && e.code === 'InsufficientTxtc') {
          throw new Error(`${e.message} (an earlier attempt may still be pending)`);
        }
        throw e;
      }
      deps.log.info({ reference: input.reference, txHash: sent.txHash, alreadySent: sent.alreadySent }, 'TXTC sent');
      return transferResult(sent);
    },

    /** When an authorisation given now stops being valid: `seconds` after the time a write sent now can land
     * (the wall clock, or the chain's next block when it runs ahead), never from an idle chain's old block. */
    async authorisationDeadline(input: { seconds: number }): Promise<number> {
      return (await deps.relay.landingTime()) + input.seconds;
    },

    /**
     * Settles a send whose attempts ended without an answer: the transfer if it landed; null once the chain
     * is past the authorisation's deadline without it (it can never land); otherwise it asks again later.
     */
    async transferOutcome(input: { reference: string; deadline: number }): Promise<TransferResult | null> {
      const found = await byDeadline('send', input, () => deps.relay.findTransfer(input.reference));
      return found && transferResult(found);
    },
  });
}

export type ChainActivities = ReturnType<typeof createChainActivities>;
