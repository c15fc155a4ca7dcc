/**
 * The simulated operator: a first-class telco adapter with its own persisted accounts (sim_telco_*
 * tables), idempotent on the caller's reference, with failure injection for development and tests:
 * added latency, an error rate (fails before committing) and "timed out after committing", the
 * ambiguous case real operators produce.
 */
import type { Pool, PoolClient } from 'pg';
import {
  TelcoReferenceConflictError,
  TelcoTimeoutError,
  TelcoUnavailableError,
  type AirtimeBalance,
  type AirtimeMovement,
  type TelcoOperator,
  type TelcoResult,
} from './types';

export interface SimulatedFaults {
  latencyMs: number;
  /** share of debits/credits failing before they commit */
  errorRate: number;
  /** share of debits/credits that commit and then time out */
  timeoutAfterCommitRate: number;
}

/** Demo numbers seeded in local mode (README lists them); balances in minor units. */
export const DEMO_ACCOUNTS: { phoneNumber: string; operator: string; currency: string; balanceMinor: bigint }[] = [
  { phoneNumber: '+254712345678', operator: 'safaricom-ke', currency: 'KES', balanceMinor: 500000n },
  { phoneNumber: '+254733123456', operator: 'airtel-ke', currency: 'KES', balanceMinor: 200000n },
  { phoneNumber: '+254798765432', operator: 'safaricom-ke', currency: 'KES', balanceMinor: 100000n },
  { phoneNumber: '+256772123456', operator: 'mtn-ug', currency: 'UGX', balanceMinor: 200000n },
  { phoneNumber: '+233241234567', operator: 'mtn-gh', currency: 'GHS', balanceMinor: 50000n },
  { phoneNumber: '+2348031234567', operator: 'mtn-ng', currency: 'NGN', balanceMinor: 5000000n },
];

interface OperationRow {
  reference: string;
  phone_number: string;
  kind: string;
  amount_minor: string;
  status: 'committed' | 'rejected';
  reason: string | null;
  balance_after: string | null;
}

const toResult = (row: OperationRow): TelcoResult => ({
  reference: row.reference,
  status: row.status,
  ...(row.reason ? { reason: row.reason } : {}),
  ...(row.balance_after !== null ? { balanceAfterMinor: BigInt(row.balance_after) } : {}),
});

export class SimulatedOperator implements TelcoOperator {
  readonly name = 'simulated';

  constructor(
    private readonly pool: Pool,
    private readonly faults: SimulatedFaults = { latencyMs: 0, errorRate: 0, timeoutAfterCommitRate: 0 },
    private readonly random: () => number = Math.random,
  ) {}

  async checkBalance(phoneNumber: string, operator: string): Promise<AirtimeBalance> {
    await this.delay();
    // A read opens no account: a number nobody topped up simply has nothing.
    const { rows } = await this.pool.query<{ currency: string; balance_minor: string }>(
      `SELECT COALESCE(a.currency, r.currency) AS currency, COALESCE(a.balance_minor, 0)::text AS balance_minor
       FROM operator_rates r LEFT JOIN sim_telco_accounts a ON a.phone_number = $1 WHERE r.operator = $2`,
      [phoneNumber, operator],
    );
    if (!rows[0]) throw new RangeError(`operator ${operator} is not served`);
    return { phoneNumber, operator, currency: rows[0].currency, balanceMinor: BigInt(rows[0].balance_minor) };
  }

  debit(movement: AirtimeMovement): Promise<TelcoResult> {
    return this.move('debit', movement);
  }

  credit(movement: AirtimeMovement): Promise<TelcoResult> {
    return this.move('credit', movement);
  }

  async status(reference: string): Promise<TelcoResult | undefined> {
    await this.delay();
    const { rows } = await this.pool.query<OperationRow>('SELECT * FROM sim_telco_operations WHERE reference = $1', [reference]);
    return rows[0] ? toResult(rows[0]) : undefined;
  }

  async sendSms(phoneNumber: string, message: string, reference: string): Promise<void> {
    await this.delay();
    await this.pool.query(
      'INSERT INTO sim_telco_sms (phone_number, message, reference) VALUES ($1, $2, $3) ON CONFLICT (reference) DO NOTHING',
      [phoneNumber, message, reference],
    );
  }

