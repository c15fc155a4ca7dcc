/** tenant_approvals: which tenants a number let read its balance and history (by approving one of their debits). */
import type { Pool } from 'pg';

export function createTenantApprovalRepo(pool: Pool) {
  return {
    /** The number approved a debit the tenant asked for: the tenant may read it (again, if it was revoked). */
    async approve(phoneNumber: string, tenant: string): Promise<void> {
      await pool.query(
        `INSERT INTO tenant_approvals (phone_number, tenant) VALUES ($1, $2)
         ON CONFLICT (phone_number, tenant) DO UPDATE SET approved_at = now(), revoked_at = NULL`,
        [phoneNumber, tenant],
      );
    },

    /** SMS STOP <tenant> or USSD My account: the tenant reads the number no more; false when it had no approval to revoke. */
    async revoke(phoneNumber: string, tenant: string): Promise<boolean> {
      const { rowCount } = await pool.query(
        'UPDATE tenant_approvals SET revoked_at = now() WHERE phone_number = $1 AND tenant = $2 AND revoked_at IS NULL',
        [phoneNumber, tenant],
      );
      return rowCount === 1;
    },

    /** The tenants that read the number now, oldest approval first (USSD My account lists them to stop). */
    async list(phoneNumber: string): Promise<string[]> {
      const { rows } = await pool.query<{ tenant: string }>(
        `SELECT tenant FROM tenant_approvals WHERE phone_number = $1 AND revoked_at IS NULL
         ORDER BY approved_at, tenant`,
        [phoneNumber],
      );
      return rows.map((r) => r.tenant);
    },

    async approved(phoneNumber: string, tenant: string): Promise<boolean> {
      const { rows } = await pool.query(
        'SELECT 1 FROM tenant_approvals WHERE phone_number = $1 AND tenant = $2 AND revoked_at IS NULL',
        [phoneNumber, tenant],
      );
      return rows.length > 0;
    },
  };
}

export type TenantApprovalRepo = ReturnType<typeof createTenantApprovalRepo>;
