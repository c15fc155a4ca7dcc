/**
 * The simulated operator's own tables (sim_telco_accounts, sim_telco_operations, sim_telco_sms): its
 * accounts, its operation log keyed by the caller's reference, and the SMS it "delivered".
 */
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from './pool';

export type SimKind = 'debit' | 'credit' | 'topup';

export interface SimOperation {
  reference: string;
  phoneNumber: string;
  kind: SimKind;
  amountMinor: bigint;
  status: 'committed' | 'rejected';
  reason: string | null;
  balanceAfter: bigint | null;
}

const OPERATION_COLUMNS = 'reference, phone_number, kind, amount_minor::text, status, reason, balance_after::text';

interface OperationRow {
  reference: string;
  phone_number: string;
  kind: SimKind;
  amount_minor: string;
  status: 'committed' | 'rejected';
  reason: string | null;
  balance_after: string | null;
}

const toOperation = (r: OperationRow): SimOperation => ({
  reference: r.reference,
  phoneNumber: r.phone_number,
  kind: r.kind,
  amountMinor: BigInt(r.amount_minor),
  status: r.status,
  reason: r.reason,
  balanceAfter: r.balance_after === null ? null : BigInt(r.balance_after),
});

async function findOperation(db: Pool | PoolClient, reference: string): Promise<SimOperation | undefined> {
  const { rows } = await db.query<OperationRow>(
    `SELECT ${OPERATION_COLUMNS} FROM sim_telco_operations WHERE reference = $1`,
    [reference],
  );
  return rows[0] && toOperation(rows[0]);
}

export function createSimTelcoRepo(pool: Pool) {
  return {
    /** A number's balance and currency; a number nobody topped up has nothing (a read opens no account). */
    async balance(
      phoneNumber: string,
      operator: string,
    ): Promise<{ currency: string; balanceMinor: bigint } | undefined> {
      const { rows } = await pool.query<{ currency: string; balance_minor: string }>(
        `SELECT COALESCE(a.currency, r.currency) AS currency, COALESCE(a.balance_minor, 0)::text AS balance_minor
         FROM operator_rates r LEFT JOIN sim_telco_accounts a ON a.phone_number = $1 WHERE r.operator = $2`,
        [phoneNumber, operator],
      );
      return rows[0] && { currency: rows[0].currency, balanceMinor: BigInt(rows[0].balance_minor) };
    },

    findOperation: (reference: string) => findOperation(pool, reference),

    /**
     * Applies a movement once per reference, atomically: the account lock serialises one number's
     * movements, so the reference is checked and applied in one step. `seen` is the earlier operation of
     * the reference, when there was one (nothing is applied then).
     */
    async apply(
      kind: SimKind,
      m: { phoneNumber: string; operator: string; amountMinor: bigint; reference: string },
    ): Promise<{ operation: SimOperation; seen: boolean }> {
      return withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO sim_telco_accounts (phone_number, operator, currency, balance_minor)
           SELECT $1, operator, currency, 0 FROM operator_rates WHERE operator = $2
           ON CONFLICT (phone_number) DO NOTHING`,
          [m.phoneNumber, m.operator],
        );
        const account = (
          await client.query<{ balance_minor: string }>(
            'SELECT balance_minor::text FROM sim_telco_accounts WHERE phone_number = $1 FOR UPDATE',
            [m.phoneNumber],
          )
        ).rows[0];
        if (!account) throw new RangeError(`operator ${m.operator} is not served`);
        const seen = await findOperation(client, m.reference);
        if (seen) return { operation: seen, seen: true };
        const balance = BigInt(account.balance_minor);
        const after = kind === 'debit' ? balance - m.amountMinor : balance + m.amountMinor;
        const rejected = after < 0n;
        if (!rejected) {
          await client.query(
            'UPDATE sim_telco_accounts SET balance_minor = $2, updated_at = now() WHERE phone_number = $1',
            [m.phoneNumber, after.toString()],
          );
        }
        const { rows } = await client.query<OperationRow>(
          `INSERT INTO sim_telco_operations (reference, phone_number, kind, amount_minor, status, reason, balance_after)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${OPERATION_COLUMNS}`,
          [
            m.reference,
            m.phoneNumber,
            kind,
            m.amountMinor.toString(),
            rejected ? 'rejected' : 'committed',
            rejected ? 'InsufficientAirtime' : null,
            (rejected ? balance : after).toString(),
          ],
        );
        return { operation: toOperation(rows[0]!), seen: false };
      });
    },

    async recordSms(phoneNumber: string, message: string, reference: string): Promise<void> {
      await pool.query(
        'INSERT INTO sim_telco_sms (phone_number, message, reference) VALUES ($1, $2, $3) ON CONFLICT (reference) DO NOTHING',
        [phoneNumber, message, reference],
      );
    },

    /** An account with a starting balance unless the number has one already. */
    async seedAccount(phoneNumber: string, operator: string, currency: string, balanceMinor: bigint): Promise<void> {
      await pool.query(
        `INSERT INTO sim_telco_accounts (phone_number, operator, currency, balance_minor) VALUES ($1, $2, $3, $4)
         ON CONFLICT (phone_number) DO NOTHING`,
        [phoneNumber, operator, currency, balanceMinor.toString()],
      );
    },
  };
}

export type SimTelcoRepo = ReturnType<typeof createSimTelcoRepo>;
