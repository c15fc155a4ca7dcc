/**
 * The full Temporal server (not the dev server): the release the temporal CLI embeds, built once from the Go
 * module proxy into a cache outside the clone, beside its SQL schema tool, its Postgres schemas and the
 * module's development-postgres12.yaml, so starting it later needs no Go and no module cache.
 * scripts/local/temporal-postgres.ts runs it on the machine's Postgres.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TEMPORAL_SERVER_VERSION = '1.29.1';
const MODULE = `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`;
const COMMANDS = [
  `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
];

/** What the cache holds: the server, its SQL tool, the Postgres schemas and the module's Postgres config. */
export interface TemporalServerFiles {
  dir: string;
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12, with temporal/versioned and visibility/versioned */
  schemaDir: string;
  /** the module's config/development-postgres12.yaml */
  baseConfig: string;
}

export function temporalServerCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'txtc-bridge', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

function filesIn(dir: string): TemporalServerFiles {
  return {
    dir,
    server: join(dir, 'server'),
    sqlTool: join(dir, 'sql'),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
    baseConfig: join(dir, 'config', 'development-postgres12.yaml'),
  };
}

function complete(files: TemporalServerFiles): boolean {
  return (
    [files.server, files.sqlTool, files.baseConfig].every((f) => existsSync(f)) &&
    existsSync(join(files.schemaDir, 'temporal', 'versioned')) &&
    existsSync(join(files.schemaDir, 'visibility', 'versioned')) &&
    spawnSync(files.server, ['--version'], { stdio: 'ignore' }).status === 0
  );
}

function findGo(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'go'))) return join(dir, 'go');
  }
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

/** The cached server when it is complete, without building anything. */
export function findTemporalServer(): TemporalServerFiles | undefined {
  const files = filesIn(temporalServerCacheDir());
  return complete(files) ? files : undefined;
}

/**
 * The cached server, built first when the cache lacks it (about 2 to 4 minutes with Go, once). Throws when
 * there is no Go and nothing cached: unlike the dev server, the SDK has no download of the full server.
 */
export function ensureTemporalServer(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): TemporalServerFiles {
  const found = findTemporalServer();
  if (found) return found;
  const go = findGo();
  if (!go) throw new Error(`no Temporal server in ${temporalServerCacheDir()} and no Go toolchain to build ${MODULE}`);
  const files = filesIn(temporalServerCacheDir());
  mkdirSync(files.dir, { recursive: true });
  log(`building the Temporal server ${MODULE} and its SQL tool with Go into ${files.dir} (first time only)`);
  const started = Date.now();
  const run = (args: string[], extraEnv: Record<string, string>, stdio: 'inherit' | 'pipe') =>
    spawnSync(go, args, { stdio, encoding: 'utf8', env: { ...process.env, GOBIN: files.dir, ...extraEnv } });
  // A failing checksum database (offline, or a proxy that does not carry it) is retried without it.
  const withRetry = (args: string[], stdio: 'inherit' | 'pipe') => {
    const first = run(args, {}, stdio);
    if (first.status === 0) return first;
    log(`go ${args[0]} failed; retrying without the checksum database (GOSUMDB=off)`);
    return run(args, { GOSUMDB: 'off' }, stdio);
  };
  const built = withRetry(['install', ...COMMANDS], 'inherit');
  if (built.status !== 0 || !existsSync(files.server) || !existsSync(files.sqlTool))
    throw new Error(`could not build the Temporal server (${MODULE})`);
  // The schemas and the base config come from the module's source, which go install left in the module cache.
  const downloaded = withRetry(['mod', 'download', '-json', MODULE], 'pipe');
  if (downloaded.status !== 0) throw new Error(`could not find ${MODULE}'s source: ${downloaded.stderr}`);
  const source = (JSON.parse(downloaded.stdout) as { Dir: string }).Dir;
  cpSync(join(source, 'schema', 'postgresql', 'v12'), files.schemaDir, { recursive: true });
  mkdirSync(join(files.dir, 'config'), { recursive: true });
  cpSync(join(source, 'config', 'development-postgres12.yaml'), files.baseConfig);
  log(
    `${execFileSync(files.server, ['--version']).toString().trim()} built in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  if (!complete(files)) throw new Error(`the Temporal server cache in ${files.dir} is incomplete after the build`);
  return files;
}
