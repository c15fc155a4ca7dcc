/**
 * Batched chain writes: many mints and relayed transfers in one transaction (the contract's writeBatch),
 * signed with a nonce the chain writer workflow hands out, so the signer's nonces stay in one sequence
 * however many worker processes run. A batch is broadcast, watched until one transaction with its nonce is
 * mined, and replaced (same nonce, higher fee) when it sits unmined: never duplicated under a new nonce.
 * Every entry's outcome is read from the mined transaction's events (applied, or skipped with a reason).
 */
import { Transaction, Wallet, type JsonRpcProvider, type Log } from 'ethers';
import {
  SKIP_REASONS,
  type BatchFees,
  type ChainWriteEntry,
  type ChainWriteOutcome,
} from '../definitions/chain-writer';
import { chainReference, type TxtcToken } from './txtc';

export interface BroadcastBatch extends BatchFees {
  hash: string;
  nonce: number;
  /** the node already held a transaction with this nonce at a fee this one could not replace */
  underpriced?: true;
}

export type BatchWatch =
  | { state: 'mined'; hash: string; blockNumber: number; gasUsed: string; outcomes: ChainWriteOutcome[] }
  /** the nonce was used by a transaction of which we know no hash (a lost attempt, another process) */
  | { state: 'nonce-used' }
  | { state: 'stuck' };

/** A replacement must pay at least 10% more on both fees (geth, Hardhat, anvil): 25% and one wei over. */
const REPLACEMENT_BUMP_PERCENT = 125n;
const RECEIPT_POLL_MS = 250;

