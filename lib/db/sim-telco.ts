/**
 * The simulated operator's own tables (sim_telco_accounts, sim_telco_operations, sim_telco_sms): its
 * accounts, its operation log keyed by the caller's reference, and the SMS it "delivered".
 */
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from './pool';

export type SimKind = 'debit' | 'credit' | 'topup' | 'transfer';

export interface SimOperation {
  reference: string;
  phoneNumber: string;
  kind: SimKind;
  amountMinor: bigint;
  status: 'committed' | 'rejected';
  reason: string | null;
  balanceAfter: bigint | null;
  /** transfers: the receiver and their balance after it */
  counterparty: string | null;
  counterpartyBalanceAfter: bigint | null;
}

const OPERATION_COLUMNS =
  'reference, phone_number, kind, amount_minor::text, status, reason, balance_after::text, counterparty, counterparty_balance_after::text';

interface OperationRow {
  reference: string;
  phone_number: string;
  kind: SimKind;
  amount_minor: string;
  status: 'committed' | 'rejected';
  reason: string | null;
  balance_after: string | null;
  counterparty: string | null;
  counterparty_balance_after: string | null;
}

const toOperation = (r: OperationRow): SimOperation => ({
  reference: r.reference,
  phoneNumber: r.phone_number,
  kind: r.kind,
  amountMinor: BigInt(r.amount_minor),
  status: r.status,
  reason: r.reason,
  balanceAfter: r.balance_after === null ? null : BigInt(r.balance_after),
  counterparty: r.counterparty,
  counterpartyBalanceAfter: r.counterparty_balance_after === null ? null : BigInt(r.counterparty_balance_after),
});

/** Opens the number's account at zero when it has none, then locks it; its balance, or undefined if not served. */
async function lockAccount(client: PoolClient, phoneNumber: string, operator: string): Promise<bigint | undefined> {
  await client.query(
    `INSERT INTO sim_telco_accounts (phone_number, operator, currency, balance_minor)
     SELECT $1, operator, currency, 0 FROM operator_rates WHERE operator = $2
     ON CONFLICT (phone_number) DO NOTHING`,
    [phoneNumber, operator],
  );
  const { rows } = await client.query<{ balance_minor: string }>(
    'SELECT balance_minor::text FROM sim_telco_accounts WHERE phone_number = $1 FOR UPDATE',
    [phoneNumber],
  );
  return rows[0] && BigInt(rows[0].balance_minor);
}

async function setBalance(client: PoolClient, phoneNumber: string, balance: bigint): Promise<void> {
  await client.query('UPDATE sim_telco_accounts SET balance_minor = $2, updated_at = now() WHERE phone_number = $1', [
    phoneNumber,
    balance.toString(),
  ]);
}

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
        const balance = await lockAccount(client, m.phoneNumber, m.operator);
        if (balance === undefined) throw new RangeError(`operator ${m.operator} is not served`);
        const seen = await findOperation(client, m.reference);
        if (seen) return { operation: seen, seen: true };
        const after = kind === 'debit' ? balance - m.amountMinor : balance + m.amountMinor;
        const rejected = after < 0n;
        if (!rejected) await setBalance(client, m.phoneNumber, after);
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

    /**
     * Moves airtime from one subscriber to another of the same operator in one step, once per reference;
     * both accounts are locked in a fixed order so two opposite transfers cannot deadlock.
     */
    async applyTransfer(t: {
      fromPhone: string;
      toPhone: string;
      operator: string;
      amountMinor: bigint;
      reference: string;
    }): Promise<{ operation: SimOperation; seen: boolean }> {
      return withTransaction(pool, async (client) => {
        const balances = new Map<string, bigint | undefined>();
        for (const phone of [t.fromPhone, t.toPhone].sort())
          balances.set(phone, await lockAccount(client, phone, t.operator));
        const from = balances.get(t.fromPhone);
        const to = balances.get(t.toPhone);
        if (from === undefined || to === undefined) throw new RangeError(`operator ${t.operator} is not served`);
        const seen = await findOperation(client, t.reference);
        if (seen) return { operation: seen, seen: true };
        const rejected = from < t.amountMinor;
        if (!rejected) {
          await setBalance(client, t.fromPhone, from - t.amountMinor);
          await setBalance(client, t.toPhone, to + t.amountMinor);
        }
        const { rows } = await client.query<OperationRow>(
          `INSERT INTO sim_telco_operations (reference, phone_number, kind, amount_minor, status, reason, balance_after,
             counterparty, counterparty_balance_after)
           VALUES ($1, $2, 'transfer', $3, $4, $5, $6, $7, $8) RETURNING ${OPERATION_COLUMNS}`,
          [
            t.reference,
            t.fromPhone,
            t.amountMinor.toString(),
            rejected ? 'rejected' : 'committed',
            rejected ? 'InsufficientAirtime' : null,
            (rejected ? from : from - t.amountMinor).toString(),
            t.toPhone,
            (rejected ? to : to + t.amountMinor).toString(),
          ],
        );
        return { operation: toOperation(rows[0]!), seen: false };
      });
    },

    /** Keeps an SMS once per reference; its outbox id (the first one's, for a repeated reference). */
    async recordSms(phoneNumber: string, message: string, reference: string): Promise<string> {
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO sim_telco_sms (phone_number, message, reference) VALUES ($1, $2, $3)
         ON CONFLICT (reference) DO NOTHING RETURNING id::text`,
        [phoneNumber, message, reference],
      );
      if (rows[0]) return rows[0].id;
      const seen = await pool.query<{ id: string }>('SELECT id::text FROM sim_telco_sms WHERE reference = $1', [
        reference,
      ]);
      return seen.rows[0]!.id;
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
