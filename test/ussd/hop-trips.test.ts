/**
 * How many Postgres round trips the USSD webhook makes per hop (issue 25): a continuing hop that is not a PIN
 * counts itself against the number's rate limit and reads its session in one statement before its Temporal
 * update, and writes nothing after it when the session's expectation did not change. The app gets a pool that
 * counts its queries; the worker has its own, uncounted.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { createBridgeWorker } from '../../workers/worker';
import { hashPin } from '../../lib/pins';
import { createUssdRepo } from '../../lib/db/ussd';
import { openStack, testLog, workflowBundle, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { newSafaricomNumber, topUp } from '../support/money';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

/** The stack's pool, its query() counted (every other member as it is). */
function countingPool(pool: Pool): { pool: Pool; queries: string[] } {
  const queries: string[] = [];
  const counted = new Proxy(pool, {
    get(target, key) {
      if (key === 'query')
        return (...args: Parameters<Pool['query']>) => {
          const [text] = args as unknown as [string | { text: string }];
          queries.push((typeof text === 'string' ? text : text.text).replace(/\s+/g, ' ').slice(0, 60));
          return (target.query as (...a: unknown[]) => unknown).apply(target, args);
        };
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { pool: counted, queries };
}

test('a continuing hop: one Postgres round trip before its Temporal update, none after when nothing changed', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500_000n);
  const repo = createUssdRepo(stack.runtime.pool);
  await repo.setPin(phone, await hashPin('7391'));
  await repo.completeRegistration(phone, 'en');

  const taskQueue = `hop-trips-${randomUUID()}`;
  const config = { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } };
  const worker = await createBridgeWorker({
    connection: stack.nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    activities: createActivities({ ...stack.runtime, config, log: testLog }),
    workflowBundle: await workflowBundle(),
  });
  const { pool, queries } = countingPool(stack.runtime.pool);
  const app = createApp({ ...stack.runtime, pool, config, temporal: stack.client, log: testLog });
  const sessionId = `ATUid_${randomUUID()}`;
  const hop = async (text: string) => {
    queries.length = 0;
    const res = await app.request('/ussd', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({
        sessionId,
        serviceCode: '*123*456#',
        phoneNumber: phone,
        networkCode: '63902',
        text,
      }),
    });
    return { screen: await res.text(), queries: [...queries] };
  };

  await worker.runUntil(async () => {
    const dial = await hop('');
    expect(dial.screen).toMatch(/^CON .*1 Buy TXTC/s);
    // The dial records the session and reads who the person is (several reads, in parallel).
    expect(dial.queries.length).toBeGreaterThan(1);

    // "3 Check balance": a plain hop, its screen from the workflow; the session still expects plain text.
    const balance = await hop('3');
    expect(balance.screen).toMatch(/^CON .*KES 5,000\.00/s);
    expect(balance.queries).toHaveLength(1);
    expect(balance.queries[0]).toMatch(/^WITH w AS/);

    // "0" back to the menu: one again.
    const back = await hop('3*0');
    expect(back.screen).toMatch(/^CON .*1 Buy TXTC/s);
    expect(back.queries).toHaveLength(1);
  });
});