const bump = (fee: string): bigint => (BigInt(fee) * REPLACEMENT_BUMP_PERCENT) / 100n + 1n;
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export class BatchWriter {
  private readonly wallet: Wallet;
  /** the chain's id, read once: a batch is signed for it */
  private chainId: Promise<bigint> | undefined;

  constructor(
    private readonly txtc: TxtcToken,
    privateKey: string,
    private readonly provider: JsonRpcProvider,
  ) {
    this.wallet = new Wallet(privateKey, provider);
  }

  get address(): string {
    return this.wallet.address;
  }

  /** The writeBatch call data: the mint entries, then the transfer entries, each in the order given. */
  encode(entries: ChainWriteEntry[]): string {
    const mints = entries
      .filter((e) => e.kind === 'mint')
      .map((e) => ({ to: e.to, amount: BigInt(e.amount), ref: chainReference(e.reference), deadline: e.deadline }));
    const transfers = entries
      .filter((e) => e.kind === 'transfer')
      .map((e) => ({
        from: e.from,
        to: e.to,
        value: BigInt(e.amount),
        ref: chainReference(e.reference),
        deadline: e.deadline,
        v: e.v,
        r: e.r,
        s: e.s,
      }));
    return this.txtc.iface.encodeFunctionData('writeBatch', [mints, transfers]);
  }

  /** The next nonce the signer has not used, counting transactions the node holds unmined. */
  async nextNonce(): Promise<number> {
    return this.provider.getTransactionCount(this.wallet.address, 'pending');
  }

  /** The balance (wei) of `address`, this signer's by default: what its gas is paid from. */
  async balance(address: string = this.wallet.address): Promise<bigint> {
    return this.provider.getBalance(address);
  }

  /** How many of the signer's transactions are mined: a nonce below it is used. */
  async minedNonce(): Promise<number> {
    return this.provider.getTransactionCount(this.wallet.address, 'latest');
  }

  /**
   * Signs the batch with `nonce` and broadcasts it. `replacing`: the fees of the transaction it replaces,
   * which it outbids. A retry with the same fees signs the same bytes (deterministic signatures), so the node
   * sees the same transaction again, never a second one.
   */
  async broadcast(entries: ChainWriteEntry[], nonce: number, replacing?: BatchFees): Promise<BroadcastBatch> {
    const data = this.encode(entries);
    // Asked once; a failed ask (the node paused) is not kept, or every later broadcast would fail with it.
    this.chainId ??= this.provider.getNetwork().then(
      (n) => n.chainId,
      (e: unknown) => {
        this.chainId = undefined;
        throw e;
      },
    );
    const [fees, chainId, estimate] = await Promise.all([
      this.provider.getFeeData(),
      this.chainId,
      this.provider.estimateGas({ from: this.wallet.address, to: this.txtc.address, data }),
    ]);
    let maxPriorityFeePerGas = fees.maxPriorityFeePerGas ?? 1_000_000_000n;
    let maxFeePerGas = fees.maxFeePerGas ?? (fees.gasPrice ?? 0n) * 2n + maxPriorityFeePerGas;
    if (replacing) {
      maxPriorityFeePerGas = max(maxPriorityFeePerGas, bump(replacing.maxPriorityFeePerGas));
      maxFeePerGas = max(maxFeePerGas, bump(replacing.maxFeePerGas));
    }
    if (maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
    const signed = await this.wallet.signTransaction({
      type: 2,
      chainId,
      nonce,
      to: this.txtc.address,
      data,
      // Entries that skip cost less than estimated; one that applies after a skip costs more: a margin.
      gasLimit: (estimate * 12n) / 10n + 50_000n,
      maxFeePerGas,
      maxPriorityFeePerGas,
    });
    const hash = Transaction.from(signed).hash!;
    const result: BroadcastBatch = {
      hash,
      nonce,
      maxFeePerGas: maxFeePerGas.toString(),
      maxPriorityFeePerGas: maxPriorityFeePerGas.toString(),
    };
    try {
      await this.provider.broadcastTransaction(signed);
    } catch (e) {
      const message = errorText(e);
      // The same bytes again (a retried attempt), or the nonce already mined: watching settles both.
      if (/already known|known transaction|already imported|nonce too low|nonce has already been used/i.test(message))
        return result;
      if (/underpriced|replacement/i.test(message)) return { ...result, underpriced: true };
      throw e;
    }
    return result;
  }

  /**
   * Waits for one of `hashes` (the transactions of one nonce) to be mined.
   * Returns the entries' outcomes once one is; 'nonce-used' if the nonce is used by none of them; 'stuck'
   * when none is mined after `stuckAfterMs`.
   */
  async watch(entries: ChainWriteEntry[], hashes: string[], nonce: number, stuckAfterMs: number): Promise<BatchWatch> {
    const until = Date.now() + stuckAfterMs;
    for (;;) {
      const mined = await this.minedOf(entries, hashes);
      if (mined) return mined;
      if ((await this.minedNonce()) > nonce) {
        // Mined between our receipt look and the nonce look? Look once more before calling it somebody else's.
        return (await this.minedOf(entries, hashes)) ?? { state: 'nonce-used' };
      }
      if (Date.now() >= until) return { state: 'stuck' };
      await new Promise((resolve) => setTimeout(resolve, RECEIPT_POLL_MS));
    }
  }

  /** The first of `hashes` with a receipt, with each entry's outcome (none if it reverted: written again). */
  private async minedOf(entries: ChainWriteEntry[], hashes: string[]): Promise<BatchWatch | undefined> {
    for (const hash of hashes) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (!receipt) continue;
      const outcomes = receipt.status === 1 ? this.outcomes(entries, receipt.logs, hash, receipt.blockNumber) : [];
      return { state: 'mined', hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed.toString(), outcomes };
    }
    return undefined;
  }

  /** Each entry's outcome from the batch transaction's events. */
  outcomes(entries: ChainWriteEntry[], logs: readonly Log[], txHash: string, blockNumber: number): ChainWriteOutcome[] {
    const byRef = new Map<string, { status: 'applied' | 'skipped'; reason?: string }>();
    for (const log of logs) {
      if (log.address.toLowerCase() !== this.txtc.address.toLowerCase()) continue;
      const parsed = this.txtc.iface.parseLog(log);
      if (!parsed) continue;
      const ref = String(parsed.args[0]).toLowerCase();
      if (parsed.name === 'ReferencedMint' || parsed.name === 'ReferencedTransfer')
        byRef.set(ref, { status: 'applied' });
      else if (parsed.name === 'MintSkipped' || parsed.name === 'TransferSkipped')
        byRef.set(ref, { status: 'skipped', reason: SKIP_REASONS[Number(parsed.args[1])] ?? 'Unknown' });
    }
    return entries.flatMap((entry) => {
      const found = byRef.get(chainReference(entry.reference).toLowerCase());
      return found ? [{ reference: entry.reference, ...found, txHash, blockNumber }] : [];
    });
  }

  /**
   * The entries that landed by some transaction we hold no hash of (found by their reference's event), as
   * outcomes; an entry not found did not land and is written again.
   */
  async landed(entries: ChainWriteEntry[]): Promise<ChainWriteOutcome[]> {
    const found = await Promise.all(
      entries.map(async (entry): Promise<ChainWriteOutcome | undefined> => {
        const receipt =
          entry.kind === 'mint'
            ? await this.txtc.findMint(entry.reference)
            : await this.txtc.findTransfer(entry.reference);
        return (
          receipt && {
            reference: entry.reference,
            status: 'applied',
            txHash: receipt.txHash,
            blockNumber: receipt.blockNumber,
          }
        );
      }),
    );
    return found.filter((o): o is ChainWriteOutcome => o !== undefined);
  }
}

function errorText(e: unknown): string {
  const nested = (e as { info?: { error?: { message?: string } }; error?: { message?: string } }) ?? {};
  return [e instanceof Error ? e.message : String(e), nested.info?.error?.message, nested.error?.message]
    .filter(Boolean)
    .join(' ');
}
