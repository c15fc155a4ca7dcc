import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { openStack, withWorker, testLog, uniqueId, type TestStackHandle } from '../support/stack';
import { newSafaricomNumber, topUp } from '../support/money';

let stack: TestStackHandle;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  await stack.close();
});

/** The API (records read afresh on every scrape) on a worker's task queue, for the duration of `fn`. */
async function withApi<T>(fn: () => Promise<T>): Promise<T> {
  return withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) => {
    app = createApp({
      ...stack.runtime,
      config: {
        ...stack.config,
        temporal: { ...stack.config.temporal, taskQueue },
        metrics: { ...stack.config.metrics, cacheTtlMs: 0 },
      },
      temporal: stack.client,
      log: testLog,
    });
    return fn();
  });
}

async function scrape(): Promise<string> {
  const res = await app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The sum of a metric's series whose labels include `labels`. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const series = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

async function buy(phoneNumber: string, usd: number): Promise<Record<string, unknown>> {
  const res = await app.request('/api/airtime/buy', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Idempotency-Key': uniqueId('metrics') },
    body: JSON.stringify({ phoneNumber, airtimeAmount: usd, currency: 'USD' }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  for (let i = 0; i < 120; i++) {
    const body = (await (await app.request(`/api/transfers/${encodeURIComponent(id)}`)).json()) as Record<
      string,
      unknown
    >;
    if (body.status !== 'pending') return body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`conversion ${id} still pending`);
}

const conversion = { kind: 'conversion', channel: 'api', operator: 'safaricom-ke' };

test('a completed conversion moves the money metrics from the records, and the operator and chain counters', async () => {
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 500000n);
  await withApi(async () => {
    const before = await scrape();
    expect(await buy(phone, 10)).toMatchObject({ status: 'completed' });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      value(after, name, labels) - value(before, name, labels);

    expect(delta('txtc_transactions_total', { ...conversion, status: 'completed' })).toBe(1);
    expect(delta('txtc_transactions_total', { ...conversion, status: 'failed' })).toBe(0);
    expect(delta('txtc_transaction_volume_usd_total', { ...conversion, status: 'completed' })).toBeCloseTo(10, 6);
    expect(delta('txtc_transaction_duration_seconds_count', { kind: 'conversion' })).toBe(1);
    expect(delta('txtc_transaction_duration_seconds_bucket', { kind: 'conversion', le: '+Inf' })).toBe(1);
    expect(
      delta('txtc_operator_calls_total', { operator: 'safaricom-ke', operation: 'debit', outcome: 'committed' }),
    ).toBe(1);
    expect(delta('txtc_chain_writes_total', { operation: 'mint', outcome: 'sent' })).toBe(1);
    // The mint went in a chain writer batch: one mined, holding it.
    expect(delta('txtc_chain_batches_total', { outcome: 'mined' })).toBe(1);
    expect(delta('txtc_chain_batch_entries_count')).toBe(1);
    expect(delta('txtc_chain_gas_used_count', { operation: 'batch' })).toBe(1);
    // The record says completed a moment before the workflow's SMS goes out: scrape again until it has.
    let sent = delta('txtc_sms_messages_total', { direction: 'out' });
    for (let i = 0; i < 40 && sent < 1; i++) {
      await new Promise((r) => setTimeout(r, 250));
      sent =
        value(await scrape(), 'txtc_sms_messages_total', { direction: 'out' }) -
        value(before, 'txtc_sms_messages_total', { direction: 'out' });
    }
    expect(sent).toBeGreaterThanOrEqual(1);
    // every kind has its pending and owed series, zero or not, so alerts always have data
    for (const kind of ['conversion', 'transfer_airtime', 'transfer_txtc', 'transfer_hybrid', 'swap']) {
      expect(after).toMatch(new RegExp(`^txtc_transactions_pending\\{kind="${kind}"\\} \\d+$`, 'm'));
      expect(after).toMatch(new RegExp(`^txtc_money_owed_transactions\\{kind="${kind}"\\} \\d+$`, 'm'));
    }
    expect(value(after, 'txtc_pool_reserve', { token: 'usd' })).toBeGreaterThan(0);
  });
});

test('a conversion refused for want of airtime counts as failed with its failure code, and moves no volume', async () => {
  const phone = newSafaricomNumber(); // an account at zero
  await withApi(async () => {
    const before = await scrape();
    expect(await buy(phone, 10)).toMatchObject({ status: 'failed', failure: { code: 'InsufficientAirtime' } });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      value(after, name, labels) - value(before, name, labels);

    expect(
      delta('txtc_transactions_total', { ...conversion, status: 'failed', failure_code: 'InsufficientAirtime' }),
    ).toBe(1);
    expect(delta('txtc_transactions_total', { ...conversion, status: 'completed' })).toBe(0);
    expect(delta('txtc_transaction_volume_usd_total', { ...conversion, status: 'completed' })).toBe(0);
    expect(delta('txtc_chain_writes_total', { operation: 'mint' })).toBe(0);
    expect(delta('txtc_operator_calls_total', { operation: 'debit', outcome: 'committed' })).toBe(0);
  });
});

test('HTTP metrics name the route pattern, never the phone number in the path', async () => {
  const phone = newSafaricomNumber();
  await withApi(async () => {
    expect((await app.request(`/api/balance/${encodeURIComponent(phone)}`)).status).toBe(200);
    expect((await app.request('/no/such/route')).status).toBe(404);
    const text = await scrape();
    expect(
      value(text, 'txtc_http_requests_total', { method: 'GET', route: '/api/balance/:phone', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(text, 'txtc_http_request_duration_seconds_count', { route: '/api/balance/:phone' }),
    ).toBeGreaterThanOrEqual(1);
    expect(value(text, 'txtc_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(phone.slice(1));
    expect(text).not.toContain('/no/such/route');
    // and the process's own metrics
    expect(text).toContain('process_cpu_seconds_total');
  });
});
