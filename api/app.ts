/**
 * createApp(deps) builds the Hono application: one sub-app per resource, one error handler.
 * The API starts and reads workflows through the Temporal client; it never imports activities.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { ServiceError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { JsonRpcProvider } from 'ethers';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/log';
import type { ChainAddresses } from '../lib/runtime';
import type { TelcoOperator } from '../lib/telco/types';
import { createTelco } from '../lib/telco/factory';
import { PhoneNumberError } from '../lib/telco/detect';
import { DecimalError } from '../lib/money/decimal';
import { RateService, UnknownOperatorError } from '../lib/rates';
import { WalletDirectory } from '../lib/wallets';
import { TxtcToken } from '../lib/chain/txtc';
import { createConversionRepo, type ConversionRepo } from '../lib/db/conversions';
import { ApiError, errorBody } from './errors';
import { healthRoutes } from './health';
import { airtimeRoutes } from './airtime';
import { transferRoutes } from './transfers';
import { balanceRoutes } from './balance';
import { devRoutes } from './dev';

export interface AppDeps {
  config: Config;
  pool: Pool;
  provider: JsonRpcProvider;
  addresses: ChainAddresses;
  temporal: Client;
  log: Logger;
  telco?: TelcoOperator;
}

/** What the route modules share, built once per app. */
export interface ApiContext {
  deps: AppDeps;
  rates: RateService;
  telco: TelcoOperator;
  wallets: WalletDirectory;
  token: TxtcToken;
  conversions: ConversionRepo;
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === '57P01';
}

export function createApp(deps: AppDeps) {
  const ctx: ApiContext = {
    deps,
    rates: new RateService(deps),
    telco: deps.telco ?? createTelco(deps.config, deps.pool),
    wallets: new WalletDirectory(deps.pool, deps.config.walletMnemonic),
    token: new TxtcToken(deps.addresses.txtc, deps.provider),
    conversions: createConversionRepo(deps.pool),
  };
  const app = new Hono();
  app.use(requestId());
  app.route('/health', healthRoutes(deps));
  app.route('/api/airtime', airtimeRoutes(ctx));
  app.route('/api/transfers', transferRoutes(ctx));
  app.route('/api/balance', balanceRoutes(ctx));
  if (deps.config.appEnv === 'local') app.route('/dev', devRoutes(ctx));

  app.notFound((c) => c.json(errorBody(c, 'NotFound', 'no such resource'), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(c, err.code, err.message, err.details), err.status);
    if (err instanceof PhoneNumberError) return c.json(errorBody(c, err.code, err.message), 400);
    if (err instanceof DecimalError) return c.json(errorBody(c, 'InvalidAmount', err.message), 400);
    if (err instanceof UnknownOperatorError) return c.json(errorBody(c, 'UnknownOperator', err.message), 400);
    if (err instanceof ServiceError || isConnectionError(err)) {
      deps.log.warn({ err: err.message, requestId: c.get('requestId'), path: c.req.path }, 'dependency unavailable');
      return c.json(errorBody(c, 'Unavailable', 'the service is busy; try again (with the same Idempotency-Key)'), 503);
    }
    if (err instanceof HTTPException && err.status < 500) return c.json(errorBody(c, 'InvalidRequest', err.message || 'bad request'), err.status);
    deps.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled API error');
    return c.json(errorBody(c, 'InternalError', 'something went wrong; quote the request id when asking for help'), 500);
  });
  return app;
}
