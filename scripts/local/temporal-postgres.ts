/**
 * A production-shaped Temporal on this machine: the full server (scripts/local/temporal-server.ts), not the
 * dev server, on two databases of its own in the machine's Postgres, set up with Temporal's own SQL tool and
 * started with a config that mirrors docker-compose.yml (4 history shards, ops/temporal/dynamicconfig/docker.yaml,
 * the `default` namespace and the product's search attributes registered at setup) on free ports.
 * `npm run temporal:postgres` runs it in the foreground; the tests and the chaos run take the API below, whose
 * kill() is a SIGKILL and restart() brings the same server back on the same ports and databases.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { grpc, temporal } from '@temporalio/proto';
import { parse, stringify } from 'yaml';
import { createPool } from '../../lib/db/pool';
import { ensureTemporalServer, type TemporalServerFiles } from './temporal-server';
import { waitFor } from './processes';
import { dropDatabase } from '../../lib/db/pool';
import { SEARCH_ATTRIBUTES } from '../../lib/definitions/search';

const execFileAsync = promisify(execFile);

/** docker-compose.yml's server runs the image's default: NUM_HISTORY_SHARDS unset is 4. Fixed once a cluster exists. */
export const HISTORY_SHARDS = 4;
/** The dynamic config docker-compose.yml mounts into the server (update-with-start for every USSD hop). */
export const DYNAMIC_CONFIG = resolve(__dirname, '../../ops/temporal/dynamicconfig/docker.yaml');
/** setup-namespace.sh's retention for the namespace it creates. */
const RETENTION = '30 days';
const SERVICES = ['frontend', 'matching', 'history', 'worker'] as const;

export interface TemporalOnPostgresOptions {
  /** names the databases temporal_<suffix> and temporal_visibility_<suffix>; a fresh one per run when absent */
  suffix?: string;
  /** the Postgres server (trust auth): postgres://postgres@127.0.0.1:5432 unless told */
  postgresUrl?: string;
  /** drop both databases on stop(): the default for a fresh suffix, never for a named one */
  dropOnStop?: boolean;
  namespace?: string;
  /** the frontend's gRPC port (7233 is docker-compose.yml's); a free one when absent */
  port?: number;
  /** the server's own log level (its log goes to <runDir>/server.log) */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  log?: (line: string) => void;
}

export interface TemporalOnPostgres {
  /** host:port of the frontend */
  address: string;
  namespace: string;
  databases: { temporal: string; visibility: string };
  /** the server's config and log */
  runDir: string;
  logFile: string;
  /** the server's process id while it runs */
  pid(): number | undefined;
  /** SIGTERM (SIGKILL after 10 s), then the databases dropped when dropOnStop */
  stop(): Promise<void>;
  /** SIGKILL, as a machine losing power: nothing is flushed */
  kill(): Promise<void>;
  /** the same server on the same ports and databases again (stopped first when still running), until it answers */
  restart(): Promise<void>;
}

interface Ports {
  grpc: Record<(typeof SERVICES)[number], number>;
  membership: Record<(typeof SERVICES)[number], number>;
  http: number;
  metrics: number;
}

/** Whether 127.0.0.1:port can be listened on right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * Free ports, all below the OS's ephemeral range: the server keeps each membership port in a smallint column
 * (cluster_membership.rpc_port), so a port from freePort() (32768 and up) stops it at its first heartbeat.
 */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    const port = 20000 + randomInt(12000);
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

async function choosePorts(frontend?: number): Promise<Ports> {
  const p = await distinctFreePorts(10);
  return {
    grpc: { frontend: frontend ?? p[0]!, matching: p[1]!, history: p[2]!, worker: p[3]! },
    membership: { frontend: p[4]!, matching: p[5]!, history: p[6]!, worker: p[7]! },
    http: p[8]!,
    metrics: p[9]!,
  };
}

