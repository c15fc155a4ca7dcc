/** The operator_rates table: what each served operator's airtime is worth. */
import type { Pool } from 'pg';
import type { OperatorRate } from '../money/conversion';

export function createOperatorRateRepo(pool: Pool) {
  return {
    async all(): Promise<OperatorRate[]> {
      const { rows } = await pool.query<{
        operator: string;
        currency: string;
        minor_digits: number;
        minor_units_per_usd: string;
        operator_fee_bps: number;
      }>('SELECT operator, currency, minor_digits, minor_units_per_usd, operator_fee_bps FROM operator_rates');
      return rows.map((r) => ({
        operator: r.operator,
        currency: r.currency,
        minorDigits: r.minor_digits,
        minorUnitsPerUsd: BigInt(r.minor_units_per_usd),
        operatorFeeBps: BigInt(r.operator_fee_bps),
      }));
    },
  };
}
