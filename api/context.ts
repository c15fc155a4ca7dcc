/**
 * What every route file is built from, built once per app: the deps, the service graph, the rate limits and
 * the ops actions. Route files import this module, never app.ts, so the dependencies point one way
 * (app.ts -> route files -> context.ts).
 */
import type { Client } from '@temporalio/client';
import type { Logger } from '../lib/log';
import { createServices, type ServiceDeps, type Services } from '../lib/services';
import { createOpsActions, type OpsActions } from '../lib/ops/actions';
import { createRateLimits, type RateLimits } from './rate-limit';

export interface AppDeps extends ServiceDeps {
  temporal: Client;
  log: Logger;
}

/** What the route modules share, built once per app. */
export interface ApiContext {
  deps: AppDeps;
  services: Services;
  /** the app's rate limits, built once (every route file uses these) */
  limits: RateLimits;
  /** what ops do, for the console and the REST routes alike (lib/ops/actions.ts) */
  ops: OpsActions;
}

/** What every route file is built from: the deps, the service graph and the rate limits, once per app. */
export function createApiContext(deps: AppDeps): ApiContext {
  const services = createServices(deps);
  const ops = createOpsActions({ temporal: deps.temporal, services, config: deps.config, audit: services.opsConsole });
  return { deps, services, limits: createRateLimits(deps), ops };
}
