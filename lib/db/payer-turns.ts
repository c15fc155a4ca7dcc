/**
 * payer_turns: which movement holds a number's turn to move money. Taking is one statement (the row is the
 * lock), giving back deletes only the holder's own row, and taking over a stale turn names the stale holder,
 * so two waiters cannot both take it.
 */
import type { Pool } from 'pg';

export type TakeResult = { taken: true } | { taken: false; owner: string };

export function createPayerTurnRepo(pool: Pool) {
  return {
    /**
     * Takes the number's turn for `owner` (again, if it holds it already); else who holds it, and `owner` is
     * put in line (once) so the holder wakes it when it gives the turn back.
     */
    async take(phoneNumber: string, owner: string): Promise<TakeResult> {
      const { rows } = await pool.query<{ owner: string }>(
        `INSERT INTO payer_turns (phone_number, owner) VALUES ($1, $2)
         ON CONFLICT (phone_number) DO UPDATE SET owner = payer_turns.owner
         RETURNING owner`,
        [phoneNumber, owner],
      );
      const holder = rows[0]!.owner;
      if (holder === owner) {
        await pool.query('DELETE FROM payer_turn_waiters WHERE phone_number = $1 AND owner = $2', [phoneNumber, owner]);
        return { taken: true };
      }
      await pool.query('INSERT INTO payer_turn_waiters (phone_number, owner) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        phoneNumber,
        owner,
      ]);
      return { taken: false, owner: holder };
    },

    /** Takes the turn from `stale` (a holder no longer running); false when someone else got there first. */
    async takeOver(phoneNumber: string, stale: string, owner: string): Promise<boolean> {
      const { rowCount } = await pool.query(
        'UPDATE payer_turns SET owner = $3, taken_at = now() WHERE phone_number = $1 AND owner = $2',
        [phoneNumber, stale, owner],
      );
      return rowCount === 1;
    },

    /** Gives the turn back (and leaves the line); the oldest movement waiting for it, to be woken. */
    async give(phoneNumber: string, owner: string): Promise<string | undefined> {
      await pool.query('DELETE FROM payer_turns WHERE phone_number = $1 AND owner = $2', [phoneNumber, owner]);
      await pool.query('DELETE FROM payer_turn_waiters WHERE phone_number = $1 AND owner = $2', [phoneNumber, owner]);
      const { rows } = await pool.query<{ owner: string }>(
        'SELECT owner FROM payer_turn_waiters WHERE phone_number = $1 ORDER BY since, owner LIMIT 1',
        [phoneNumber],
      );
      return rows[0]?.owner;
    },
  };
}

export type PayerTurnRepo = ReturnType<typeof createPayerTurnRepo>;