/** The parts of development-postgres12.yaml changed here; the rest (archival, namespace defaults) is kept. */
interface BaseConfig {
  global: { membership: unknown; pprof?: unknown; metrics: { prometheus: { listenAddress: string } } };
  services: Record<string, unknown>;
  clusterMetadata: { clusterInformation: { active: { rpcAddress: string; httpAddress?: string } } };
  [key: string]: unknown;
}

/** The module's development-postgres12.yaml with this run's databases, ports and docker-compose.yml's settings. */
export function serverConfig(
  baseConfig: string,
  settings: { pg: URL; databases: { temporal: string; visibility: string }; ports: Ports; logLevel: string },
): string {
  const config = parse(readFileSync(baseConfig, 'utf8')) as BaseConfig;
  const { pg, databases, ports } = settings;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.hostname}:${pg.port || 5432}`,
      connectProtocol: 'tcp',
      user: decodeURIComponent(pg.username || 'postgres'),
      password: decodeURIComponent(pg.password),
      // the docker image's defaults (SQL_MAX_CONNS, SQL_VIS_MAX_CONNS)
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  config.log = { stdout: true, level: settings.logLevel };
  config.persistence = {
    numHistoryShards: HISTORY_SHARDS,
    defaultStore: 'postgres-default',
    visibilityStore: 'postgres-visibility',
    datastores: {
      'postgres-default': store(databases.temporal, 20),
      'postgres-visibility': store(databases.visibility, 10),
    },
  };
  config.global.membership = { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' };
  delete config.global.pprof; // the image's PPROF_PORT is 0: off
  config.global.metrics.prometheus.listenAddress = `127.0.0.1:${ports.metrics}`;
  for (const service of SERVICES) {
    config.services[service] = {
      rpc: {
        grpcPort: ports.grpc[service],
        membershipPort: ports.membership[service],
        bindOnLocalHost: true,
        ...(service === 'frontend' ? { httpPort: ports.http } : {}),
      },
    };
  }
  const frontend = `127.0.0.1:${ports.grpc.frontend}`;
  config.clusterMetadata.clusterInformation.active.rpcAddress = frontend;
  config.clusterMetadata.clusterInformation.active.httpAddress = `127.0.0.1:${ports.http}`;
  config.publicClient = { hostPort: frontend };
  config.dynamicConfigClient = { filepath: DYNAMIC_CONFIG, pollInterval: '10s' };
  return stringify(config);
}

/** Temporal's SQL tool on one database: create it when missing, set up its schema, bring it to the release's version. */
async function setUpDatabase(files: TemporalServerFiles, pg: URL, database: string, kind: 'temporal' | 'visibility') {
  const tool = (...args: string[]) =>
    execFileAsync(
      files.sqlTool,
      [
        '--plugin',
        'postgres12',
        '--ep',
        pg.hostname,
        '-p',
        pg.port || '5432',
        '-u',
        decodeURIComponent(pg.username || 'postgres'),
        ...(pg.password ? ['--pw', decodeURIComponent(pg.password)] : []),
        '--db',
        database,
        ...args,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
  const admin = createPool(new URL('/postgres', pg).toString(), 1);
  let exists: boolean;
  try {
    exists = ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount ?? 0) > 0;
  } finally {
    await admin.end();
  }
  if (!exists) {
    await tool('create-database');
    await tool('setup-schema', '-v', '0.0');
  }
  await tool('update-schema', '-d', join(files.schemaDir, kind, 'versioned'));
}

/** True once the frontend's gRPC health check says it serves. */
async function frontendServes(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    const { status } = await connection.healthService.check({
      service: 'temporal.api.workflowservice.v1.WorkflowService',
    });
    return status === grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
  } finally {
    await connection.close();
  }
}

const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/**
 * What setup-namespace.sh does for docker-compose.yml: the namespace (30 days), then the missing search
 * attributes, retried until the server lists them all (its namespace cache learns a new namespace within ~10 s).
 */
async function registerNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const known = await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (!known)
      await connection.workflowService
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) })
        .catch((e: { code?: number }) => {
          if (e.code !== 6) throw e; // ALREADY_EXISTS: registered meanwhile
        });
    let lastError: unknown;
    const allThere = async () => {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = SEARCH_ATTRIBUTES.filter((key) => !customAttributes?.[key.name]);
        if (!missing.length) return true;
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED[key.type]!])),
        });
        return false;
      } catch (e) {
        lastError = e; // NOT_FOUND while the namespace cache has not seen the namespace yet
        return false;
      }
    };
    await waitFor('the namespace and search attributes', allThere, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${(lastError as Error | undefined)?.message ?? 'not listed'}`);
    });
  } finally {
    await connection.close();
  }
}

