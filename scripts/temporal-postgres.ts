/**
 * `npm run temporal:postgres`: the full Temporal server on this machine's Postgres, shaped like
 * docker-compose.yml's (scripts/local/temporal-postgres.ts), in the foreground until Ctrl-C. Its state lives
 * in the databases temporal_local and temporal_visibility_local, kept between runs
 * (`-- --fresh` for throwaway ones, dropped on exit). Point the product at it with TEMPORAL_ADDRESS and
 * START_LOCAL_TEMPORAL=false. `-- --port 7233` fixes the frontend's port (a free one otherwise);
 * `-- --build-only` builds the server into its cache and prints where (.ci/run).
 */
import { startTemporalOnPostgres } from './local/temporal-postgres';
import { ensureTemporalServer } from './local/temporal-server';

async function main(): Promise<void> {
  if (process.argv.includes('--build-only')) {
    process.stdout.write(`${ensureTemporalServer().dir}\n`);
    return;
  }
  const fresh = process.argv.includes('--fresh');
  const portAt = process.argv.indexOf('--port');
  const port = portAt > 0 ? Number(process.argv[portAt + 1]) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new Error('--port takes a port');
  const say = (line: string) => process.stderr.write(`[temporal:postgres] ${line}\n`);
  const server = await startTemporalOnPostgres({
    suffix: fresh ? undefined : 'local',
    port,
    postgresUrl: process.env.TEMPORAL_POSTGRES_URL,
    logLevel: 'info',
    log: say,
  });
  say(`databases ${server.databases.temporal} and ${server.databases.visibility}; server log ${server.logFile}`);
  process.stdout.write(`${server.address}\n`);
  say(`run the product with TEMPORAL_ADDRESS=${server.address} START_LOCAL_TEMPORAL=false; Ctrl-C stops the server`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Stay up while the server does; its death (not ours) ends this run with its log's path.
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    if (!stopping && server.pid() === undefined) {
      say(`the server exited; see ${server.logFile}`);
      process.exit(1);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
