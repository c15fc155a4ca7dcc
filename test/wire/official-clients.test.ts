/**
 * The wire tier (issue 24): the operators' own clients, africastalking@0.8.3 (AT's official Node SDK) and
 * mtn-momo@2.0.0 (the widely used MoMo client), and our adapters make the same operations against the
 * project's protocol servers, which record every request as it came. Each official request is compared with
 * ours field by field: method, path, query keys, content type, the headers that carry identity and
 * idempotency, body field names and each value's format. A fake we wrote could share our misreading; the
 * official clients cannot. Needs only Postgres (the AT adapter keeps its sends there): no Temporal, no chain.
 */
import { dirname } from 'node:path';
import type { Pool } from 'pg';
import { AfricasTalkingOperator } from '../../lib/telco/africastalking';
import { MomoOperator } from '../../lib/telco/momo';
import { loadConfig } from '../../lib/config';
import { createPool, dropDatabase, ensureDatabase, runMigrations } from '../../lib/db/pool';
import { AfricasTalkingServer } from '../support/protocol/africastalking-server';
import { MomoServer } from '../support/protocol/momo-server';
import type { RecordedRequest } from '../support/protocol/local-server';

/* eslint-disable @typescript-eslint/no-require-imports -- the official clients are CommonJS without types */
const africastalking = require('africastalking') as (o: { username: string; apiKey: string }) => {
  SMS: { send(o: { to: string | string[]; message: string; from?: string }): Promise<unknown> };
  AIRTIME: {
    send(o: {
      recipients: { phoneNumber: string; currencyCode: string; amount: number }[];
      idempotencyKey?: string;
    }): Promise<unknown>;
  };
  APPLICATION: { fetchApplicationData(): Promise<unknown> };
};
const momo = require('mtn-momo') as {
  create(o: { callbackHost: string; baseUrl: string; environment: string }): {
    Collections(o: { primaryKey: string; userId: string; userSecret: string }): {
      requestToPay(o: Record<string, unknown>): Promise<string>;
      getTransaction(id: string): Promise<unknown>;
      getBalance(): Promise<unknown>;
    };
    Disbursements(o: { primaryKey: string; userId: string; userSecret: string }): {
      transfer(o: Record<string, unknown>): Promise<string>;
      getTransaction(id: string): Promise<unknown>;
      getBalance(): Promise<unknown>;
    };
  };
};
/** The axios the AT SDK resolves: its requests go to https://api[.sandbox].africastalking.com, sent here. */
type AxiosConfig = { url?: string; baseURL?: string; params?: unknown };
const atAxios = require(require.resolve('axios', { paths: [dirname(require.resolve('africastalking'))] })) as {
  defaults: { adapter: unknown };
  getUri(config: AxiosConfig): string;
  getAdapter(name: string): (config: AxiosConfig) => Promise<unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

// ---------------------------------------------------------------------------------------------------
// What is compared

/** Headers every HTTP client sets its own way (not part of an operator's protocol). */
const TRANSPORT = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'connection',
  'content-length',
  'host',
  'sec-fetch-mode',
  'user-agent',
]);

