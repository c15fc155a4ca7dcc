/**
 * The daily limit's one lock and one sum per phone number, shared by every flow that moves a number's
 * money (conversions today; transfers use the same two calls). Called inside the transaction that
 * records the new movement, so concurrent requests of one number each see the others.
 */
import type { PoolClient } from 'pg';

/** Serialises the recording of one number's money movements until the transaction ends. */
export async function lockNumber(client: PoolClient, phoneNumber: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('money-movements:' || $1))", [phoneNumber]);
}

/** USD value (micro-dollars) of the number's movements in the last 24 hours that did not fail, but `excludeId`. */
export async function usedTodayUsdMicros(client: PoolClient, phoneNumber: string, excludeId: string): Promise<bigint> {
  const { rows } = await client.query<{ total: string }>(
    `SELECT COALESCE(SUM(usd_micros), 0)::text AS total FROM airtime_transactions
     WHERE phone_number = $1 AND id <> $2 AND status <> 'failed' AND created_at > now() - interval '24 hours'`,
    [phoneNumber, excludeId],
  );
  return BigInt(rows[0]!.total);
}
