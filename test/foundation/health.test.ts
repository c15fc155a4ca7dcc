import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createProvider } from '../../lib/chain/provider';
import { freePort } from '../../scripts/local/processes';
import { openStack, testLog, type TestStackHandle } from '../support/stack';

let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

function app(overrides: Partial<Parameters<typeof createApp>[0]> = {}) {
  return createApp({ ...stack.runtime, temporal: stack.client, log: testLog, ...overrides });
}

test('GET /health is 200 with Temporal, Postgres and the chain all ok', async () => {
  const res = await app().request('/health');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    status: 'ok',
    dependencies: { temporal: { status: 'ok' }, postgres: { status: 'ok' }, chain: { status: 'ok' } },
  });
});

test('GET /health is 503 naming the chain when the RPC node does not answer', async () => {
  const deadProvider = createProvider(`http://127.0.0.1:${await freePort()}`);
  try {
    const res = await app({ provider: deadProvider }).request('/health');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; dependencies: Record<string, { status: string }> };
    expect(body.status).toBe('failing');
    expect(body.dependencies.chain!.status).toBe('failing');
    expect(body.dependencies.postgres!.status).toBe('ok');
    expect(body.dependencies.temporal!.status).toBe('ok');
  } finally {
    deadProvider.destroy();
  }
});

test('GET /health is 503 naming Temporal when the server does not answer', async () => {
  // Nothing listens on that port: the client's calls fail as in a Temporal outage.
  const lazy = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  const res = await app({ temporal: new Client({ connection: lazy }) }).request('/health');
  expect(res.status).toBe(503);
  const body = (await res.json()) as { dependencies: Record<string, { status: string }> };
  expect(body.dependencies.temporal!.status).toBe('failing');
});

test('an unknown path is a JSON 404', async () => {
  const res = await app().request('/nope');
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ error: { code: 'NotFound' } });
});

test('GET /health says ok or failing and nothing more, and probes at most once per few seconds however often it is called', async () => {
  const deadProvider = createProvider(`http://127.0.0.1:${await freePort()}`);
  let probes = 0;
  const counting = new Proxy(deadProvider, {
    get(target, prop, receiver) {
      if (prop === 'getBlockNumber') probes += 1;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  try {
    const api = app({ provider: counting });
    const answers = await Promise.all(Array.from({ length: 20 }, () => Promise.resolve(api.request('/health'))));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 503));
    const text = await answers[0]!.text();
    expect(JSON.parse(text)).toEqual({
      status: 'failing',
      dependencies: { temporal: { status: 'ok' }, postgres: { status: 'ok' }, chain: { status: 'failing' } },
    });
    // No internal error text (a node's address, a driver's message) reaches the public.
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|error/i);
    expect(probes).toBe(1);
  } finally {
    deadProvider.destroy();
  }
});