export async function startTemporalOnPostgres(options: TemporalOnPostgresOptions = {}): Promise<TemporalOnPostgres> {
  const log = options.log ?? (() => undefined);
  const files = ensureTemporalServer(log);
  const pg = new URL(options.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432');
  const suffix = options.suffix ?? `${Date.now()}_${process.pid}`;
  if (!/^[a-z0-9_]+$/.test(suffix)) throw new Error(`database suffix "${suffix}" must be lowercase letters, digits, _`);
  const dropOnStop = options.dropOnStop ?? options.suffix === undefined;
  const namespace = options.namespace ?? 'default';
  const databases = { temporal: `temporal_${suffix}`, visibility: `temporal_visibility_${suffix}` };
  const ports = await choosePorts(options.port);
  const runDir = mkdtempSync(join(tmpdir(), 'txtc-temporal-pg-'));
  mkdirSync(join(runDir, 'config'));
  writeFileSync(
    join(runDir, 'config', 'development.yaml'),
    serverConfig(files.baseConfig, { pg, databases, ports, logLevel: options.logLevel ?? 'warn' }),
  );
  const logFile = join(runDir, 'server.log');
  const address = `127.0.0.1:${ports.grpc.frontend}`;
  let child: ChildProcess | undefined;
  const reap = () => child?.kill('SIGKILL');
  process.on('exit', reap);

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((done) => c.once('exit', () => done()));

  async function launch(): Promise<void> {
    const out = openSync(logFile, 'a');
    const started = Date.now();
    const next = spawn(
      files.server,
      ['--root', runDir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    child = next;
    try {
      await waitFor('the Temporal server on Postgres', () => frontendServes(address), 120_000, next);
    } catch (e) {
      const tail = readFileSync(logFile, 'utf8').slice(-3000);
      throw new Error(`${(e as Error).message}; its log (${logFile}) ends:\n${tail}`);
    }
    log(`Temporal server ${next.pid} on Postgres answers at ${address} (${Date.now() - started} ms)`);
  }

  async function terminate(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const c = child;
    if (!c || !running()) return;
    const gone = exited(c);
    c.kill(signal);
    const timer = signal === 'SIGTERM' ? setTimeout(() => c.kill('SIGKILL'), 10_000) : undefined;
    await gone;
    if (timer) clearTimeout(timer);
  }

  const dropAll = async () => {
    for (const name of [databases.temporal, databases.visibility])
      await dropDatabase(new URL(`/${name}`, pg).toString());
    rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await setUpDatabase(files, pg, databases.temporal, 'temporal');
    await setUpDatabase(files, pg, databases.visibility, 'visibility');
    await launch();
    await registerNamespace(address, namespace);
  } catch (e) {
    await terminate('SIGKILL');
    process.removeListener('exit', reap);
    if (dropOnStop) await dropAll();
    throw e;
  }
  log(`namespace ${namespace} and ${SEARCH_ATTRIBUTES.length} search attributes registered`);

  return {
    address,
    namespace,
    databases,
    runDir,
    logFile,
    pid: () => (running() ? child?.pid : undefined),
    async kill() {
      await terminate('SIGKILL');
    },
    async restart() {
      await terminate('SIGTERM');
      await launch();
    },
    async stop() {
      await terminate('SIGTERM');
      process.removeListener('exit', reap);
      if (dropOnStop) await dropAll();
    },
  };
}