  /** Development top-up (POST /dev/telco/topup); idempotent on its reference like everything else. */
  async topUp(phoneNumber: string, operator: string, amountMinor: bigint, reference: string): Promise<TelcoResult> {
    return this.apply('topup', { phoneNumber, operator, amountMinor, reference });
  }

  /** Seeds the demo numbers (local mode); an existing account keeps its balance. */
  async seedDemoAccounts(): Promise<void> {
    for (const a of DEMO_ACCOUNTS) {
      await this.pool.query(
        `INSERT INTO sim_telco_accounts (phone_number, operator, currency, balance_minor) VALUES ($1, $2, $3, $4)
         ON CONFLICT (phone_number) DO NOTHING`,
        [a.phoneNumber, a.operator, a.currency, a.balanceMinor.toString()],
      );
    }
  }

  private async move(kind: 'debit' | 'credit', movement: AirtimeMovement): Promise<TelcoResult> {
    await this.delay();
    if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) {
      throw new TelcoUnavailableError(`simulated operator unavailable (${kind} ${movement.reference} not applied)`);
    }
    const result = await this.apply(kind, movement);
    if (this.faults.timeoutAfterCommitRate > 0 && this.random() < this.faults.timeoutAfterCommitRate) {
      throw new TelcoTimeoutError(movement.reference);
    }
    return result;
  }

  private async apply(kind: 'debit' | 'credit' | 'topup', m: AirtimeMovement): Promise<TelcoResult> {
    if (m.amountMinor <= 0n) throw new RangeError('amount must be positive');
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // The account lock serialises movements of one number, so a reference is checked and applied atomically.
      await this.ensureAccount(client, m.phoneNumber, m.operator);
      const account = (await client.query<{ balance_minor: string }>(
        'SELECT balance_minor FROM sim_telco_accounts WHERE phone_number = $1 FOR UPDATE', [m.phoneNumber],
      )).rows[0]!;
      const seen = (await client.query<OperationRow>('SELECT * FROM sim_telco_operations WHERE reference = $1', [m.reference])).rows[0];
      if (seen) {
        await client.query('ROLLBACK');
        if (seen.kind !== kind || seen.phone_number !== m.phoneNumber || BigInt(seen.amount_minor) !== m.amountMinor) {
          throw new TelcoReferenceConflictError(m.reference);
        }
        return toResult(seen);
      }
      const balance = BigInt(account.balance_minor);
      const after = kind === 'debit' ? balance - m.amountMinor : balance + m.amountMinor;
      const rejected = after < 0n;
      if (!rejected) {
        await client.query('UPDATE sim_telco_accounts SET balance_minor = $2, updated_at = now() WHERE phone_number = $1', [m.phoneNumber, after.toString()]);
      }
      const row = (await client.query<OperationRow>(
        `INSERT INTO sim_telco_operations (reference, phone_number, kind, amount_minor, status, reason, balance_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [m.reference, m.phoneNumber, kind, m.amountMinor.toString(), rejected ? 'rejected' : 'committed', rejected ? 'InsufficientAirtime' : null, (rejected ? balance : after).toString()],
      )).rows[0]!;
      await client.query('COMMIT');
      return toResult(row);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Every valid number of a served operator has an account; a new one starts at zero. */
  private async ensureAccount(db: Pool | PoolClient, phoneNumber: string, operator: string): Promise<{ currency: string; balance_minor: string }> {
    await db.query(
      `INSERT INTO sim_telco_accounts (phone_number, operator, currency, balance_minor)
       SELECT $1, operator, currency, 0 FROM operator_rates WHERE operator = $2
       ON CONFLICT (phone_number) DO NOTHING`,
      [phoneNumber, operator],
    );
    const { rows } = await db.query<{ currency: string; balance_minor: string }>(
      'SELECT currency, balance_minor FROM sim_telco_accounts WHERE phone_number = $1', [phoneNumber],
    );
    if (!rows[0]) throw new RangeError(`operator ${operator} is not served`);
    return rows[0];
  }

  private async delay(): Promise<void> {
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
  }
}
