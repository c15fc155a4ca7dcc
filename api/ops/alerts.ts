/**
 * Alerts that reach a person. Alertmanager (ops/alertmanager/alertmanager.yml) posts its webhook here with an
 * ops key: POST /api/ops/alerts keeps each alert's latest state and SMSes the on-call numbers (ONCALL_NUMBERS)
 * through the product's SMS adapter once per change of state (firing, then resolved), however often
 * Alertmanager repeats it, and at most ONCALL_SMS_PER_HOUR alert SMS a number an hour. GET /api/ops/alerts lists
 * what is firing (the console shows it).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { createOpsAlertRepo, type OpsAlert } from '../../lib/db/ops-alerts';
import { maskPhone } from '../../lib/log';
import { validate } from '../validation';
import type { ApiContext } from '../context';

/** Alertmanager's webhook body (version 4), the parts read. */
const webhook = z.object({
  version: z.string().optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).default({}),
        startsAt: z.string().optional(),
        fingerprint: z.string().min(1).max(64),
      }),
    )
    .max(1000),
});

/** One SMS: "[TXTC critical] FIRING TxtcChainBatchesStuck: <summary>", within one message. */
export function alertSms(alert: OpsAlert): string {
  const head = `[TXTC ${alert.severity}] ${alert.status === 'firing' ? 'FIRING' : 'resolved'} ${alert.alertname}`;
  const text = alert.summary ? `${head}: ${alert.summary}` : head;
  return text.length <= 160 ? text : `${text.slice(0, 157)}...`;
}

export function opsAlertRoutes(ctx: ApiContext) {
  const { deps, services } = ctx;
  const alerts = createOpsAlertRepo(services.pool);
  return new Hono()
    .post('/', validate('json', webhook), async (c) => {
      const body = c.req.valid('json');
      let notified = 0;
      for (const a of body.alerts) {
        const alert: OpsAlert = {
          fingerprint: a.fingerprint,
          alertname: a.labels.alertname ?? 'unnamed',
          severity: a.labels.severity ?? 'warning',
          status: a.status,
          summary: a.annotations.summary ?? '',
          labels: a.labels,
          ...(a.startsAt ? { startsAt: a.startsAt } : {}),
        };
        if (!(await alerts.record(alert))) continue; // this state was told already
        for (const phone of deps.config.oncall.numbers) {
          const slot = await alerts.takeSmsSlot(phone, alert.fingerprint, alert.status, deps.config.oncall.smsPerHour);
          if (!slot) {
            deps.log.warn({ phoneNumber: maskPhone(phone), alertname: alert.alertname }, 'on-call SMS cap reached');
            continue;
          }
          try {
            // one reference per SMS (a re-fire after a resolve is a new message, not a repeat to drop)
            await services.messaging.sendSms(phone, alertSms(alert), `oncall-sms:${slot}`);
            notified += 1;
          } catch (e) {
            deps.log.error(
              {
                phoneNumber: maskPhone(phone),
                alertname: alert.alertname,
                err: e instanceof Error ? e.message : String(e),
              },
              'on-call SMS failed',
            );
          }
        }
      }
      return c.json({ received: body.alerts.length, notified });
    })
    .get('/', async (c) => c.json({ firing: await alerts.firing() }));
}
