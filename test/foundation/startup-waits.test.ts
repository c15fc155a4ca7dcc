/**
 * A dependency away at start is waited for, not a reason to exit: the API and the worker started while
 * Temporal does not answer keep running (the API answering 503 "starting"), and come up by themselves once
 * it does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { freePort, waitFor } from '../../scripts/local/processes';
import { readStack } from '../support/stack-file';

const ROOT = resolve(__dirname, '..', '..');
const children: ChildProcess[] = [];
let proxy: Server | undefined;
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
});

const sockets = new Set<Socket>();

/** Forwards a port to Temporal: "Temporal is back". */
function forward(port: number, target: string): Promise<Server> {
  const [host, targetPort] = target.split(':') as [string, string];
  const server = createServer((socket) => {
    const upstream = createConnection(Number(targetPort), host);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r(server)));
}

/** "Temporal goes away": no new connections, and every open one cut. */
async function cut(server: Server): Promise<void> {
  const closed = new Promise((r) => server.close(r));
  for (const s of sockets) s.destroy();
  await closed;
}

function start(entry: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  children.push(child);
  return { child, output: () => output };
}

test('the API and the worker wait for Temporal at start (503 meanwhile) and ride out a Temporal restart, without a restart of their own', async () => {
  const stack = readStack();
  const [apiPort, temporalPort] = [await freePort(), await freePort()];
  const env = {
    LOG_LEVEL: 'info',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'txtc-startup-')),
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`, // nothing listens there yet
    TEMPORAL_TASK_QUEUE: `startup-${apiPort}`,
    CHAIN_RPC_URL: stack.rpcUrl,
    TXTC_ADDRESS: stack.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stack.deployment.ratePair,
    PORT: String(apiPort),
    WORKER_METRICS_PORT: '0',
    TEMPORAL_WORKER_METRICS_PORT: '0',
  };
  const api = start('api/main.ts', env);
  const worker = start('workers/main.ts', env);
  const url = `http://127.0.0.1:${apiPort}/health`;

  await waitFor('the API to listen', async () => (await fetch(url)).status === 503, 60_000, api.child);
  const waiting = await fetch(url);
  expect(waiting.headers.get('retry-after')).toBe('2');
  expect(await waiting.json()).toMatchObject({ error: { code: 'Unavailable' } });
  await waitFor(
    'both to say they wait',
    () =>
      Promise.resolve(
        api.output().includes('waiting for Temporal') && worker.output().includes('waiting for Temporal'),
      ),
    60_000,
  );
  expect(api.child.exitCode).toBeNull();
  expect(worker.child.exitCode).toBeNull();

  proxy = await forward(temporalPort, stack.temporalAddress);
  await waitFor('the API to serve', async () => (await fetch(url)).status === 200, 60_000, api.child);
  await waitFor(
    'the worker to start',
    () => Promise.resolve(worker.output().includes('worker started')),
    60_000,
    worker.child,
  );
  expect(await (await fetch(url)).json()).toMatchObject({ status: 'ok' });

  // Temporal restarts under running processes: they stay up (the API saying so), and recover by themselves.
  await cut(proxy);
  proxy = undefined;
  await waitFor('the API to report Temporal down', async () => (await fetch(url)).status === 503, 60_000, api.child);
  await new Promise((r) => setTimeout(r, 3000));
  expect(api.child.exitCode).toBeNull();
  expect(worker.child.exitCode).toBeNull();
  proxy = await forward(temporalPort, stack.temporalAddress);
  await waitFor('the API to recover', async () => (await fetch(url)).status === 200, 60_000, api.child);
  // The worker polls again: a workflow on its task queue runs to the end.
  const client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${temporalPort}` }) });
  try {
    const result = await client.workflow.execute('systemCheckWorkflow', {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      workflowId: `startup-check-${apiPort}`,
      workflowExecutionTimeout: '60 seconds',
    });
    expect(result).toMatchObject({ database: expect.any(String) });
  } finally {
    await client.connection.close();
  }
  expect(worker.child.exitCode).toBeNull();
});

test('a worker whose namespace lacks the search attributes refuses to start, naming them and the command', async () => {
  const stack = readStack();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const namespace = `bare-${await freePort()}`;
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  } finally {
    await connection.close();
  }
  const env = {
    LOG_LEVEL: 'info',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'txtc-bare-')),
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: `bare-${namespace}`,
    CHAIN_RPC_URL: stack.rpcUrl,
    TXTC_ADDRESS: stack.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stack.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stack.deployment.ratePair,
    WORKER_METRICS_PORT: '0',
    TEMPORAL_WORKER_METRICS_PORT: '0',
  };
  const worker = start('workers/main.ts', env);
  const code = await new Promise<number | null>((r) => worker.child.once('exit', r));
  expect(code).toBe(1);
  expect(worker.output()).toContain(
    `the Temporal namespace "${namespace}" lacks the search attributes TransferKind, TransferStatus, TransferStage, TransferOperator, TransferChannel, PhoneHash, AmountUsdCents; register them: for a in TransferKind=Keyword`,
  );
  expect(worker.output()).toContain(`temporal operator search-attribute create -n ${namespace}`);
  expect(worker.output()).not.toContain('worker started');
});
