/**
 * GET /health: Temporal, Postgres and the chain, each ok or failing. Public, so it says no more than that:
 * why a dependency fails goes to the log. The checks run at most once every HEALTH_CACHE_MS however often
 * the route is called (concurrent callers share one run), so a flood of health checks cannot load the
 * chain node or the database.
 */
import { Hono } from 'hono';
import type { AppDeps } from './context';

type Check = { status: 'ok' | 'failing' };
type Health = { ok: boolean; dependencies: Record<'temporal' | 'postgres' | 'chain', Check> };

const HEALTH_CACHE_MS = 5000;
const TIMEOUT_MS = 3000;

export function healthRoutes(deps: AppDeps) {
  async function check(name: string, probe: () => Promise<void>): Promise<Check> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        probe(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
        }),
      ]);
      return { status: 'ok' };
    } catch (e) {
      deps.log.warn({ dependency: name, err: e instanceof Error ? e.message : String(e) }, 'health check failing');
      return { status: 'failing' };
    } finally {
      clearTimeout(timer);
    }
  }

  async function measure(): Promise<Health> {
    const [temporal, postgres, chain] = await Promise.all([
      check('temporal', async () => {
        const { connection } = deps.temporal;
        await connection.withDeadline(Date.now() + TIMEOUT_MS - 500, () =>
          deps.temporal.workflowService.getSystemInfo({}),
        );
      }),
      check('postgres', async () => {
        await deps.pool.query('SELECT 1');
      }),
      check('chain', async () => {
        await deps.provider.getBlockNumber();
        if ((await deps.provider.getCode(deps.addresses.txtc)) === '0x')
          throw new Error('TXTC contract not deployed at the configured address');
      }),
    ]);
    const dependencies = { temporal, postgres, chain };
    return { ok: Object.values(dependencies).every((d) => d.status === 'ok'), dependencies };
  }

  let cached: { at: number; health: Promise<Health> } | undefined;
  return new Hono().get('/', async (c) => {
    const now = Date.now();
    if (!cached || now - cached.at >= HEALTH_CACHE_MS) cached = { at: now, health: measure() };
    const { ok, dependencies } = await cached.health;
    return c.json({ status: ok ? 'ok' : 'failing', dependencies }, ok ? 200 : 503);
  });
}
