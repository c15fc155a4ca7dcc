/**
 * api_keys: REST API keys, stored as the SHA-256 of the key (shown once, at creation), with their scopes.
 * `authenticate` is the one lookup per request: the key's record by its hash, refreshing last_used_at at most
 * once a minute in the same round trip.
 */
import type { Pool } from 'pg';
import {
  API_KEY_SHAPE,
  DEFAULT_TENANT,
  apiKeyHash,
  keyName,
  newApiKey,
  scopeList,
  tenantName,
  type ApiKeyScope,
} from '../api-keys';
import { readRow, type RowOf } from './rows';

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** whose it is: its Idempotency-Keys and transfers are the tenant's own */
  tenant: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** scopes read as ApiKeyScope: only `create` writes them, after scopeList has checked each one. */
type Row = RowOf<ApiKeyRecord>;

const COLUMNS = 'id, name, tenant, scopes, created_at, revoked_at, last_used_at';

export function createApiKeyRepo(pool: Pool) {
  return {
    /**
     * A new key with these scopes. The answer is the only place the key ever appears: only its hash is
     * stored. `scopes` is the CLI's text ("read,ops") or a list; unknown scopes and bad names throw a ZodError.
     */
    async create(input: {
      name: string;
      scopes: string | string[];
      tenant?: string;
    }): Promise<{ key: string; record: ApiKeyRecord }> {
      const name = keyName.parse(input.name);
      const tenant = tenantName.parse(input.tenant ?? DEFAULT_TENANT);
      const scopes = scopeList.parse(Array.isArray(input.scopes) ? input.scopes.join(',') : input.scopes);
      const { id, key } = newApiKey();
      const { rows } = await pool.query<Row>(
        `INSERT INTO api_keys (id, name, key_hash, scopes, tenant) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [id, name, apiKeyHash(key), scopes, tenant],
      );
      return { key, record: readRow(rows[0]!) };
    },

    /** The tenant a key belongs to (revoked keys too: its records stay its tenant's); undefined if unknown. */
    async tenantOf(id: string): Promise<string | undefined> {
      const { rows } = await pool.query<{ tenant: string }>('SELECT tenant FROM api_keys WHERE id = $1', [id]);
      return rows[0]?.tenant;
    },

    /** Every key, newest first, revoked ones included (never a key or its hash). */
    async list(): Promise<ApiKeyRecord[]> {
      const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id`);
      return rows.map((r) => readRow(r));
    },

    /** Revokes a key from now on; revoking it again keeps the first time. Undefined for an unknown id. */
    async revoke(id: string): Promise<ApiKeyRecord | undefined> {
      const { rows } = await pool.query<Row>(
        `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
        [id],
      );
      return rows[0] && readRow(rows[0]);
    },

    /**
     * The live (not revoked) key a request presented, or undefined. One round trip: the lookup by hash, and
     * last_used_at refreshed when it is older than a minute (a data-modifying CTE runs even if unread).
     */
    async authenticate(key: string): Promise<ApiKeyRecord | undefined> {
      if (!API_KEY_SHAPE.test(key)) return undefined;
      const { rows } = await pool.query<Row>(
        `WITH k AS (SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL),
         touched AS (
           UPDATE api_keys a SET last_used_at = now() FROM k
            WHERE a.id = k.id AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute')
         )
         SELECT * FROM k`,
        [apiKeyHash(key)],
      );
      return rows[0] && readRow(rows[0]);
    },
  };
}

export type ApiKeyRepo = ReturnType<typeof createApiKeyRepo>;
