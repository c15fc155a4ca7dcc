/**
 * `npm run apikey -- <command>`: REST API keys (issue 12), in the database DATABASE_URL names.
 *   create --name <name> --scopes <scope,...> [--tenant <t>]   prints the new key once (only its SHA-256 is kept); --scope too
 *   list                                        every key: id, name, scopes, created, last used, revoked
 *   revoke <id>                                 refused from now on
 * Scopes: read, airtime:write, transfers:write, vouchers:admin, ops, and the shorthands transfer (airtime:write +
 * transfers:write) and admin (every scope), expanded at creation (docs/api.md, "API keys and scopes").
 */
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { loadConfigOrExit } from '../lib/config';
import { createPool } from '../lib/db/pool';
import { createApiKeyRepo, type ApiKeyRecord, type ApiKeyRepo } from '../lib/db/api-keys';
import { API_KEY_SCOPES, SCOPE_ALIASES } from '../lib/api-keys';

export const USAGE = `usage: npm run apikey -- create --name <name> --scopes <scope,...> [--tenant <tenant>]
       npm run apikey -- list
       npm run apikey -- revoke <id>
scopes: ${API_KEY_SCOPES.join(', ')}
shorthands: ${Object.entries(SCOPE_ALIASES)
  .map(([alias, scopes]) => `${alias} = ${scopes.join(',')}`)
  .join('; ')} (--scope is --scopes)`;

const when = (d: Date | null) => (d ? d.toISOString() : '-');
const describe = (k: ApiKeyRecord) =>
  `${k.id}  ${JSON.stringify(k.name)}  scopes=${k.scopes.join(',')}  created=${when(k.createdAt)}  ` +
  `last_used=${when(k.lastUsedAt)}  revoked=${when(k.revokedAt)}`;

/** Runs one command against `keys`, writing what it prints to `out`; the exit code (2: usage). */
export async function apiKeyCommand(argv: string[], keys: ApiKeyRepo, out: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        scopes: { type: 'string' },
        scope: { type: 'string' },
        tenant: { type: 'string' },
      },
    });
  } catch (e) {
    out(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, ...rest] = positionals;
  if (command === 'create' && rest.length === 0) {
    const scopes = values.scopes ?? values.scope;
    if (values.name === undefined || scopes === undefined) {
      out(`create needs --name and --scopes\n${USAGE}`);
      return 2;
    }
    try {
      const { key, record } = await keys.create({
        name: values.name,
        scopes,
        ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
      });
      if (scopes.includes('trusted'))
        out(`WARNING: ${record.id} is trusted: its money requests debit payers without asking them (logged).`);
      out('API key created. It is shown this once: store it now (only its hash is kept).');
      out(`  id:     ${record.id}`);
      out(`  name:   ${record.name}`);
      out(`  tenant: ${record.tenant}`);
      out(`  scopes: ${record.scopes.join(',')}`);
      out(`  key:    ${key}`);
      return 0;
    } catch (e) {
      if (!(e instanceof ZodError)) throw e;
      out(`${e.issues.map((i) => i.message).join('; ')}\n${USAGE}`);
      return 2;
    }
  }
  if (command === 'list' && rest.length === 0) {
    const all = await keys.list();
    if (all.length === 0) out('no API keys');
    for (const k of all) out(describe(k));
    return 0;
  }
  if (command === 'revoke' && rest.length === 1) {
    const revoked = await keys.revoke(rest[0]!);
    if (!revoked) {
      out(`no API key ${rest[0]}`);
      return 1;
    }
    out(`revoked ${describe(revoked)}`);
    return 0;
  }
  out(USAGE);
  return 2;
}

if (require.main === module) {
  const config = loadConfigOrExit();
  const pool = createPool(config.databaseUrl, 1);
  apiKeyCommand(process.argv.slice(2), createApiKeyRepo(pool), (line) => process.stdout.write(`${line}\n`))
    .then(
      (code) => (process.exitCode = code),
      (e: unknown) => {
        process.stderr.write(`apikey failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      },
    )
    .finally(() => void pool.end());
}
