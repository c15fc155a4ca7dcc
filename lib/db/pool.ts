import { Pool, types, type PoolClient } from 'pg';
import { resolve } from 'node:path';
import { migrate } from 'postgres-migrations';

// BIGINT (20) and NUMERIC (1700) arrive as strings by default; money code turns them into bigint itself.
types.setTypeParser(20, (v) => v);

export const MIGRATIONS_DIR = resolve(__dirname, '..', '..', 'migrations');

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
  // An idle connection the server closed (a restart, a failover, an admin) is dropped from the pool and the
  // next query opens a new one; without a listener the 'error' event would crash the whole process.
  pool.on('error', (err) => {
    process.stderr.write(
      `postgres: an idle connection was closed (${err.message.split('\n')[0]}); it will be replaced\n`,
    );
  });
  // Every connection listens for its own 'error' for its whole life, whoever holds it: the server may end it
  // (a restart: 57P01) in a moment when neither the pool nor a transaction listens (the chaos run's worker
  // crash, "Unhandled 'error' event" on a checked-out client). The connection is then unusable: the query
  // that meets it fails and is retried, and the pool drops it when it comes back (it is no longer queryable).
  pool.on('connect', (client) => {
    client.on('error', (err: Error) => {
      process.stderr.write(`postgres: a connection was closed (${err.message.split('\n')[0]}); it will be replaced\n`);
    });
  });
  return pool;
}

/** Runs `fn` in one transaction on one connection: committed when it returns, rolled back when it throws. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out connection the server ends between two queries (a restart, an admin) emits 'error' on the
  // client, which the pool no longer listens to: without this the process would crash. The transaction's
  // next query fails instead, and the broken connection is destroyed rather than returned to the pool.
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    if (!lost) await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}

/** A round trip to the database (health, system check): its name. */
export async function ping(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ db: string }>('SELECT current_database() AS db');
  return rows[0]!.db;
}

/** Applies migrations/NNNN_*.sql in order, once each (recorded with a hash in the `migrations` table). */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const pool = createPool(databaseUrl, 1);
  const client = await pool.connect();
  try {
    const applied = await migrate({ client }, MIGRATIONS_DIR, { logger: () => undefined });
    return applied.map((m) => m.fileName);
  } finally {
    client.release();
    await pool.end();
  }
}

/** The database a URL names, and a connection to the server's `postgres` database to create or drop it. */
async function onServerOf<T>(databaseUrl: string, fn: (admin: Pool, name: string) => Promise<T>): Promise<T> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and _`);
  url.pathname = '/postgres';
  const admin = createPool(url.toString(), 1);
  try {
    return await fn(admin, name);
  } finally {
    await admin.end();
  }
}

/** Creates the database named in the URL when it does not exist. */
export function ensureDatabase(databaseUrl: string): Promise<void> {
  return onServerOf(databaseUrl, async (admin, name) => {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name}"`);
  });
}

export function dropDatabase(databaseUrl: string): Promise<void> {
  return onServerOf(databaseUrl, async (admin, name) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}
