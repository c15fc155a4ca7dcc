/** `npm run migrate`: create the database if needed and apply pending migrations. */
import { loadConfigOrExit } from '../lib/config';
import { ensureDatabase, runMigrations } from '../lib/db/pool';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await ensureDatabase(config.databaseUrl);
  const applied = await runMigrations(config.databaseUrl);
  process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`migration failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
