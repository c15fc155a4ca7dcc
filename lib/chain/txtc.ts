/**
 * The TXTC token as the bridge uses it: balances, and a mint that happens once per reference. The
 * contract rejects a reused reference, and mintOnce first looks for an earlier mint of that reference,
 * so a retried activity (or a second broadcast racing the first) ends with exactly one mint.
 */
import { Contract, Interface, keccak256, toUtf8Bytes, type JsonRpcProvider, type EventLog } from 'ethers';
import { loadArtifact } from './artifacts';
import { BridgeError } from '../../workflows/definitions/errors';
import type { ChainWriter } from './writer';

/** The 32-byte on-chain reference of an off-chain reference string such as "conversion-x:mint". */
export function chainReference(reference: string): string {
  return keccak256(toUtf8Bytes(reference));
}

export interface MintReceipt {
  txHash: string;
  blockNumber: number;
  to: string;
  amount: bigint;
  /** true when this call found an earlier mint of the reference instead of minting */
  alreadyMinted: boolean;
}

/** What the conversion needs of TXTC (TxtcToken; tests may wrap one to inject node faults). */
export interface MintingToken {
  mintOnce(to: string, amount: bigint, reference: string, receiptTimeoutMs: number): Promise<MintReceipt>;
  findMint(reference: string): Promise<MintReceipt | undefined>;
}

export class MintRejectedError extends BridgeError {
  constructor(readonly reason: string) {
    super('MintRejected', `mint rejected by the TXTC contract: ${reason}`);
    this.name = 'MintRejectedError';
  }
}

export class TxtcToken implements MintingToken {
  readonly iface: Interface;
  readonly contract: Contract;

  constructor(
    readonly address: string,
    readonly provider: JsonRpcProvider,
    private readonly writer?: ChainWriter,
    private readonly fromBlock = 0,
  ) {
    this.iface = new Interface(loadArtifact('Txtc').abi as never);
    this.contract = new Contract(address, this.iface, provider);
  }

  async balanceOf(owner: string): Promise<bigint> {
    return (await this.contract.getFunction('balanceOf')(owner)) as bigint;
  }

  async referenceUsed(reference: string): Promise<boolean> {
    return (await this.contract.getFunction('referenceUsed')(chainReference(reference))) as boolean;
  }

  /** The mint made with this reference, if any. */
  async findMint(reference: string): Promise<MintReceipt | undefined> {
    const logs = await this.contract.queryFilter(
      this.contract.filters.ReferencedMint!(chainReference(reference)),
      this.fromBlock,
    );
    const log = logs[0] as EventLog | undefined;
    if (!log) return undefined;
    return {
      txHash: log.transactionHash,
      blockNumber: log.blockNumber,
      to: log.args[1] as string,
      amount: log.args[2] as bigint,
      alreadyMinted: true,
    };
  }

  /** Mints `amount` to `to` unless `reference` minted before; either way returns the one mint. */
  async mintOnce(to: string, amount: bigint, reference: string, receiptTimeoutMs: number): Promise<MintReceipt> {
    if (!this.writer) throw new Error('TxtcToken was built without a writer');
    const earlier = await this.findMint(reference);
    if (earlier) return this.sameMint(earlier, to, amount, reference);

    const data = this.iface.encodeFunctionData('mint', [to, amount, chainReference(reference)]);
    try {
      // A call first: a revert (role missing, reference used) is known before anything is broadcast.
      await this.provider.call({ from: this.writer.address, to: this.address, data });
      const sent = await this.writer.send({ to: this.address, data });
      const receipt = await sent.wait(1, receiptTimeoutMs || undefined);
      if (!receipt) throw new Error(`no receipt for mint ${sent.hash}`);
      return { txHash: receipt.hash, blockNumber: receipt.blockNumber, to, amount, alreadyMinted: false };
    } catch (e) {
      // A racing broadcast of the same reference may have won (a reverted receipt or a revert on
      // estimate): that earlier mint is the mint.
      const found = await this.findMint(reference);
      if (found) return this.sameMint(found, to, amount, reference);
      const reason = this.revertReason(e);
      if (reason) throw new MintRejectedError(reason);
      throw e;
    }
  }

  private sameMint(mint: MintReceipt, to: string, amount: bigint, reference: string): MintReceipt {
    if (mint.to.toLowerCase() !== to.toLowerCase() || mint.amount !== amount) {
      throw new MintRejectedError(`reference ${reference} already minted a different amount or recipient`);
    }
    return mint;
  }

  private revertReason(e: unknown): string | undefined {
    const data =
      (e as { data?: string; info?: { error?: { data?: string } } }).data ??
      (e as { info?: { error?: { data?: string } } }).info?.error?.data;
    if (typeof data === 'string' && data.length >= 10) {
      const parsed = this.iface.parseError(data);
      if (parsed) return parsed.name;
    }
    if ((e as { code?: string }).code === 'CALL_EXCEPTION')
      return (e as { reason?: string }).reason ?? 'execution reverted';
    return undefined;
  }
}
