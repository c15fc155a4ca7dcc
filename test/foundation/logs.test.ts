/**
 * Logs are JSON lines that say where they came from: an activity's workflow id, type and attempt; an API
 * request's id. Phone numbers are masked, secrets redacted.
 */
import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createLogger } from '../../lib/log';
import { activityLogContext } from '../../activities/shared';
import { createApp } from '../../api/app';
import { openStack, type TestStackHandle } from '../support/stack';
import { gatewayHeaders } from '../support/webhooks';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { lines, raw, destination };
}

test('a line logged in an activity carries its workflow id, type and attempt; the number is masked and a key redacted', async () => {
  const out = capture();
  const log = createLogger('info', 'worker', { context: activityLogContext, destination: out.destination });
  const env = new MockActivityEnvironment({
    workflowExecution: { workflowId: 'conversion:api:log-test', runId: 'run-1' },
    activityType: 'debitAirtime',
    attempt: 2,
  });
  await env.run(async () => log.info({ phoneNumber: '+254712345678', signerPrivateKey: '0xabc' }, 'debited'));
  log.info('outside any activity');
  expect(out.lines[0]).toMatchObject({
    name: 'worker',
    msg: 'debited',
    workflowId: 'conversion:api:log-test',
    activityType: 'debitAirtime',
    attempt: 2,
    phoneNumber: '+2547*****678',
    signerPrivateKey: '[redacted]',
  });
  expect(out.lines[1]).not.toHaveProperty('workflowId');
  expect(out.raw.join('\n')).not.toContain('712345678');
});

describe('the API', () => {
  let stack: TestStackHandle;
  beforeAll(async () => {
    stack = await openStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  test('a line logged while a request is handled carries its request id', async () => {
    const out = capture();
    const log = createLogger('info', 'api', { destination: out.destination });
    const app = createApp({ ...stack.runtime, temporal: stack.client, log });
    // A number no served operator has: the webhook logs that it ignores it, and answers 200.
    const res = await app.request('/sms/inbound', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'sms'),
      body: new URLSearchParams({ from: '+14155550123', to: '12345', text: 'BALANCE', id: 'ATXid_log_test' }),
    });
    expect(res.status).toBe(200);
    const line = out.lines.find((l) => l.msg === 'inbound SMS from a number we do not serve');
    expect(line).toMatchObject({ name: 'api', messageId: 'ATXid_log_test', requestId: expect.any(String) });
    expect((line!.requestId as string).length).toBeGreaterThan(8);
  });
});
