/** ops_alerts and oncall_sms: the alerts Alertmanager delivered, and the SMS each on-call number got. */
import type { Pool } from 'pg';
import { withTransaction } from './pool';

export interface OpsAlert {
  fingerprint: string;
  alertname: string;
  severity: string;
  status: 'firing' | 'resolved';
  summary: string;
  labels: Record<string, string>;
  startsAt?: string;
}

export function createOpsAlertRepo(pool: Pool) {
  return {
    /**
     * Keeps the alert's latest state; true when the on-call numbers have not been told of this status yet
     * (and from now they have): Alertmanager's repeats of one state notify once.
     */
    async record(alert: OpsAlert): Promise<boolean> {
      return withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO ops_alerts (fingerprint, alertname, severity, status, summary, labels, starts_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (fingerprint) DO UPDATE SET status = EXCLUDED.status, summary = EXCLUDED.summary,
             labels = EXCLUDED.labels, starts_at = EXCLUDED.starts_at, updated_at = now()`,
          [
            alert.fingerprint,
            alert.alertname,
            alert.severity,
            alert.status,
            alert.summary,
            JSON.stringify(alert.labels),
            alert.startsAt ?? null,
          ],
        );
        const { rowCount } = await client.query(
          `UPDATE ops_alerts SET notified_status = status
           WHERE fingerprint = $1 AND notified_status IS DISTINCT FROM status`,
          [alert.fingerprint],
        );
        return rowCount === 1;
      });
    },

    /** The number may get another alert SMS this hour: counts it and returns its id (undefined: capped). */
    async takeSmsSlot(
      phoneNumber: string,
      fingerprint: string,
      status: string,
      perHour: number,
    ): Promise<string | undefined> {
      return withTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('oncall-sms:' || $1))", [phoneNumber]);
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM oncall_sms WHERE phone_number = $1 AND sent_at > now() - interval '1 hour'",
          [phoneNumber],
        );
        if (Number(rows[0]?.n ?? 0) >= perHour) return undefined;
        const inserted = await client.query<{ id: string }>(
          'INSERT INTO oncall_sms (phone_number, fingerprint, status) VALUES ($1, $2, $3) RETURNING id::text',
          [phoneNumber, fingerprint, status],
        );
        return inserted.rows[0]!.id;
      });
    },

    /** What is firing now, newest first (the console's list). */
    async firing(): Promise<OpsAlert[]> {
      const { rows } = await pool.query<{
        fingerprint: string;
        alertname: string;
        severity: string;
        status: 'firing';
        summary: string;
        labels: Record<string, string>;
        starts_at: Date | null;
      }>(
        `SELECT fingerprint, alertname, severity, status, summary, labels, starts_at FROM ops_alerts
         WHERE status = 'firing' ORDER BY updated_at DESC`,
      );
      return rows.map((r) => ({
        fingerprint: r.fingerprint,
        alertname: r.alertname,
        severity: r.severity,
        status: r.status,
        summary: r.summary,
        labels: r.labels,
        ...(r.starts_at ? { startsAt: r.starts_at.toISOString() } : {}),
      }));
    },
  };
}

export type OpsAlertRepo = ReturnType<typeof createOpsAlertRepo>;
