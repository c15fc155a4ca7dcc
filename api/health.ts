import { Hono } from 'hono';
import type { AppDeps } from './app';

type Check = { status: 'ok' } | { status: 'failing'; error: string };

async function check(timeoutMs: number, probe: () => Promise<void>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok' };
  } catch (e) {
    // A short cause only: health is public, internals stay in the logs.
    return { status: 'failing', error: e instanceof Error ? e.message.split('\n')[0]!.slice(0, 200) : 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: AppDeps) {
  return new Hono().get('/', async (c) => {
    const timeoutMs = 3000;
    const [temporal, postgres, chain] = await Promise.all([
      check(timeoutMs, async () => {
        const { connection } = deps.temporal;
        await connection.withDeadline(Date.now() + timeoutMs - 500, () =>
          deps.temporal.workflowService.getSystemInfo({}),
        );
      }),
      check(timeoutMs, async () => {
        await deps.pool.query('SELECT 1');
      }),
      check(timeoutMs, async () => {
        await deps.provider.getBlockNumber();
        if ((await deps.provider.getCode(deps.addresses.txtc)) === '0x')
          throw new Error('TXTC contract not deployed at the configured address');
      }),
    ]);
    const dependencies = { temporal, postgres, chain };
    const ok = Object.values(dependencies).every((d) => d.status === 'ok');
    return c.json({ status: ok ? 'ok' : 'failing', dependencies }, ok ? 200 : 503);
  });
}
