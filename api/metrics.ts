/**
 * GET /metrics in the Prometheus text format: this process's metrics (HTTP, operator calls made here,
 * Node) and the money metrics read from the records (lib/record-metrics.ts). Plus the middleware that
 * counts every request by its route pattern: paths carry phone numbers, patterns keep the series bounded.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Registry } from 'prom-client';
import { enableDefaultMetrics, httpRequestDuration, httpRequests, processRegistry } from '../lib/metrics';
import { createRecordMetrics } from '../lib/record-metrics';
import type { ApiContext } from './context';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Counts each request by method, route pattern and status, and times it. */
export function httpMetrics(): MiddlewareHandler {
  return async (c, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      // after next() the route index is the handler that answered; a middleware's catch-all means none did
      const pattern = routePath(c);
      const route = !pattern || pattern === '*' || pattern === '/*' ? 'unmatched' : pattern;
      const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      httpRequests.inc({ method, route, status: String(c.res.status) });
      httpRequestDuration.observe({ method, route }, seconds);
    }
  };
}

export function metricsRoutes({ deps }: ApiContext) {
  enableDefaultMetrics();
  const records = createRecordMetrics({
    pool: deps.pool,
    provider: deps.provider,
    addresses: deps.addresses,
    cacheTtlMs: deps.config.metrics.cacheTtlMs,
  });
  const registry = Registry.merge([processRegistry, records]);
  return new Hono().get('/', async (c) => {
    let text: string;
    try {
      text = await registry.metrics();
    } catch (err) {
      // The records are away (Postgres down): this process's own metrics still answer, and the gap shows.
      deps.log.warn({ err: (err as Error).message }, 'record metrics unavailable');
      text = await processRegistry.metrics();
    }
    return c.body(text, 200, { 'content-type': registry.contentType });
  });
}
