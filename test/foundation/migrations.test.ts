import { createPool, dropDatabase, ensureDatabase, runMigrations } from '../../lib/db/pool';
import { readStack } from '../support/stack-file';

const url = `${readStack().databaseUrl}_migrations`;

afterAll(async () => {
  await dropDatabase(url);
});

test('migrations apply in order on an empty database, and a second run applies nothing and fails nothing', async () => {
  await ensureDatabase(url);
  const first = await runMigrations(url);
  expect(first).toContain('0001_init.sql');
  const second = await runMigrations(url);
  expect(second).toEqual([]);

  const pool = createPool(url, 1);
  try {
    const tables = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'airtime_transactions',
        'p2p_transfers',
        'operator_rates',
        'ussd_sessions',
        'wallets',
        'migrations',
      ]),
    );
    // Money never in floating point.
    const floats = await pool.query(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type IN ('real', 'double precision')",
    );
    expect(floats.rows).toEqual([]);
    const recorded = await pool.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    expect(recorded.rows.map((r) => r.name)).toContain('init');
  } finally {
    await pool.end();
  }
});
