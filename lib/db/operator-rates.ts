/** The operator_rates table: what each served operator's airtime is worth. */
import type { Pool } from 'pg';
import type { OperatorRate } from '../money/conversion';
import { readRow, type RowOf } from './rows';

export function createOperatorRateRepo(pool: Pool) {
  return {
    async all(): Promise<OperatorRate[]> {
      const { rows } = await pool.query<RowOf<OperatorRate>>(
        'SELECT operator, currency, minor_digits, minor_units_per_usd, operator_fee_bps::text FROM operator_rates',
      );
      return rows.map((r) => readRow(r, ['minor_units_per_usd', 'operator_fee_bps']));
    },
  };
}
