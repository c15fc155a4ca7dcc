/**
 * API keys, the pure parts (issue 12): the key's shape and stored hash, scope lists, where a request carries
 * its key, which scope each route needs, the configuration switch, and the CLI's usage answers.
 */
import {
  API_KEY_SCOPES,
  API_KEY_SHAPE,
  apiKeyHash,
  newApiKey,
  presentedApiKey,
  scopeList,
} from '../../../lib/api-keys';
import { ROUTE_SCOPES, requiredScope } from '../../../api/api-keys';
import { loadConfig as loadConfigOf } from '../../../lib/config';
import { apiKeyCommand } from '../../../scripts/apikey';
import type { ApiKeyRecord, ApiKeyRepo } from '../../../lib/db/api-keys';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Failures } from '../../../lib/definitions/errors';

/** The configuration as an environment gives it; these tests mean local mode unless they say production
 * (which needs its webhook allowlist). */
const loadConfig = (env: NodeJS.ProcessEnv = {}) =>
  loadConfigOf({
    APP_ENV: 'local',
    ...(env.APP_ENV === 'production'
      ? { WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8', PIN_PEPPER: 'a-production-pepper-0123456789' }
      : {}),
    ...env,
  });

test('a new key is 256 random bits behind the txtc_ prefix; only a SHA-256 of it is stored, never the key', () => {
  const a = newApiKey();
  const b = newApiKey();
  expect(a.key).toMatch(API_KEY_SHAPE);
  expect(a.id).toMatch(/^ak_[0-9a-f]{16}$/);
  expect(a.key).not.toBe(b.key);
  expect(a.id).not.toBe(b.id);
  expect(a.key).not.toContain(a.id.slice(3));
  const hash = apiKeyHash(a.key);
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  expect(hash).toBe(apiKeyHash(a.key));
  expect(hash).not.toBe(apiKeyHash(b.key));
  expect(hash).not.toContain(a.key.slice(5, 20));
});

test('a scope list is known scopes, trimmed and without duplicates; anything else is refused by name', () => {
  expect(scopeList.parse(' read, transfers:write ,read')).toEqual(['read', 'transfers:write']);
  expect(scopeList.parse(API_KEY_SCOPES.join(','))).toEqual([...API_KEY_SCOPES]);
  const refusal = (text: string) => scopeList.safeParse(text).error?.issues.map((i) => i.message);
  expect(refusal('read,root')).toEqual([
    'unknown scope "root" (known: read, airtime:write, transfers:write, vouchers:admin, ops, trusted; or transfer, admin)',
  ]);
  expect(refusal(' , ')).toEqual([expect.stringMatching(/^at least one scope/)]);
});

test('the shorthands expand when a key is created: transfer is both money scopes, admin every scope', () => {
  expect(scopeList.parse('transfer')).toEqual(['airtime:write', 'transfers:write']);
  expect(scopeList.parse('read, transfer')).toEqual(['read', 'airtime:write', 'transfers:write']);
  // admin is every scope but trusted, which is only ever given by name.
  const admin = API_KEY_SCOPES.filter((s) => s !== 'trusted');
  expect(scopeList.parse('admin')).toEqual(admin);
  expect(scopeList.parse('ops,admin,transfer')).toEqual(['ops', ...admin.filter((s) => s !== 'ops')]);
});

test('a request carries its key in Authorization: Bearer or X-Api-Key; Basic auth or nothing is no key', () => {
  const from = (headers: Record<string, string>) => presentedApiKey((name) => headers[name]);
  expect(from({ authorization: 'Bearer txtc_abc' })).toBe('txtc_abc');
  expect(from({ authorization: 'bearer   txtc_abc  ' })).toBe('txtc_abc');
  expect(from({ 'x-api-key': ' txtc_xyz ' })).toBe('txtc_xyz');
  expect(from({ 'x-api-key': 'txtc_xyz', authorization: 'Bearer txtc_abc' })).toBe('txtc_xyz');
  expect(from({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
  expect(from({ authorization: 'Bearer' })).toBeUndefined();
  expect(from({})).toBeUndefined();
});

test.each([
  ['POST', '/api/airtime/buy', 'airtime:write'],
  ['POST', '/api/airtime/transfer', 'airtime:write'],
  ['POST', '/api/transfers', 'transfers:write'],
  ['GET', '/api/transfers/transfer:api:abc-123', 'read'],
  ['HEAD', '/api/transfers/conversion:api:abc-123', 'read'],
  ['GET', '/api/balance/+254712345678', 'read'],
  ['GET', '/api/transactions/%2B254712345678', 'read'],
  ['GET', '/api/airtime/rates', 'read'],
  ['POST', '/api/vouchers', 'vouchers:admin'],
  ['GET', '/api/vouchers/v-1', 'vouchers:admin'],
  ['POST', '/api/vouchers/v-1/revoke', 'vouchers:admin'],
  ['GET', '/api/pins/locked', 'ops'],
  ['POST', '/api/pins/+254712345678/reset', 'ops'],
  ['GET', '/api/reconciliations', 'ops'],
  ['GET', '/api/reconciliations/run-1', 'ops'],
  ['POST', '/api/fraud/blocklist', 'ops'],
  ['POST', '/api/fraud/blocklist/remove', 'ops'],
])('%s %s needs %s', (method, path, scope) => {
  expect(requiredScope(method, path)).toBe(scope);
});

test('a route the table does not list needs ops, never just any key', () => {
  expect(requiredScope('GET', '/api/airtime/buy')).toBe('ops');
  expect(requiredScope('POST', '/api/transfers/transfer:api:abc')).toBe('ops');
  expect(requiredScope('DELETE', '/api/vouchers/v-1')).toBe('ops');
  expect(requiredScope('GET', '/api/something-new')).toBe('ops');
  // Every scope of the table is one a key can hold.
  for (const [, , scope] of ROUTE_SCOPES) expect(API_KEY_SCOPES).toContain(scope);
});

describe('API_KEYS_REQUIRED', () => {
  const production = {
    APP_ENV: 'production',
    CHAIN_SIGNER_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
    WALLET_MNEMONIC: 'test test test test test test test test test test test junk',
    USSD_WEBHOOK_SECRET: 'ussd-secret-of-production',
    SMS_WEBHOOK_SECRET: 'sms-secret-of-production',
  };
  test('is on in production and cannot be turned off there', () => {
    expect(loadConfig(production).apiKeys.required).toBe(true);
    expect(loadConfig({ ...production, API_KEYS_REQUIRED: 'true' }).apiKeys.required).toBe(true);
    expect(() => loadConfig({ ...production, API_KEYS_REQUIRED: 'false' })).toThrow(
      /^Invalid configuration: API_KEYS_REQUIRED must not be false when APP_ENV=production/,
    );
  });
  test('is on by default in local mode too (npm start prints a development key), and can be turned off there', () => {
    expect(loadConfig({}).apiKeys.required).toBe(true);
    expect(loadConfig({ API_KEYS_REQUIRED: 'false' }).apiKeys.required).toBe(false);
    expect(() => loadConfig({ API_KEYS_REQUIRED: 'maybe' })).toThrow(/API_KEYS_REQUIRED/);
  });
});

describe('npm run apikey', () => {
  /** A repository that must not be reached: these commands are refused before any database work. */
  const untouched = new Proxy({} as ApiKeyRepo, {
    get: () => () => Promise.reject(new Error('the database was reached')),
  });
  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await apiKeyCommand(argv, untouched, (l) => lines.push(l));
    return { code, out: lines.join('\n') };
  };

  test.each([[[]], [['create', '--name', 'ops']], [['create', '--scopes', 'read']], [['revoke']], [['rotate']]])(
    '%j is a usage error (exit 2) that touches nothing',
    async (argv) => {
      const { code, out } = await run(...argv);
      expect(code).toBe(2);
      expect(out).toMatch(/usage: npm run apikey -- create --name <name> --scopes <scope,\.\.\.>/);
    },
  );

  test('--scope is --scopes: `create --name app --scope transfer` creates a key with both money scopes', async () => {
    const asked: { name: string; scopes: string | string[] }[] = [];
    const recording = {
      create: (input: { name: string; scopes: string | string[] }) => {
        asked.push(input);
        const record: ApiKeyRecord = {
          id: 'ak_0123456789abcdef',
          name: input.name,
          tenant: 'default',
          scopes: scopeList.parse(input.scopes),
          createdAt: new Date(),
          revokedAt: null,
          lastUsedAt: null,
        };
        return Promise.resolve({ key: newApiKey().key, record });
      },
    } as unknown as ApiKeyRepo;
    const lines: string[] = [];
    expect(
      await apiKeyCommand(['create', '--name', 'app', '--scope', 'transfer'], recording, (l) => lines.push(l)),
    ).toBe(0);
    expect(asked).toEqual([{ name: 'app', scopes: 'transfer' }]);
    expect(lines).toContain('  scopes: airtime:write,transfers:write');
  });
});

test('the API documentation lists every error code of the failure list', () => {
  const doc = readFileSync(resolve(__dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');
  const errorCodes = doc.slice(doc.indexOf('**Error codes**'), doc.indexOf('## API keys and scopes'));
  expect(Object.keys(Failures).filter((code) => !errorCodes.includes(`\`${code}\``))).toEqual([]);
});
