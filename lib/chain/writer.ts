/**
 * One writer per signer: every transaction that key signs goes through here, so nonces stay right under
 * concurrency. Sends are serialised (each send awaited, not each receipt); the nonce is tracked locally
 * and re-read from the node after any failed send, so a restarted node or an out-of-band transaction
 * from the same key is recovered from on the next write.
 */
import { Wallet, type JsonRpcProvider, type TransactionRequest, type TransactionResponse } from 'ethers';

export class ChainWriter {
  readonly address: string;
  private readonly wallet: Wallet;
  private nextNonce: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    privateKey: string,
    readonly provider: JsonRpcProvider,
  ) {
    this.wallet = new Wallet(privateKey, provider);
    this.address = this.wallet.address;
  }

  /** Signs and broadcasts one transaction with the next nonce; resolves once the node accepted it. */
  send(tx: TransactionRequest): Promise<TransactionResponse> {
    const result = this.queue.then(() => this.sendNow(tx));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Forget the local nonce; the next send reads it from the node. */
  resync(): void {
    this.nextNonce = undefined;
  }

  private async sendNow(tx: TransactionRequest, retried = false): Promise<TransactionResponse> {
    if (this.nextNonce === undefined) {
      this.nextNonce = await this.provider.getTransactionCount(this.address, 'pending');
    }
    try {
      const response = await this.wallet.sendTransaction({ ...tx, nonce: this.nextNonce });
      this.nextNonce += 1;
      return response;
    } catch (e) {
      this.resync();
      // Our nonce went stale (a restarted node, another process with the key): re-read it, send once more.
      if (!retried && isNonceError(e)) return this.sendNow(tx, true);
      throw e;
    }
  }
}

function isNonceError(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  const message = e instanceof Error ? e.message : String(e);
  return code === 'NONCE_EXPIRED' || /nonce (too low|too high|has already been used)|invalid nonce/i.test(message);
}
