/** The operator-availability gauge: a real adapter's circuit breaker, as /metrics shows it. */
import { OperatorHttp } from '../../../lib/telco/http';
import { processRegistry } from '../../../lib/metrics';

async function gauge(operator: string): Promise<number | undefined> {
  const metric = await processRegistry.getSingleMetric('txtc_operator_circuit_open')!.get();
  return metric.values.find((v) => v.labels.operator === operator)?.value;
}

test('an operator failing five times in a row shows its circuit open (1); one that answers shows it closed (0)', async () => {
  const failing = new OperatorHttp({
    operator: 'gauge-failing',
    baseUrl: 'http://operator.test',
    fetch: () => Promise.resolve(new Response('down', { status: 503 })),
    limits: { breakerThreshold: 5, breakerCoolDownMs: 60_000 },
  });
  const healthy = new OperatorHttp({
    operator: 'gauge-healthy',
    baseUrl: 'http://operator.test',
    fetch: () => Promise.resolve(Response.json({ ok: true })),
  });
  expect(await gauge('gauge-failing')).toBe(0);
  for (let i = 0; i < 5; i++) await failing.request({ method: 'GET', path: '/status' }).catch(() => undefined);
  await healthy.request({ method: 'GET', path: '/status' });

  expect(await gauge('gauge-failing')).toBe(1);
  expect(await gauge('gauge-healthy')).toBe(0);
});
