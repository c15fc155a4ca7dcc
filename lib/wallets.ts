/**
 * Custodial wallets: one per phone number, the address derived from the master seed at an HD index
 * stored in Postgres (lib/db/wallets.ts). Only the index and the address are stored; no private key is
 * stored, logged or returned. `signerFor` derives a key in memory when the platform relays a transfer
 * the wallet's own key authorised.
 */
import { HDNodeWallet, Mnemonic } from 'ethers';
import type { WalletRepo } from './db/wallets';

/** m/44'/60'/1'/0/i: account 1, kept apart from account 0 that development tools fund. */
const WALLET_PATH = "m/44'/60'/1'/0";
/** m/44'/60'/2'/0/0: the treasury, where swapped TXTC goes (and from where a failed swap's TXTC returns). */
const TREASURY_PATH = "m/44'/60'/2'/0/0";

export class WalletDirectory {
  private root: HDNodeWallet | undefined;
  private treasuryNode: HDNodeWallet | undefined;

  constructor(
    private readonly repo: WalletRepo,
    private readonly mnemonic: string,
  ) {}

  /** Derived on first use: a process that only looks wallets up (the API) never derives from the seed. */
  private node(index: number): HDNodeWallet {
    this.root ??= HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(this.mnemonic.trim()), WALLET_PATH);
    return this.root.deriveChild(index);
  }

  addressAt(index: number): string {
    return this.node(index).address;
  }

  async find(phoneNumber: string): Promise<string | undefined> {
    return (await this.repo.find(phoneNumber))?.address;
  }

  /** The number's wallet, created on first use; concurrent callers get the same one. */
  async ensure(phoneNumber: string): Promise<string> {
    const existing = await this.repo.find(phoneNumber);
    if (existing) return existing.address;
    const index = await this.repo.nextIndex();
    await this.repo.insert(phoneNumber, index, this.addressAt(index));
    return (await this.repo.find(phoneNumber))!.address;
  }

  /** The treasury's wallet: its address receives swapped TXTC; its key authorises a failed swap's return. */
  treasury(): HDNodeWallet {
    this.treasuryNode ??= HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(this.mnemonic.trim()), TREASURY_PATH);
    return this.treasuryNode;
  }

  /** The wallet's signing key, derived in memory for one signature; undefined when the number has none. */
  async signerFor(phoneNumber: string): Promise<HDNodeWallet | undefined> {
    const found = await this.repo.find(phoneNumber);
    return found && this.node(found.hdIndex);
  }
}
