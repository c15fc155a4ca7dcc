/**
 * How every process reaches Temporal (the worker, the API, the scripts): the address, and on a cluster TLS
 * (the server's CA, an mTLS client pair, a server name) and/or an API key (Temporal Cloud), all from the
 * environment (TEMPORAL_TLS*, TEMPORAL_API_KEY). One place, so no process connects in the clear by accident.
 */
import { readFileSync } from 'node:fs';
import type { Config } from './config';

export interface TemporalConnectionOptions {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

/** The options Connection.connect and NativeConnection.connect both take. Files are read once, here. */
export function temporalConnectionOptions(temporal: Config['temporal']): TemporalConnectionOptions {
  const { tls, apiKey } = temporal;
  return {
    address: temporal.address,
    ...(tls
      ? {
          tls: {
            ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
            ...(tls.caPath ? { serverRootCACertificate: readFileSync(tls.caPath) } : {}),
            ...(tls.certPath && tls.keyPath
              ? { clientCertPair: { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } }
              : {}),
          },
        }
      : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}
