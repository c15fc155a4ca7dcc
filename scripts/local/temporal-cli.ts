/**
 * Finds the `temporal` CLI (which carries the dev server and the web UI): TEMPORAL_CLI_PATH, then PATH,
 * then a cache outside the clone. When none is found and Go is present, builds the pinned release from
 * the Go module proxy into that cache. Returns undefined when neither works, so callers can fall back to
 * the Temporal SDK's own download (a normal machine with internet).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';
const MODULE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

export function temporalCliCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'txtc-bridge', `temporal-${TEMPORAL_CLI_VERSION}`);
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function works(path: string): boolean {
  return spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Where a usable CLI already is, without building anything. */
export function findTemporalCli(): string | undefined {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!works(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not a working temporal CLI`);
    return explicit;
  }
  const fromPath = onPath('temporal');
  if (fromPath && works(fromPath)) return fromPath;
  const cached = join(temporalCliCacheDir(), 'temporal');
  if (existsSync(cached) && works(cached)) return cached;
  return undefined;
}

/** Finds the CLI or builds it with `go install` into the cache; undefined when there is no Go either. */
export function ensureTemporalCli(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): string | undefined {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) return undefined;
  const dir = temporalCliCacheDir();
  mkdirSync(dir, { recursive: true });
  log(`temporal CLI not found; building ${MODULE} with Go into ${dir} (first time only, a few minutes)`);
  const build = (extraEnv: Record<string, string>) =>
    spawnSync(go, ['install', MODULE], { stdio: 'inherit', env: { ...process.env, GOBIN: dir, ...extraEnv } });
  let result = build({});
  if (result.status !== 0) {
    log('go install failed; retrying without the checksum database (GOSUMDB=off)');
    result = build({ GOSUMDB: 'off' });
  }
  const built = join(dir, 'temporal');
  if (result.status !== 0 || !existsSync(built)) throw new Error(`could not build the temporal CLI (${MODULE})`);
  log(execFileSync(built, ['--version']).toString().trim());
  return built;
}
