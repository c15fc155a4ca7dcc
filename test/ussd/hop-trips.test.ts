/**
 * How many Postgres round trips the USSD webhook makes per hop (issue 25): a dial counts itself against the
 * number's rate limit, records the session and reads who the person is in one statement; a continuing hop
 * counts itself and reads its session in one; a PIN hop adds the one statement that records the PIN check's
 * outcome. All before the Temporal update; after it a hop writes only when the session's expectation changed.
 * The app gets a pool that counts its queries (a transaction's too) and a Temporal client that marks where its
 * update went in that list; the worker has its own pool, uncounted.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Pool, PoolClient } from 'pg';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { createBridgeWorker } from '../../workers/worker';
import { openStack, testLog, workflowBundle, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';
import { newSafaricomNumber, registeredPayer } from '../support/money';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

const TEMPORAL = '-- the Temporal update --';

/** The stack's pool, its query() counted, and a connection's taken from it too (every other member as it is). */
function countingPool(pool: Pool): { pool: Pool; queries: string[] } {
  const queries: string[] = [];
  const counted = <T extends object>(target: T, key: string | symbol): unknown => {
    const value = Reflect.get(target, key, target) as unknown;
    if (key === 'query')
      return (...args: unknown[]) => {
        const [text] = args as [string | { text: string }];
        queries.push((typeof text === 'string' ? text : text.text).replace(/\s+/g, ' ').trim().slice(0, 60));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    if (key === 'connect')
      return async () => {
        const client = await (value as () => Promise<PoolClient>).apply(target);
        return new Proxy(client, { get: counted });
      };
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  };
  return { pool: new Proxy(pool, { get: counted }), queries };
}

/** The stack's Temporal client, its update-with-start marked in `queries` as it is made. */
function markingClient(client: Client, queries: string[]): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === 'executeUpdateWithStart')
        return (...args: unknown[]) => {
          queries.push(TEMPORAL);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(client, {
    get: (target, key) => (key === 'workflow' ? workflow : (Reflect.get(target, key, target) as unknown)),
  });
}

/** The queries a hop made before its Temporal update, and after it. */
function split(queries: string[]): { before: string[]; after: string[] } {
  const at = queries.indexOf(TEMPORAL);
  expect(at).toBeGreaterThanOrEqual(0);
  return { before: queries.slice(0, at), after: queries.slice(at + 1) };
}

test('one Postgres round trip before the Temporal update for a dial and a continuing hop, two for a PIN hop', async () => {
  const phone = await registeredPayer(stack.runtime.pool, '7391');

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
  const temporal = markingClient(stack.client, queries);
  const app = createApp({ ...stack.runtime, pool, config, temporal, log: testLog });
  const post = async (sessionId: string, phoneNumber: string, text: string) => {
    queries.length = 0;
    const res = await app.request('/ussd', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({ sessionId, serviceCode: '*123*456#', phoneNumber, networkCode: '63902', text }),
    });
    return { screen: await res.text(), queries: [...queries] };
  };
  const sessionId = `ATUid_${randomUUID()}`;
  const hop = (text: string) => post(sessionId, phone, text);

  await worker.runUntil(async () => {
    // Another number's dial first: the operators' rates are cached in memory (read once per RATES_CACHE_TTL_MS).
    expect((await post(`ATUid_${randomUUID()}`, newSafaricomNumber(), '')).screen).toMatch(/^CON /);

    // The dial: the rate-limit hit, the session, its other open sessions, the profile, a dropped session's
    // state and a consent wait, in one statement.
    const dial = await hop('');
    expect(dial.screen).toMatch(/^CON .*1 Buy TXTC/s);
    expect(split(dial.queries).before).toHaveLength(1);
    expect(split(dial.queries).before[0]).toMatch(/^WITH w AS/);
    expect(split(dial.queries).after).toEqual([]);

    // "3 Check balance": a plain hop, its screen from the workflow; the session still expects plain text.
    const balance = await hop('3');
    expect(balance.screen).toMatch(/^CON .*KES 5,000\.00/s);
    expect(split(balance.queries).before).toHaveLength(1);
    expect(split(balance.queries).before[0]).toMatch(/^WITH w AS/);
    expect(split(balance.queries).after).toEqual([]);

    // "0" back to the menu: one again.
    const back = await hop('3*0');
    expect(back.screen).toMatch(/^CON .*1 Buy TXTC/s);
    expect(back.queries.filter((q) => q !== TEMPORAL)).toHaveLength(1);

    // "1 Buy TXTC", an amount: the session now expects a PIN (written after the update, as it changed).
    await hop('3*0*1');
    const amount = await hop('3*0*1*645');
    expect(amount.screen).toMatch(/^CON .*PIN/s);
    expect(split(amount.queries).before).toHaveLength(1);
    expect(split(amount.queries).after).toHaveLength(1);

    // The PIN: the hop's read brought the PIN's state, and one statement records the check's outcome.
    const pin = await hop('3*0*1*645*7391');
    expect(pin.screen).toMatch(/^END Request received/);
    const { before } = split(pin.queries);
    expect(before).toHaveLength(2);
    expect(before[1]).toMatch(/^WITH cur AS MATERIALIZED/);
    expect(pin.queries.join('\n')).not.toContain('7391');
  });
});
