/**
 * Temporal over mTLS (issue 23): the options every process builds from TEMPORAL_TLS_* (lib/temporal-
 * connection.ts) reach a server that demands TLS and a client certificate. The dev server speaks no TLS, so a
 * TLS terminator in front of it plays the cluster's frontend: it asks for a client certificate signed by its
 * CA and refuses anything else. Through it the client (API, scripts) starts a workflow and the worker's
 * native connection runs it; without the client pair, or in the clear, nothing connects.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { temporalConnectionOptions } from '../../lib/temporal-connection';
import { createBridgeWorker } from '../../workers/worker';
import { systemCheckWorkflow } from '../../workflows';
import {
  defaultActivities,
  openStack,
  testConfig,
  uniqueId,
  workflowBundle,
  type TestStackHandle,
} from '../support/stack';

let stack: TestStackHandle;
let dir: string;
let frontend: Server;
let address: string;
/** client certificates the terminator accepted, by subject CN */
const accepted: string[] = [];

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A CA, a server certificate for temporal.test, and a client certificate, all signed by the CA. */
function certificates(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=txtc-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  for (const [name, cn, usage] of [
    ['server', 'temporal.test', 'serverAuth'],
    ['client', 'txtc-worker', 'clientAuth'],
  ] as const) {
    writeFileSync(
      join(dir, `${name}.ext`),
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=${usage}\n` +
        (name === 'server' ? 'subjectAltName=DNS:temporal.test\n' : ''),
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
}

beforeAll(async () => {
  stack = await openStack();
  dir = mkdtempSync(join(tmpdir(), 'txtc-tls-'));
  certificates();
  const [host, port] = stack.config.temporal.address.split(':') as [string, string];
  frontend = createServer(
    {
      key: readFileSync(join(dir, 'server.key')),
      cert: readFileSync(join(dir, 'server.pem')),
      ca: readFileSync(join(dir, 'ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket: TLSSocket) => {
      const cn = socket.getPeerCertificate().subject?.CN;
      if (typeof cn === 'string') accepted.push(cn);
      const upstream = tcpConnect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    },
  );
  frontend.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => frontend.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(frontend.address() as AddressInfo).port}`;
});
afterAll(async () => {
  frontend?.close();
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The connection options a process builds from its environment. */
const optionsFrom = (env: Record<string, string>) =>
  temporalConnectionOptions(testConfig({ TEMPORAL_ADDRESS: address, ...env }).temporal);

const MTLS = () => ({
  TEMPORAL_TLS_CA_PATH: join(dir, 'ca.pem'),
  TEMPORAL_TLS_CERT_PATH: join(dir, 'client.pem'),
  TEMPORAL_TLS_KEY_PATH: join(dir, 'client.key'),
  TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
});

test('with the CA and the client pair from the environment, a client starts a workflow a worker runs, both over mTLS', async () => {
  const options = optionsFrom(MTLS());
  const connection = await Connection.connect(options);
  const native = await NativeConnection.connect(options);
  try {
    const client = new Client({ connection, namespace: stack.config.temporal.namespace });
    const taskQueue = uniqueId('tls');
    const worker = await createBridgeWorker({
      connection: native,
      namespace: stack.config.temporal.namespace,
      taskQueue,
      activities: defaultActivities(stack),
      workflowBundle: await workflowBundle(),
    });
    const result = await worker.runUntil(
      client.workflow.execute(systemCheckWorkflow, { taskQueue, workflowId: uniqueId('tls-check') }),
    );
    expect(result.chainId).toBe(31337);
  } finally {
    await connection.close();
    await native.close();
  }
  // Both connections presented the client certificate (the terminator refuses any other).
  expect(accepted.filter((cn) => cn === 'txtc-worker').length).toBeGreaterThanOrEqual(2);
});

test('without the client pair, or in the clear, nothing connects', async () => {
  const { TEMPORAL_TLS_CERT_PATH: _c, TEMPORAL_TLS_KEY_PATH: _k, ...caOnly } = MTLS();
  const attempts: Array<Record<string, string>> = [caOnly, {}];
  for (const env of attempts) {
    const options = optionsFrom(env);
    await expect(Connection.connect({ ...options, connectTimeout: 3000 })).rejects.toThrow();
    await expect(NativeConnection.connect(options)).rejects.toThrow();
  }
});
