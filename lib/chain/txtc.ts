/**
 * The TXTC token as the bridge uses it: balances, and a mint or a transfer that happens once per reference.
 * The contract rejects a reused reference, and mintOnce/transferOnce first look for an earlier mint or
 * transfer of that reference, so a retried activity (or a second broadcast racing the first) ends with
 * exactly one. A transfer is authorised by the sender's own key (EIP-712) and relayed by the platform's
 * signer, which pays the gas: custodial wallets hold no ETH.
 */
import {
  Contract,
  Interface,
  Signature,
  keccak256,
  toUtf8Bytes,
  type EventLog,
  type HDNodeWallet,
  type JsonRpcProvider,
} from 'ethers';
import { loadArtifact } from './artifacts';
import { BridgeError } from '../definitions/errors';
import type { ChainWriter } from './writer';
import { landingTime } from './provider';

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

export interface TransferReceipt {
  txHash: string;
  blockNumber: number;
  from: string;
  to: string;
  amount: bigint;
  /** true when this call found an earlier transfer of the reference instead of sending one */
  alreadySent: boolean;
}

/** A wallet that can authorise a transfer (a custodial HDNodeWallet); only its signature leaves it. */
export interface TransferSigner {
  address: string;
  signTypedData: HDNodeWallet['signTypedData'];
}

/** A signed transfer: transferWithAuthorization's arguments, in the order of the contract's TransferEntry. */
export interface TransferAuthorisation {
  from: string;
  to: string;
  value: bigint;
  ref: string;
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

export interface TransferOptions {
  /** false: skip the look for an earlier transfer (the caller just looked) */
  lookFirst?: boolean;
  /** how long the authorisation stays valid, in seconds of chain time (default 3600) */
  deadlineSeconds?: number;
  /**
   * the authorisation's deadline as a unix time, the same for every attempt of one send: once the chain is
   * past it, a send of the reference that has not landed never can (wins over deadlineSeconds)
   */
  deadline?: number;
}

/** What a TXTC transfer needs of TXTC (TxtcToken; tests may wrap one to inject node faults). */
export interface TransferringToken {
  transferOnce(
    sender: TransferSigner,
    to: string,
    amount: bigint,
    reference: string,
    receiptTimeoutMs: number,
    options?: TransferOptions,
  ): Promise<TransferReceipt>;
  findTransfer(reference: string): Promise<TransferReceipt | undefined>;
  balanceOf(owner: string): Promise<bigint>;
  chainTime(): Promise<number>;
  landingTime(): Promise<number>;
}

/** The EIP-712 type a sender signs (the contract's TRANSFER_TYPEHASH), on the token's permit domain. */
export const TRANSFER_TYPES = {
  ReferencedTransfer: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'ref', type: 'bytes32' },
    { name: 'deadline', type: 'uint256' },
  ],
};

/** Why transferBatch skipped an entry: the reason code of the TransferSkipped event. */
export const TransferSkipReason = {
  ZeroReference: 1,
  ReferenceUsed: 2,
  Expired: 3,
  BadSignature: 4,
  ZeroReceiver: 5,
  InsufficientBalance: 6,
} as const;

const DEFAULT_DEADLINE_SECONDS = 3600;
/** How long a transfer whose reference a pending transaction holds waits for it when no receipt timeout is given. */
const DEFAULT_PENDING_WAIT_MS = 60000;

export class TransferRejectedError extends BridgeError {
  constructor(readonly reason: string) {
    super('TransferRejected', `transfer rejected by the TXTC contract: ${reason}`);
    this.name = 'TransferRejectedError';
  }
}

export class TxtcToken implements MintingToken, TransferringToken {
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

  /**
   * The movement a reference left (mints and transfers share the references), if any: its transaction and
   * block, with what `read` takes from the event's arguments.
   */
  private async referencedEvent<T>(
    event: 'ReferencedMint' | 'ReferencedTransfer',
    reference: string,
    read: (args: EventLog['args']) => T,
  ): Promise<({ txHash: string; blockNumber: number } & T) | undefined> {
    const logs = await this.contract.queryFilter(
      this.contract.filters[event]!(chainReference(reference)),
      this.fromBlock,
    );
    const log = logs[0] as EventLog | undefined;
    return log && { txHash: log.transactionHash, blockNumber: log.blockNumber, ...read(log.args) };
  }

