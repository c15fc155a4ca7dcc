/** How every process reaches Temporal, and the embedded dev server `npm start` runs in local mode. */
import { z } from 'zod';
import { bool, port } from './kinds';
import { secret, variable, type Read } from './variable';

const path = z.string().min(1).optional();

export const temporalVariables = {
  address: variable(
    'TEMPORAL_ADDRESS',
    z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'must be host:port')
      .default('127.0.0.1:7233'),
  ),
  namespace: variable('TEMPORAL_NAMESPACE', z.string().min(1).default('default')),
  taskQueue: variable('TEMPORAL_TASK_QUEUE', z.string().min(1).default('txtc-bridge')),
  uiPort: variable('TEMPORAL_UI_PORT', port.default(8233)),
  cliPath: variable('TEMPORAL_CLI_PATH', z.string().optional()),
  tls: {
    on: variable('TEMPORAL_TLS', bool.optional()),
    caPath: variable('TEMPORAL_TLS_CA_PATH', path),
    certPath: variable('TEMPORAL_TLS_CERT_PATH', path),
    keyPath: variable('TEMPORAL_TLS_KEY_PATH', path),
    serverName: variable('TEMPORAL_TLS_SERVER_NAME', z.string().min(1).max(255).optional()),
  },
  apiKey: secret('TEMPORAL_API_KEY', z.string().min(8).max(4096).optional()),
  startLocal: variable('START_LOCAL_TEMPORAL', bool.default(true)),
};

/** Only what is set: TLS when asked for (TEMPORAL_TLS alone: the system's CAs), the API key when there is one. */
export function temporalConfig({ tls, apiKey, ...temporal }: Read<typeof temporalVariables>) {
  const { on, ...files } = tls;
  const given = Object.fromEntries(Object.entries(files).filter(([, value]) => value)) as Partial<
    Record<keyof typeof files, string>
  >;
  return {
    ...temporal,
    /** how the worker, the API and every script reach the server: TLS (server CA, mTLS pair) and/or an API key */
    ...(on || files.caPath || files.certPath || apiKey ? { tls: given } : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}
