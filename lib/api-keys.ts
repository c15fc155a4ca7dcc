/**
 * REST API keys (issue 12), the pure part: what a key looks like, how it is stored (a SHA-256, never the key)
 * and the scopes a key can hold. The table is lib/db/api-keys.ts; the API's check is api/api-keys.ts; keys are
 * created, listed and revoked by `npm run apikey` (scripts/apikey.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What a key may call: one scope per kind of route (docs/api.md, "API keys and scopes", lists the routes). */
/**
 * `trusted`: the operator's own channels, whose money requests need no word from the payer (every other key's
 * debit waits for the payer's YES <PIN>). Never part of a shorthand: it is given by name, and logged.
 */
export const API_KEY_SCOPES = ['read', 'airtime:write', 'transfers:write', 'vouchers:admin', 'ops', 'trusted'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Keys begin with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'txtc_';

/** A new key: 32 random bytes (256 bits), base64url; and its id, which is not secret and names it in logs. */
export function newApiKey(): { id: string; key: string } {
  return {
    id: `ak_${randomBytes(8).toString('hex')}`,
    key: `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`,
  };
}

/**
 * What is stored and looked up: SHA-256 of the key, hex. The key has 256 random bits, so a fast hash is enough
 * (nothing to guess); a password would need a slow salted one.
 */
export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A key as presented: the prefix and 43 base64url characters; anything else is not looked up. */
export const API_KEY_SHAPE = /^txtc_[A-Za-z0-9_-]{43}$/;

/**
 * Shorthands for the usual keys, expanded when a key is created (a key holds only the scopes above): `transfer`
 * moves money through every money route, `admin` may call everything.
 */
export const SCOPE_ALIASES: Readonly<Record<string, readonly ApiKeyScope[]>> = {
  transfer: ['airtime:write', 'transfers:write'],
  admin: API_KEY_SCOPES.filter((s) => s !== 'trusted'),
};

const KNOWN_SCOPES = `${API_KEY_SCOPES.join(', ')}; or ${Object.keys(SCOPE_ALIASES).join(', ')}`;

/** "read,transfer" -> the scopes (aliases expanded), each known, without duplicates; an error names what is wrong. */
export const scopeList = z
  .string()
  .transform((text) => [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .flatMap((s): readonly string[] => (Object.hasOwn(SCOPE_ALIASES, s) ? SCOPE_ALIASES[s]! : [s])),
    ),
  ])
  .pipe(
    z
      .array(z.enum(API_KEY_SCOPES, { error: (i) => `unknown scope "${String(i.input)}" (known: ${KNOWN_SCOPES})` }))
      .min(1, `at least one scope (known: ${KNOWN_SCOPES})`),
  );

/** A key's name: what ops call it ("partner-app", "ops console"), printable, at most 100 characters. */
export const keyName = z
  .string()
  .trim()
  .regex(/^[\x20-\x7e]{1,100}$/, 'must be 1-100 printable characters');

/** The key a request carries: `Authorization: Bearer <key>` or `X-Api-Key: <key>`; undefined when none. */
export function presentedApiKey(header: (name: string) => string | undefined): string | undefined {
  const explicit = header('x-api-key')?.trim();
  if (explicit) return explicit;
  return /^Bearer\s+(\S+)\s*$/i.exec(header('authorization') ?? '')?.[1];
}

/** The tenant of keys made before tenants (and of `npm start`'s key): its workflow ids keep their old shape. */
export const DEFAULT_TENANT = 'default';

/** A tenant's name: lower-case letters, digits and dashes (it goes into workflow ids). */
export const tenantName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,39}$/,
    'a tenant is 1-40 lower-case letters, digits or dashes, starting with a letter or digit',
  );
