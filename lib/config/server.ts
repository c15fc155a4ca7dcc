/** The process itself: production or local, where it listens, what it logs, where its state and database are. */
import { z } from 'zod';
import { port } from './kinds';
import { secret, variable, type Read } from './variable';

export const serverVariables = {
  // Production unless told otherwise: `npm start`, the tests, the benchmarks and the chaos run set local.
  appEnv: variable('APP_ENV', z.enum(['local', 'production']).default('production')),
  /** the address the API and the metrics endpoints listen on (local: loopback; production: every interface) */
  host: variable('HOST', z.string().min(1).max(255).optional()),
  logLevel: variable(
    'LOG_LEVEL',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  port: variable('PORT', port.default(8082)),
  dataDir: variable('DATA_DIR', z.string().min(1).default('data')),
  databaseUrl: secret(
    'DATABASE_URL',
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .default('postgres://postgres@127.0.0.1:5432/txtc_bridge'),
  ),
};

export function serverConfig({ host, ...server }: Read<typeof serverVariables>) {
  return {
    ...server,
    /** where the API and the metrics endpoints listen: HOST, else loopback in local mode, every interface in production */
    host: host ?? (server.appEnv === 'local' ? '127.0.0.1' : '0.0.0.0'),
  };
}