/** A value's format: what the operator's parser sees, never the value itself. */
export function shape(value: unknown): string {
  if (Array.isArray(value)) return `[${[...new Set(value.map(shape))].join('|')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${k}:${shape(v)}`).join(',')}}`;
  }
  if (typeof value === 'number') return 'number';
  const text = String(value);
  if (/^\+[1-9]\d{7,14}$/.test(text)) return 'e164';
  if (/^[1-9]\d{7,14}$/.test(text)) return 'msisdn';
  if (/^[A-Z]{3} \d+(\.\d+)?$/.test(text)) return 'currency-decimal';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(text)) return 'uuid4';
  // "20", "20.00": a number as text (MoMo's amounts, AT's flags); how many decimals is the caller's choice
  if (/^\d+(\.\d+)?$/.test(text)) return 'numeric';
  if (/^Bearer \S+$/.test(text)) return 'bearer';
  if (/^Basic \S+$/.test(text)) return 'basic';
  if (/^\[.*\]$|^\{.*\}$/s.test(text)) {
    try {
      return `json${shape(JSON.parse(text) as unknown)}`;
    } catch {
      // not JSON after all
    }
  }
  return 'text';
}

/** A request as the comparison sees it: the protocol, every value replaced by its format. */
export interface Wire {
  method: string;
  path: string;
  query: string;
  contentType: string;
  headers: Record<string, string>;
  body: string;
}

export function wire(r: RecordedRequest): Wire {
  const contentType = (r.headers['content-type'] ?? '').split(';')[0]!.trim();
  const headers = Object.fromEntries(
    Object.entries(r.headers)
      .filter(([name]) => !TRANSPORT.has(name) && name !== 'content-type')
      .map(([name, value]) => [name, shape(value)]),
  );
  let body: unknown;
  if (contentType === 'application/x-www-form-urlencoded') body = Object.fromEntries(new URLSearchParams(r.body));
  else if (contentType === 'application/json' && r.body) body = JSON.parse(r.body) as unknown;
  return {
    method: r.method,
    path: r.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}'),
    query: shape(r.query),
    contentType: contentType || '-',
    headers,
    body: body === undefined ? '-' : shape(body),
  };
}

/** The requests made while `fn` ran. */
async function during(recorded: RecordedRequest[], fn: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const from = recorded.length;
  await fn().catch(() => undefined);
  return recorded.slice(from);
}

/** Every comparison made, printed as the closing note's table at the end. */
const table: { operation: string; official: string; ours: string; match: boolean }[] = [];
function compare(operation: string, official: RecordedRequest | undefined, ours: RecordedRequest | undefined) {
  expect(official).toBeDefined();
  expect(ours).toBeDefined();
  const [a, b] = [wire(official!), wire(ours!)];
  const line = (w: Wire) =>
    `${w.method} ${w.path}${w.query === '{}' ? '' : `?${w.query}`} [${Object.keys(w.headers).sort().join(', ')}] ${w.contentType} ${w.body}`;
  const canonical = (w: Wire) => JSON.stringify(w, (_k, v: unknown) => sorted(v));
  table.push({ operation, official: line(a), ours: line(b), match: canonical(a) === canonical(b) });
  expect({ operation, ...b }).toEqual({ operation, ...a });
}

function sorted(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
}

afterAll(() => {
  const rows = table.map((t) => `| ${t.operation} | \`${t.official}\` | \`${t.ours}\` | ${t.match ? 'yes' : 'NO'} |`);
  process.stdout.write(
    `\n| operation | official request | ours | match |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`,
  );
});

// ---------------------------------------------------------------------------------------------------
// Africa's Talking

const DATABASE_URL = `${process.env.WIRE_DATABASE_BASE ?? 'postgres://postgres@127.0.0.1:5432'}/txtc_wire_${process.pid}`;
let pool: Pool;
let at: AfricasTalkingServer;
/** the host the SDK meant to reach for each request, before it was sent to the local server */
const sdkHosts: string[] = [];

beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  await runMigrations(DATABASE_URL);
  pool = createPool(DATABASE_URL, 2);
  at = await new AfricasTalkingServer({ outcome: () => 'hold' }).start();
  const http = atAxios.getAdapter('http');
  atAxios.defaults.adapter = (config: AxiosConfig) => {
    const target = new URL(atAxios.getUri(config));
    sdkHosts.push(target.host);
    return http({
      ...config,
      baseURL: undefined,
      params: undefined,
      url: `${at.baseUrl}${target.pathname}${target.search}`,
    });
  };
});
afterAll(async () => {
  await at?.stop();
  await pool?.end();
  await dropDatabase(DATABASE_URL);
});

const sdk = () => africastalking({ username: at.username, apiKey: at.apiKey });
const adapter = () =>
  new AfricasTalkingOperator(pool, {
    username: at.username,
    apiKey: at.apiKey,
    baseUrl: at.baseUrl,
    httpTimeoutMs: 2000,
    statusWaitMs: 0,
  });

