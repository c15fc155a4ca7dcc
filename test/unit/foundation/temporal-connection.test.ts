/** Every process reaches Temporal the same way: TLS (CA, mTLS pair, server name) and an API key from the environment. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config';
import { temporalConnectionOptions } from '../../../lib/temporal-connection';

const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('without TLS settings the connection is the address alone (the local dev server)', () => {
  expect(temporalConnectionOptions(loadConfig({ APP_ENV: 'local' }).temporal)).toEqual({ address: '127.0.0.1:7233' });
});

test('TLS with the server CA, an mTLS client pair and a server name; an API key beside it', () => {
  const config = loadConfig({
    APP_ENV: 'local',
    TEMPORAL_ADDRESS: 'ns.a1b2c.tmprl.cloud:7233',
    TEMPORAL_TLS_CA_PATH: file('ca.pem', 'CA'),
    TEMPORAL_TLS_CERT_PATH: file('client.pem', 'CERT'),
    TEMPORAL_TLS_KEY_PATH: file('client.key', 'KEY'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    TEMPORAL_API_KEY: 'temporal-api-key-0123456789',
  });
  const options = temporalConnectionOptions(config.temporal);
  expect(options).toMatchObject({
    address: 'ns.a1b2c.tmprl.cloud:7233',
    apiKey: 'temporal-api-key-0123456789',
    tls: { serverNameOverride: 'temporal.internal' },
  });
  expect(options.tls?.serverRootCACertificate?.toString()).toBe('CA');
  expect(options.tls?.clientCertPair?.crt.toString()).toBe('CERT');
  expect(options.tls?.clientCertPair?.key.toString()).toBe('KEY');
  // TEMPORAL_TLS=true alone: TLS with the system's CAs.
  expect(temporalConnectionOptions(loadConfig({ APP_ENV: 'local', TEMPORAL_TLS: 'true' }).temporal)).toEqual({
    address: '127.0.0.1:7233',
    tls: {},
  });
});

test('half an mTLS pair is refused, naming the missing half; the API key is never echoed', () => {
  expect(() => loadConfig({ APP_ENV: 'local', TEMPORAL_TLS_CERT_PATH: '/x/client.pem' })).toThrow(
    /TEMPORAL_TLS_KEY_PATH is required with the other half/,
  );
  expect(() => loadConfig({ APP_ENV: 'local', TEMPORAL_API_KEY: 'short' })).toThrow(/TEMPORAL_API_KEY.*value hidden/);
});
