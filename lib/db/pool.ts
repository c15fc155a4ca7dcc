import { Pool, types, type PoolClient } from 'pg';
import { resolve } from 'node:path';
import { migrate } from 'postgres-migrations';

// BIGINT (20) and NUMERIC (1700) arrive as strings by default; money code turns them into bigint itself.
types.setTypeParser(20, (v) => v);

export const MIGRATIONS_DIR = resolve(__dirname, '..', '..', 'migrations');

export function createPool(databaseUrl: string, max = 10): Pool {
  return new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
}

/** Runs `fn` in one transaction on one connection: committed when it returns, rolled back when it throws. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
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

/** Creates the database named in the URL when it does not exist (connecting to `postgres` to do so). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and _`);
  url.pathname = '/postgres';
  const pool = createPool(url.toString(), 1);
  try {
    const { rowCount } = await pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await pool.query(`CREATE DATABASE "${name}"`);
  } finally {
    await pool.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and _`);
  url.pathname = '/postgres';
  const pool = createPool(url.toString(), 1);
  try {
    await pool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await pool.end();
  }
}
