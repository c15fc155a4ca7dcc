/** Chain activities: the referenced TXTC mint (exactly once per reference) and finding it again. */
import type { MintingToken } from '../lib/chain/txtc';
import type { Logger } from '../lib/log';

export interface MintResult {
  txHash: string;
  blockNumber: number;
  alreadyMinted: boolean;
}

export function createChainActivities(deps: { token: MintingToken; receiptTimeoutMs: number; log: Logger }) {
  return {
    async mintTxtc(input: { to: string; amount: string; reference: string }): Promise<MintResult> {
      const mint = await deps.token.mintOnce(input.to, BigInt(input.amount), input.reference, deps.receiptTimeoutMs);
      deps.log.info(
        { reference: input.reference, txHash: mint.txHash, alreadyMinted: mint.alreadyMinted },
        'TXTC minted',
      );
      return { txHash: mint.txHash, blockNumber: mint.blockNumber, alreadyMinted: mint.alreadyMinted };
    },

    /** The mint of a reference, if one landed (checked before any refund). */
    async findMint(reference: string): Promise<MintResult | undefined> {
      const mint = await deps.token.findMint(reference);
      return mint && { txHash: mint.txHash, blockNumber: mint.blockNumber, alreadyMinted: true };
    },
  };
}

export type ChainActivities = ReturnType<typeof createChainActivities>;
