/** The wallets table: a number's custodial address and its HD index (never a key). */
import type { Pool } from 'pg';

export function createWalletRepo(pool: Pool) {
  return {
    async find(phoneNumber: string): Promise<{ address: string; hdIndex: number } | undefined> {
      const { rows } = await pool.query<{ address: string; hd_index: number }>(
        'SELECT address, hd_index FROM wallets WHERE phone_number = $1',
        [phoneNumber],
      );
      return rows[0] && { address: rows[0].address, hdIndex: rows[0].hd_index };
    },

    async nextIndex(): Promise<number> {
      const { rows } = await pool.query<{ index: number }>("SELECT nextval('wallet_hd_index')::int AS index");
      return rows[0]!.index;
    },

    /** Inserts unless the number already has one (a concurrent caller won); the caller reads it back. */
    async insert(phoneNumber: string, hdIndex: number, address: string): Promise<void> {
      await pool.query(
        'INSERT INTO wallets (phone_number, hd_index, address) VALUES ($1, $2, $3) ON CONFLICT (phone_number) DO NOTHING',
        [phoneNumber, hdIndex, address],
      );
    },
  };
}

export type WalletRepo = ReturnType<typeof createWalletRepo>;
