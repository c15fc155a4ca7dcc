/**
 * createApp(deps) builds the Hono application: one sub-app per resource, one error handler.
 * The API starts and reads workflows through the Temporal client; it never imports activities.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { JsonRpcProvider } from 'ethers';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/log';
import type { ChainAddresses } from '../lib/runtime';
import { ApiError, errorBody } from './errors';
import { healthRoutes } from './health';

export interface AppDeps {
  config: Config;
  pool: Pool;
  provider: JsonRpcProvider;
  addresses: ChainAddresses;
  temporal: Client;
  log: Logger;
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.use(requestId());
  app.route('/health', healthRoutes(deps));

  app.notFound((c) => c.json(errorBody(c, 'NotFound', 'no such resource'), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(c, err.code, err.message, err.details), err.status);
    deps.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled API error');
    return c.json(errorBody(c, 'InternalError', 'something went wrong; quote the request id when asking for help'), 500);
  });
  return app;
}
