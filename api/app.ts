/**
 * createApp(deps) builds the Hono application: one sub-app per resource, one error handler.
 * The API starts and reads workflows through the Temporal client; it never imports activities.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { bodyLimit } from 'hono/body-limit';
import { ServiceError } from '@temporalio/client';
import { logScope } from '../lib/log';
import { createApiContext, type ApiContext, type AppDeps } from './context';

export { createApiContext, type ApiContext, type AppDeps } from './context';
import { BridgeError } from '../lib/definitions';
import { errorBody, failureResponse, isConnectionError, isUnstorableText } from './errors';
import { healthRoutes } from './health';
import { conversionRoutes } from './conversion';
import { airtimeTransferRoute, transferRoutes } from './transfers';
import { transactionRoutes } from './transactions';
import { ussdRoutes } from './ussd';
import { smsRoutes } from './sms';
import { smsDeliveryRoutes } from './sms-delivery';
import { atCallbackRoutes } from './telco/at-callbacks';
import { operatorCallbackRoutes } from './telco/operator-callbacks';
import { pinRoutes } from './pins';
import { voucherRoutes } from './vouchers';
import { fraudRoutes } from './fraud';
import { reconciliationRoutes } from './ops/reconciliations';
import { balanceRoutes } from './balance';
import { devRoutes } from './dev/routes';
import { simulatorRoutes } from './dev/simulator';
import { httpMetrics, metricsRoutes } from './metrics';
import { webhookAuth } from './webhook-auth';
import { apiKeyAuth } from './api-keys';
import { opsAlertRoutes } from './ops/alerts';
import { opsMovementRoutes } from './ops/movements';
import { consoleRoutes, consoleSettingsOf } from './ops/console';

/**
 * The REST resources, mounted under /api behind the address limit, the API key and the key's own limit. Hono
 * matches in this order: /airtime/transfer before /airtime.
 */
const REST: Record<string, (ctx: ApiContext) => Hono> = {
  '/airtime/transfer': airtimeTransferRoute,
  '/airtime': conversionRoutes,
  '/transfers': transferRoutes,
  '/balance': balanceRoutes,
  '/transactions': transactionRoutes,
  '/pins': pinRoutes,
  '/vouchers': voucherRoutes,
  '/fraud': fraudRoutes,
  '/reconciliations': reconciliationRoutes,
  '/ops/alerts': opsAlertRoutes,
  '/ops/movements': opsMovementRoutes,
};

/** What the operators call: the USSD and SMS gateways (behind the webhook secret) and the payment callbacks. */
const GATEWAYS: [string, (ctx: ApiContext) => Hono][] = [
  ['/ussd', ussdRoutes],
  ['/sms', smsRoutes],
  ['/sms', smsDeliveryRoutes],
  ['/at', atCallbackRoutes], // Africa's Talking's airtime callbacks, behind their own secret
  ['/', operatorCallbackRoutes], // MoMo's and Airtel's payment callbacks, a secret in their path
];

export function createApp(deps: AppDeps) {
  const ctx = createApiContext(deps);
  const { limits } = ctx;
  const app = new Hono();
  app.use(requestId());
  // Every line logged while a request is handled carries its request id.
  app.use((c, next) => logScope.run({ requestId: c.get('requestId') }, next));
  app.use(httpMetrics());
  // Every body is refused past the limit before a parser sees it (Content-Length, or while streaming).
  const maxBodyBytes = deps.config.http.maxBodyBytes;
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => c.json(errorBody(c, 'PayloadTooLarge', `the body is larger than ${maxBodyBytes} bytes`), 413),
    }),
  );
  app.use('/ussd/*', webhookAuth(ctx, 'ussd'));
  app.use('/sms/*', webhookAuth(ctx, 'sms'));
  app.use('/api/*', limits.ip);
  // After the address limit, so guessing keys is limited too; /health, /metrics and the webhooks need none.
  app.use('/api/*', apiKeyAuth(ctx));
  app.use('/api/*', limits.key);
  for (const path of ['/dev/*', '/ops/*', '/ops']) app.use(path, limits.ip);
  app.route('/health', healthRoutes(deps));
  app.route('/metrics', metricsRoutes(ctx));
  for (const [path, routes] of Object.entries(REST)) app.route(`/api${path}`, routes(ctx));
  app.route('/ops', consoleRoutes(ctx, consoleSettingsOf(deps.config)));
  for (const [path, routes] of GATEWAYS) app.route(path, routes(ctx));
  if (deps.config.appEnv === 'local') app.route('/dev', devRoutes(ctx));
  if (deps.config.appEnv === 'local') {
    // The simulator's page goes through the real webhook, the secret added here so the page never holds it.
    const ussdGateway = (path: '/ussd' | '/ussd/end', init: RequestInit, env: unknown) => {
      const headers = new Headers(init.headers);
      headers.set('x-webhook-secret', deps.config.webhooks.ussdSecret);
      return app.request(path, { ...init, headers }, env);
    };
    app.route('/simulator', simulatorRoutes(ctx, ussdGateway));
  }

  app.notFound((c) => failureResponse(c, 'NotFound', 'no such resource'));
  app.onError((err, c) => {
    if (err instanceof BridgeError) return failureResponse(c, err.code, err.message, err.details);
    if (err instanceof ServiceError || isConnectionError(err)) {
      deps.log.warn({ err: err.message, requestId: c.get('requestId'), path: c.req.path }, 'dependency unavailable');
      return failureResponse(c, 'Unavailable', 'the service is busy; try again (with the same Idempotency-Key)');
    }
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's parse errors append the parser's exception ("... TypeError: Failed to parse body"): not for callers.
      const message = err.message.replace(/\s*\w*Error: .*$/s, '') || 'bad request';
      return c.json(errorBody(c, 'InvalidRequest', message), err.status);
    }
    if (isUnstorableText(err)) {
      return failureResponse(c, 'InvalidRequest', 'the request contains characters that are not accepted (e.g. NUL)');
    }
    deps.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled API error');
    return failureResponse(c, 'InternalError', 'something went wrong; quote the request id when asking for help');
  });
  return app;
}
