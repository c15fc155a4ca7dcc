/** Chain activities: custodial wallets and the referenced TXTC mint (exactly once per reference). */
import { ApplicationFailure } from '@temporalio/activity';
import { ErrorTypes } from '../workflows/definitions';
import { MintRejectedError, type MintReceipt } from '../lib/chain/txtc';
import type { WalletDirectory } from '../lib/wallets';
import type { Logger } from '../lib/log';

/** What the activities need of TXTC (TxtcToken; tests may wrap one to inject node faults). */
export interface MintingToken {
  mintOnce(to: string, amount: bigint, reference: string, receiptTimeoutMs: number): Promise<MintReceipt>;
  findMint(reference: string): Promise<MintReceipt | undefined>;
}

export interface MintResult {
  txHash: string;
  blockNumber: number;
  alreadyMinted: boolean;
}

export function createChainActivities(deps: { token: MintingToken; wallets: WalletDirectory; receiptTimeoutMs: number; log: Logger }) {
  return {
    async ensureWallet(phoneNumber: string): Promise<string> {
      return deps.wallets.ensure(phoneNumber);
    },

    async mintTxtc(input: { to: string; amount: string; reference: string }): Promise<MintResult> {
      try {
        const mint = await deps.token.mintOnce(input.to, BigInt(input.amount), input.reference, deps.receiptTimeoutMs);
        deps.log.info({ reference: input.reference, txHash: mint.txHash, alreadyMinted: mint.alreadyMinted }, 'TXTC minted');
        return { txHash: mint.txHash, blockNumber: mint.blockNumber, alreadyMinted: mint.alreadyMinted };
      } catch (e) {
        if (e instanceof MintRejectedError) throw ApplicationFailure.nonRetryable(e.message, ErrorTypes.MintRejected);
        throw e;
      }
    },

    /** The mint of a reference, if one landed (checked before any refund). */
    async findMint(reference: string): Promise<MintResult | undefined> {
      const mint = await deps.token.findMint(reference);
      return mint && { txHash: mint.txHash, blockNumber: mint.blockNumber, alreadyMinted: true };
    },
  };
}

export type ChainActivities = ReturnType<typeof createChainActivities>;
