/**
 * POST /sms/delivery: the SMS provider's delivery report in Africa's Talking's format (form-encoded id,
 * status, phoneNumber, networkCode, failureReason, retryCount). It moves the status of the part we sent
 * with that provider id; a report about an id we never sent is answered 200 and ignored, so the provider
 * stops retrying it.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { validate } from './validation';
import type { ApiContext } from './context';

const deliveryReport = z.object({
  id: z.string().min(1).max(128),
  // 'Sent', 'Submitted', 'Buffered', 'Rejected', 'Success', 'Failed', ... kept as the provider says it
  status: z.string().regex(/^[A-Za-z]{1,40}$/, 'must be a delivery status word'),
  phoneNumber: z.string().max(20).optional(),
  networkCode: z.string().max(20).optional(),
  failureReason: z.string().max(100).optional(),
  retryCount: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a count')
    .optional(),
});

export function smsDeliveryRoutes(ctx: ApiContext) {
  const { deps, services } = ctx;
  return new Hono().post('/delivery', validate('form', deliveryReport), async (c) => {
    const report = c.req.valid('form');
    const known = await services.smsMessages.applyDeliveryReport({
      providerMessageId: report.id,
      status: report.status,
      ...(report.failureReason ? { failureReason: report.failureReason } : {}),
      ...(report.networkCode ? { networkCode: report.networkCode } : {}),
    });
    if (!known) {
      deps.log.info({ providerMessageId: report.id, status: report.status }, 'delivery report for an unknown SMS');
      return c.json({ status: 'ignored' });
    }
    return c.json({ status: 'updated' });
  });
}
