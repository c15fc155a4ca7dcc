/**
 * Custodial wallets: one per phone number, the address derived from the master seed at an HD index
 * stored in Postgres. Only the index and the address are stored; no private key is stored, logged or
 * returned (keys are derived when a later feature signs for a wallet).
 */
import { HDNodeWallet, Mnemonic } from 'ethers';
import type { Pool } from 'pg';

/** m/44'/60'/1'/0/i: account 1, kept apart from account 0 that development tools fund. */
const WALLET_PATH = "m/44'/60'/1'/0";

export class WalletDirectory {
  private root: HDNodeWallet | undefined;

  constructor(private readonly pool: Pool, private readonly mnemonic: string) {}

  /** Derived on first use: a process that only looks wallets up (the API) never derives from the seed. */
  addressAt(index: number): string {
    this.root ??= HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(this.mnemonic.trim()), WALLET_PATH);
    return this.root.deriveChild(index).address;
  }

  async find(phoneNumber: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ address: string }>('SELECT address FROM wallets WHERE phone_number = $1', [phoneNumber]);
    return rows[0]?.address;
  }

  /** The number's wallet, created on first use; concurrent callers get the same one. */
  async ensure(phoneNumber: string): Promise<string> {
    const existing = await this.find(phoneNumber);
    if (existing) return existing;
    const { rows } = await this.pool.query<{ index: number }>("SELECT nextval('wallet_hd_index')::int AS index");
    const index = rows[0]!.index;
    await this.pool.query(
      'INSERT INTO wallets (phone_number, hd_index, address) VALUES ($1, $2, $3) ON CONFLICT (phone_number) DO NOTHING',
      [phoneNumber, index, this.addressAt(index)],
    );
    return (await this.find(phoneNumber))!;
  }
}