  /** The mint made with this reference, if any. */
  findMint(reference: string): Promise<MintReceipt | undefined> {
    return this.referencedEvent('ReferencedMint', reference, (args) => ({
      to: args[1] as string,
      amount: args[2] as bigint,
      alreadyMinted: true,
    }));
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

  /** The chain's time: the latest block's timestamp (what settles a deadline: nothing is dead before it passes). */
  async chainTime(): Promise<number> {
    const latest = await this.provider.getBlock('latest');
    if (!latest) throw new Error('the node returned no latest block');
    return latest.timestamp;
  }

  /**
   * The earliest time a write sent now can be mined at, which every deadline is measured from: a chain that
   * mines only on demand (or sat idle) has an old latest block, so the next one is stamped later than it.
   */
  async landingTime(): Promise<number> {
    return landingTime(this.provider);
  }

  /** The transfer made with this reference, if any. */
  findTransfer(reference: string): Promise<TransferReceipt | undefined> {
    return this.referencedEvent('ReferencedTransfer', reference, (args) => ({
      from: args[1] as string,
      to: args[2] as string,
      amount: args[3] as bigint,
      alreadySent: true,
    }));
  }

  /** The sender's signature on moving `amount` to `to` under `reference`, valid for `deadlineSeconds` of chain time. */
  async authoriseTransfer(
    sender: TransferSigner,
    to: string,
    amount: bigint,
    reference: string,
    deadlineSeconds = DEFAULT_DEADLINE_SECONDS,
    deadline?: number,
  ): Promise<TransferAuthorisation> {
    const [{ chainId }, from] = await Promise.all([
      this.provider.getNetwork(),
      deadline === undefined ? landingTime(this.provider) : Promise.resolve(0),
    ]);
    const message = {
      from: sender.address,
      to,
      value: amount,
      ref: chainReference(reference),
      deadline: BigInt(deadline ?? from + deadlineSeconds),
    };
    const domain = { name: 'TXTC', version: '1', chainId, verifyingContract: this.address };
    const { v, r, s } = Signature.from(await sender.signTypedData(domain, TRANSFER_TYPES, message));
    return { ...message, v, r, s };
  }

  /**
   * Moves `amount` from the sender's wallet to `to`, relayed by the platform's signer, unless `reference`
   * transferred before; either way returns the one transfer. A short balance is InsufficientTxtc, another
   * revert TransferRejected; a node error is rethrown as it is (the caller retries).
   */
  async transferOnce(
    sender: TransferSigner,
    to: string,
    amount: bigint,
    reference: string,
    receiptTimeoutMs: number,
    options: TransferOptions = {},
  ): Promise<TransferReceipt> {
    if (!this.writer) throw new Error('TxtcToken was built without a writer');
    if (options.lookFirst !== false) {
      const earlier = await this.findTransfer(reference);
      if (earlier) return this.sameTransfer(earlier, sender.address, to, amount, reference);
    }

    const auth = await this.authoriseTransfer(sender, to, amount, reference, options.deadlineSeconds, options.deadline);
    const data = this.iface.encodeFunctionData('transferWithAuthorization', [
      auth.from,
      auth.to,
      auth.value,
      auth.ref,
      auth.deadline,
      auth.v,
      auth.r,
      auth.s,
    ]);
    try {
      // The writer estimates gas first: a revert (short balance, reference used) is known before anything is broadcast.
      const sent = await this.writer.send({ to: this.address, data });
      const receipt = await sent.wait(1, receiptTimeoutMs || undefined);
      if (!receipt) throw new Error(`no receipt for transfer ${sent.hash}`);
      return {
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        from: sender.address,
        to,
        amount,
        alreadySent: false,
      };
    } catch (e) {
      // A racing broadcast of the same reference may have won: that earlier transfer is the transfer.
      const found = await this.findTransfer(reference);
      if (found) return this.sameTransfer(found, sender.address, to, amount, reference);
      const reason = await this.transferRevertReason(e, data);
      if (reason === 'ReferenceAlreadyUsed') {
        const pending = await this.pendingTransfer(reference, receiptTimeoutMs);
        return this.sameTransfer(pending, sender.address, to, amount, reference);
      }
      if (reason === 'ERC20InsufficientBalance') throw new BridgeError('InsufficientTxtc', 'not enough TXTC');
      if (reason) throw new TransferRejectedError(reason);
      throw e;
    }
  }

  /**
   * The node says the reference is used but no mined transfer shows it: either a racing broadcast is still
   * pending (blocks are not instant; wait for it) or a mint used the reference (a conflict, rejected).
   */
  private async pendingTransfer(reference: string, timeoutMs: number): Promise<TransferReceipt> {
    const until = Date.now() + (timeoutMs || DEFAULT_PENDING_WAIT_MS);
    while (!(await this.referenceUsed(reference))) {
      if (Date.now() >= until) throw new Error(`transfer ${reference}: a pending transaction holds the reference`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const mined = await this.findTransfer(reference);
    if (!mined) throw new TransferRejectedError(`reference ${reference} was used by something other than a transfer`);
    return mined;
  }

  /** The revert's error name; a transaction that reverted on chain carries none, so it is replayed once to learn it. */
  private async transferRevertReason(e: unknown, data: string): Promise<string | undefined> {
    const reason = this.revertReason(e);
    if (!(e as { receipt?: unknown }).receipt || !this.writer) return reason;
    try {
      await this.provider.call({ from: this.writer.address, to: this.address, data });
      return reason;
    } catch (replayed) {
      return this.revertReason(replayed) ?? reason;
    }
  }

  private sameTransfer(
    transfer: TransferReceipt,
    from: string,
    to: string,
    amount: bigint,
    reference: string,
  ): TransferReceipt {
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    if (!same(transfer.from, from) || !same(transfer.to, to) || transfer.amount !== amount) {
      throw new TransferRejectedError(
        `reference ${reference} already transferred a different amount, sender or receiver`,
      );
    }
    return transfer;
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
