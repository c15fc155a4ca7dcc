import { createPool, withTransaction } from '../../lib/db/pool';
import { readStack } from '../support/stack-file';

test('Postgres closing an idle pooled connection (a restart, a failover) does not crash the process; the pool goes on', async () => {
  const { databaseUrl } = readStack();
  const pool = createPool(`${databaseUrl}?application_name=txtc-idle-probe`, 2);
  const admin = createPool(databaseUrl, 1);
  const crashes: unknown[] = [];
  const onUncaught = (e: unknown) => crashes.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    await pool.query('SELECT 1'); // leaves an idle connection in the pool
    const { rowCount } = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'txtc-idle-probe' AND state = 'idle'",
    );
    expect(rowCount).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(crashes).toEqual([]);
    const { rows } = await pool.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows[0]?.ok).toBe(1);
  } finally {
    process.off('uncaughtException', onUncaught);
    await pool.end();
    await admin.end();
  }
});

test('a connection closed in the middle of a transaction (between its queries) fails that transaction, not the process', async () => {
  const { databaseUrl } = readStack();
  const pool = createPool(`${databaseUrl}?application_name=txtc-tx-probe`, 2);
  const admin = createPool(databaseUrl, 1);
  const crashes: unknown[] = [];
  const onUncaught = (e: unknown) => crashes.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    const inFlight = withTransaction(pool, async (client) => {
      await client.query('SELECT 1');
      // Between two queries (as while a PIN's scrypt runs inside a transaction), the server ends the connection.
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'txtc-tx-probe'",
      );
      await new Promise((r) => setTimeout(r, 300));
      await client.query('SELECT 2');
    });
    await expect(inFlight).rejects.toThrow();
    expect(crashes).toEqual([]);
    const { rows } = await pool.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows[0]?.ok).toBe(1);
  } finally {
    process.off('uncaughtException', onUncaught);
    await pool.end();
    await admin.end();
  }
});

test('a connection the server ends while it is checked out and idle, outside any transaction, does not crash the process', async () => {
  // The chaos run's worker crash ("Unhandled 'error' event", 57P01 at a Postgres restart): a connection held
  // by nobody's listener when the server ended it. Every connection now listens for its whole life.
  const { databaseUrl } = readStack();
  const pool = createPool(`${databaseUrl}?application_name=txtc-held-probe`, 2);
  const admin = createPool(databaseUrl, 1);
  const crashes: unknown[] = [];
  const onUncaught = (e: unknown) => crashes.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    const held = await pool.connect();
    await held.query('SELECT 1');
    const { rowCount } = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'txtc-held-probe'",
    );
    expect(rowCount).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(crashes).toEqual([]);
    await expect(held.query('SELECT 2')).rejects.toThrow();
    held.release();
    const { rows } = await pool.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows[0]?.ok).toBe(1);
  } finally {
    process.off('uncaughtException', onUncaught);
    await pool.end();
    await admin.end();
  }
});