describe("Africa's Talking: africastalking@0.8.3 and our adapter, request by request", () => {
  test('SMS to one number', async () => {
    const [official] = await during(at.recorded, () => sdk().SMS.send({ to: '+254711000001', message: 'Hello' }));
    const [ours] = await during(at.recorded, () => adapter().sendSms('+254711000002', 'Hello'));
    compare('AT SMS, one number', official, ours);
  });

  test('SMS to several numbers: the SDK joins them in one `to`; ours sends one such request per number', async () => {
    const numbers = ['+254711000003', '+254711000004'];
    const [official] = await during(at.recorded, () => sdk().SMS.send({ to: numbers, message: 'Hello all' }));
    expect(new URLSearchParams(official!.body).get('to')).toBe(numbers.join(','));
    const ours = await during(at.recorded, async () => {
      for (const n of numbers) await adapter().sendSms(n, 'Hello all');
    });
    expect(ours.map((r) => new URLSearchParams(r.body).get('to'))).toEqual(numbers);
    // Field for field the same request, the list of numbers aside.
    const one = (r: RecordedRequest) => ({ ...r, body: r.body.replace(/to=[^&]*/, 'to=%2B254711000000') });
    for (const r of ours) compare('AT SMS, several numbers (each)', one(official!), one(r));
  });

  test('airtime send: a form whose recipients are a JSON string of {phoneNumber, amount: "KES 100.50"}', async () => {
    const reference = `wire-at-${process.pid}-1`;
    const [official] = await during(at.recorded, () =>
      sdk().AIRTIME.send({
        recipients: [{ phoneNumber: '+254711000005', currencyCode: 'KES', amount: 100.5 }],
        idempotencyKey: `${reference}-sdk`,
      }),
    );
    const [ours] = await during(at.recorded, () =>
      adapter().credit({ phoneNumber: '+254711000006', operator: 'safaricom-ke', amountMinor: 10050n, reference }),
    );
    compare('AT airtime send', official, ours);
    // The same money: "KES 100.5" and "KES 100.50" are one amount; ours is exact from minor units.
    const amounts = [official!, ours!].map(
      (r) => (JSON.parse(new URLSearchParams(r.body).get('recipients')!) as { amount: string }[])[0]!.amount,
    );
    expect(amounts).toEqual(['KES 100.5', 'KES 100.50']);
    expect(at.airtime.map((e) => e.amountMinor)).toEqual([10050n, 10050n]);
  });

  test('application balance (the float)', async () => {
    const [official] = await during(at.recorded, () => sdk().APPLICATION.fetchApplicationData());
    let floats: unknown;
    const [ours] = await during(at.recorded, async () => (floats = await adapter().floats()));
    compare('AT application balance', official, ours);
    expect(floats).toEqual([{ account: 'application', currency: 'KES', balanceMinor: at.accountMinor.get('KES') }]);
  });

  test('the host: the username decides as in the SDK (sandbox -> sandbox host, any other -> live) unless AT_ENVIRONMENT says', async () => {
    expect(new Set(sdkHosts)).toEqual(new Set(['api.sandbox.africastalking.com']));
    const host = (env: Record<string, string>) =>
      new URL(loadConfig({ APP_ENV: 'local', ...env }).telco.africastalking.baseUrl).host;
    expect(host({ AT_USERNAME: 'sandbox' })).toBe('api.sandbox.africastalking.com');
    expect(host({ AT_USERNAME: 'myapp' })).toBe('api.africastalking.com');
    expect(host({ AT_USERNAME: 'myapp', AT_ENVIRONMENT: 'sandbox' })).toBe('api.sandbox.africastalking.com');
    // The SDK itself, with a live username: its airtime call goes to the live host.
    const live = africastalking({ username: 'myapp', apiKey: at.apiKey });
    sdkHosts.length = 0;
    await live.AIRTIME.send({ recipients: [{ phoneNumber: '+254711000007', currencyCode: 'KES', amount: 10 }] }).catch(
      () => undefined,
    );
    expect(sdkHosts).toEqual(['api.africastalking.com']);
  });

  test('the server refuses what the SDK would never send: a JSON airtime body', async () => {
    const res = await fetch(`${at.baseUrl}/version1/airtime/send`, {
      method: 'POST',
      headers: { apiKey: at.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: at.username,
        recipients: [{ phoneNumber: '+254711000008', currencyCode: 'KES', amount: 10 }],
      }),
    });
    expect(res.status).toBe(400);
    expect(at.movementsTo('+254711000008')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// MTN MoMo

describe('MTN MoMo: mtn-momo@2.0.0 and our adapter, request by request', () => {
  // mtn-momo takes only v4 UUIDs as the API user, as MoMo provisions them.
  const credentials = {
    collection: {
      subscriptionKey: 'coll-sub-key',
      apiUser: '0b5a5c1e-3c1b-4c2e-9a1f-1d2e3f4a5b6c',
      apiKey: 'coll-key',
    },
    disbursement: {
      subscriptionKey: 'disb-sub-key',
      apiUser: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
      apiKey: 'disb-key',
    },
  };
  let server: MomoServer;
  let official: ReturnType<ReturnType<typeof momo.create>['Collections']>;
  let officialPayouts: ReturnType<ReturnType<typeof momo.create>['Disbursements']>;
  let ours: MomoOperator;

  beforeAll(async () => {
    server = await new MomoServer({ currency: 'EUR', digits: 2, targetEnvironment: 'sandbox', ...credentials }).start();
    for (const n of ['46733123450', '46733123451']) server.payer(n, { balanceMinor: 1_000_000n });
    const client = momo.create({ callbackHost: 'example.com', baseUrl: server.url, environment: 'sandbox' });
    const product = (p: 'collection' | 'disbursement') => ({
      primaryKey: credentials[p].subscriptionKey,
      userId: credentials[p].apiUser,
      userSecret: credentials[p].apiKey,
    });
    official = client.Collections(product('collection'));
    officialPayouts = client.Disbursements(product('disbursement'));
    ours = new MomoOperator({
      baseUrl: server.url,
      targetEnvironment: 'sandbox',
      currency: 'EUR',
      ...credentials,
      approvalTimeoutMs: 2000,
      pollInitialMs: 10,
      pollMaxMs: 50,
    });
  });
  afterAll(() => server.stop());

  const byPath = (requests: RecordedRequest[], method: string, path: RegExp) =>
    requests.find((r) => r.method === method && path.test(r.path));

  test('request-to-pay (the debit), its token and its status', async () => {
    let id = '';
    const mine = await during(server.recorded, async () => {
      id = await official.requestToPay({
        amount: '150.50',
        currency: 'EUR',
        externalId: 'debit:wire-1',
        payer: { partyIdType: 'MSISDN', partyId: '46733123450' },
        payerMessage: 'TXTC',
        payeeNote: 'debit:wire-1',
      });
      await official.getTransaction(id);
    });
    const adapter = await during(server.recorded, () =>
      ours.debit({ phoneNumber: '+46733123451', operator: 'mtn', amountMinor: 15050n, reference: 'debit:wire-2' }),
    );
    compare('MoMo collection token', byPath(mine, 'POST', /token/), byPath(adapter, 'POST', /token/));
    compare('MoMo request-to-pay', byPath(mine, 'POST', /requesttopay$/), byPath(adapter, 'POST', /requesttopay$/));
    compare(
      'MoMo request-to-pay status',
      byPath(mine, 'GET', /requesttopay\/.+/),
      // ours reads the status after the POST (the first GET looks for a payment begun before the v4 ids)
      adapter.filter((r) => r.method === 'GET' && /requesttopay\/.+/.test(r.path)).at(-1),
    );
    expect(server.movementsOf('46733123451')).toHaveLength(1);
  });

  test('transfer (the credit) and its status; X-Reference-Id is a v4 UUID either way', async () => {
    const mine = await during(server.recorded, async () => {
      const id = await officialPayouts.transfer({
        amount: '20.00',
        currency: 'EUR',
        externalId: 'credit:wire-1',
        payee: { partyIdType: 'MSISDN', partyId: '46733123450' },
        payerMessage: 'TXTC',
        payeeNote: 'credit:wire-1',
        referenceId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      });
      await officialPayouts.getTransaction(id);
    });
    const adapter = await during(server.recorded, () =>
      ours.credit({ phoneNumber: '+46733123451', operator: 'mtn', amountMinor: 2000n, reference: 'credit:wire-2' }),
    );
    compare('MoMo disbursement token', byPath(mine, 'POST', /token/), byPath(adapter, 'POST', /token/));
    compare('MoMo transfer', byPath(mine, 'POST', /transfer$/), byPath(adapter, 'POST', /transfer$/));
    compare(
      'MoMo transfer status',
      byPath(mine, 'GET', /transfer\/.+/),
      adapter.filter((r) => r.method === 'GET' && /transfer\/.+/.test(r.path)).at(-1),
    );
    expect(server.movementsOf('46733123451').filter((m) => m.product === 'disbursement')).toHaveLength(1);
  });

  test('both balances (the float)', async () => {
    const mine = await during(server.recorded, async () => {
      await official.getBalance();
      await officialPayouts.getBalance();
    });
    let floats: unknown;
    const adapter = await during(server.recorded, async () => (floats = await ours.floats()));
    for (const p of ['collection', 'disbursement']) {
      const path = new RegExp(`^/${p}/v1_0/account/balance$`);
      compare(`MoMo ${p} balance`, byPath(mine, 'GET', path), byPath(adapter, 'GET', path));
    }
    expect(floats).toEqual([
      { account: 'disbursement', currency: 'EUR', balanceMinor: server.disbursementFloatMinor },
      { account: 'collection', currency: 'EUR', balanceMinor: server.collectionBalanceMinor },
    ]);
  });

  test('the server refuses, as MoMo refuses a bad body, an amount with more decimals than EUR has, or of 0', async () => {
    const token = (await (
      await fetch(`${server.url}/collection/token/`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.collection.apiUser}:coll-key`).toString('base64')}`,
          'ocp-apim-subscription-key': 'coll-sub-key',
        },
      })
    ).json()) as { access_token: string };
    const payer = '46733123450';
    const before = server.movementsOf(payer).length;
    const balance = server.balance(payer);
    for (const amount of ['150.505', '0.001', '0', '0.00']) {
      const id = crypto.randomUUID();
      const res = await fetch(`${server.url}/collection/v1_0/requesttopay`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token.access_token}`,
          'ocp-apim-subscription-key': 'coll-sub-key',
          'x-target-environment': 'sandbox',
          'x-reference-id': id,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          amount,
          currency: 'EUR',
          externalId: 'debit:wire-bad-amount',
          payer: { partyIdType: 'MSISDN', partyId: payer },
          payerMessage: 'TXTC',
          payeeNote: 'debit:wire-bad-amount',
        }),
      });
      expect({ amount, status: res.status, body: await res.json() }).toEqual({
        amount,
        status: 400,
        body: { code: 'INVALID_BODY' },
      });
      // Refused, not truncated: no payment under the id, nothing moved.
      expect(server.payments.has(id)).toBe(false);
    }
    expect(server.movementsOf(payer)).toHaveLength(before);
    expect(server.balance(payer)).toBe(balance);
  });

  test('the server refuses what mtn-momo would never send: a v5 X-Reference-Id', async () => {
    const token = (await (
      await fetch(`${server.url}/disbursement/token/`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.disbursement.apiUser}:disb-key`).toString('base64')}`,
          'ocp-apim-subscription-key': 'disb-sub-key',
        },
      })
    ).json()) as { access_token: string };
    const res = await fetch(`${server.url}/disbursement/v1_0/transfer`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token.access_token}`,
        'ocp-apim-subscription-key': 'disb-sub-key',
        'x-target-environment': 'sandbox',
        'x-reference-id': 'c2a6b3f0-8d2e-5c1a-9f3b-4e5d6c7b8a90',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ amount: '1', currency: 'EUR', payee: { partyIdType: 'MSISDN', partyId: '46733123450' } }),
    });
    expect(res.status).toBe(400);
  });
});
