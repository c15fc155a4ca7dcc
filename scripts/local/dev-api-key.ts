/**
 * `npm start`'s development API key (local mode only; production has no default key). Keys are kept only as
 * hashes, so the key cannot be shown again: each start revokes the previous "local-dev" key and creates a fresh
 * one with every scope, which `npm start` prints once.
 */
import { API_KEY_SCOPES } from '../../lib/api-keys';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { createPool } from '../../lib/db/pool';

export const DEV_API_KEY_NAME = 'local-dev';

export async function renewDevApiKey(databaseUrl: string): Promise<{ id: string; key: string; revoked: string[] }> {
  const pool = createPool(databaseUrl, 1);
  try {
    const keys = createApiKeyRepo(pool);
    const revoked: string[] = [];
    for (const k of await keys.list()) {
      if (k.name !== DEV_API_KEY_NAME || k.revokedAt) continue;
      await keys.revoke(k.id);
      revoked.push(k.id);
    }
    const { key, record } = await keys.create({ name: DEV_API_KEY_NAME, scopes: [...API_KEY_SCOPES] });
    return { id: record.id, key, revoked };
  } finally {
    await pool.end();
  }
}
