/**
 * The daily limit's one lock and one sum per phone number, shared by every flow that moves a number's
 * money (conversions, transfers and swaps). Called inside the transaction that
 * records the new movement, so concurrent requests of one number each see the others.
 */
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from './pool';
import { fraudFacts, type FraudSubject } from './fraud';
import type { FraudFacts } from '../fraud/rules';
import type { MoneyRequest } from '../definitions';

/** Serialises the recording of one number's money movements until the transaction ends. */
export async function lockNumber(client: PoolClient, phoneNumber: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('money-movements:' || $1))", [phoneNumber]);
}

/**
 * USD value (micro-dollars) of the number's money movements in the last 24 hours that did not fail, but
 * `excludeId`: its conversions, the transfers it sent and its swaps. A hybrid's conversion leg counts only through its
 * transfer (one movement of value, counted once), unless the transfer failed after the leg bought TXTC.
 */
export async function usedTodayUsdMicros(client: PoolClient, phoneNumber: string, excludeId: string): Promise<bigint> {
  const { rows } = await client.query<{ total: string }>(
    `SELECT COALESCE(SUM(usd_micros), 0)::text AS total FROM (
       SELECT c.usd_micros FROM airtime_transactions c
       WHERE c.phone_number = $1 AND c.id <> $2 AND c.status <> 'failed' AND c.created_at > now() - interval '24 hours'
         AND (c.parent_transfer_id IS NULL
              OR EXISTS (SELECT 1 FROM p2p_transfers p WHERE p.id = c.parent_transfer_id AND p.status = 'failed'))
       UNION ALL
       SELECT t.usd_micros FROM p2p_transfers t
       WHERE t.from_phone = $1 AND t.id <> $2 AND t.status <> 'failed' AND t.created_at > now() - interval '24 hours'
       UNION ALL
       SELECT s.usd_micros FROM txtc_swaps s
       WHERE s.phone_number = $1 AND s.id <> $2 AND s.status <> 'failed' AND s.created_at > now() - interval '24 hours'
       UNION ALL
       SELECT v.redeemed_usd_micros FROM vouchers v
       WHERE v.redeemed_by = $1 AND v.redeemed_usd_micros IS NOT NULL AND v.mint_failure IS NULL AND v.revoked_at IS NULL
         AND v.redeemed_at > now() - interval '24 hours'
     ) movements`,
    [phoneNumber, excludeId],
  );
  return BigInt(rows[0]!.total);
}

/** What recording a movement answers: the quote as first recorded, and what its checks read. */
export interface RecordedMovement<Q> {
  quote: Q;
  /** the number's other movements in the last 24 hours */
  usedTodayUsdMicros: bigint;
  /** with a screen: the fraud rules' facts (lib/fraud/rules.ts) */
  fraud?: FraudFacts;
}

/** How far back the fraud screen counts a number's movements (the rules' velocity window). */
export interface Screen {
  velocityWindowMinutes: number;
}

/**
 * Where a movement being recorded came from: its channel, the API key that asked for it (if any), and the
 * fraud screen to read beside it (none for a hybrid transfer's conversion leg: its transfer was screened).
 */
export interface Recording extends Pick<MoneyRequest, 'channel' | 'apiKeyId'> {
  screen?: Screen;
}

/**
 * Records a movement under its number's lock and reads what its checks need in the same transaction, so
 * concurrent requests of one number each see the others. `record` writes the row (a repeat changes nothing)
 * and returns the quote as first recorded: a retried attempt may have quoted again at a newer rate.
 */
export async function recordMovement<Q extends { usdMicros: bigint }>(
  pool: Pool,
  subject: Omit<FraudSubject, 'usdMicros' | 'velocityWindowMinutes'>,
  screen: Screen | undefined,
  record: (client: PoolClient) => Promise<Q>,
): Promise<RecordedMovement<Q>> {
  return withTransaction(pool, async (client) => {
    await lockNumber(client, subject.fromPhone);
    const quote = await record(client);
    const used = await usedTodayUsdMicros(client, subject.fromPhone, subject.id);
    if (!screen) return { usedTodayUsdMicros: used, quote };
    const { velocityWindowMinutes } = screen;
    const fraud = await fraudFacts(client, { ...subject, usdMicros: quote.usdMicros, velocityWindowMinutes });
    return { usedTodayUsdMicros: used, quote, fraud };
  });
}
