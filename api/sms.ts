/**
 * POST /sms/inbound: the SMS gateway's inbound message in Africa's Talking's format (form-encoded from,
 * to, text, date, id, linkId, networkCode). Each message starts at most one workflow, `sms:<id>`, so a
 * redelivered message starts nothing new; the gateway gets its 200 at once and the person a reply by SMS.
 *
 * A YES <pin> is handled here before any workflow sees it, like a USSD PIN hop: the PIN is checked against
 * the number's hash (once per message id, so a redelivery is not a second wrong try) and only the outcome
 * travels on; the message is stored and carried with the PIN redacted.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { smsWorkflowId, WORKFLOW_TASK_TIMEOUT, type SmsAnswer, type SmsMessageInput } from '../lib/definitions';
import { identifySubscriber } from '../lib/telco/detect';
import { parseSms, redactSms } from '../lib/sms/parser';
import { createSecretHandler } from '../lib/pins';
import { maskPhone } from '../lib/log';
import { TEMPORAL_CALL_TIMEOUT_MS } from './idempotency';
import { validate } from './validation';
import type { Verdict } from './rate-limit';
import type { ApiContext } from './context';

/** Past RATE_LIMIT_PER_PHONE: one reply per window, in the number's language, and nothing started. */
const TOO_MANY = {
  en: 'Too many messages, please try again in a minute.',
  sw: 'Ujumbe mwingi mno, tafadhali jaribu tena baada ya dakika moja.',
} as const;

const inboundForm = z.object({
  from: z.string().min(6).max(20),
  to: z.string().max(20).optional(),
  text: z.string().max(1000),
  date: z.string().max(40).optional(),
  id: z.string().min(1).max(128),
  linkId: z.string().max(128).optional(),
  networkCode: z.string().max(20).optional(),
});

export function smsRoutes(ctx: ApiContext) {
  const { deps, services } = ctx;
  const handleSecret = createSecretHandler(services.ussd, deps.config.pinPepper);
  const { limits } = ctx;

  /** The polite reply to a limited number, at most once per window however many messages it sends. */
  async function tellLimited(phoneNumber: string, verdict: Extract<Verdict, { limited: true }>): Promise<void> {
    if (!(await limits.claimNotice(verdict))) return;
    try {
      const language = (await services.ussd.profile(phoneNumber))?.language ?? 'en';
      const reference = `ratelimit:${phoneNumber}:${verdict.windowStart.getTime()}`;
      await services.messaging.sendSms(phoneNumber, TOO_MANY[language], reference);
    } catch (e) {
      // The limit holds either way; the person just is not told this time.
      deps.log.warn(
        { err: e instanceof Error ? e.message : String(e), phoneNumber: maskPhone(phoneNumber) },
        'rate-limit SMS not sent',
      );
    }
  }

  /** YES/NO: which waiting request it answers, and (YES <pin>) the PIN's outcome, computed once per message. */
  async function answerOf(messageId: string, phoneNumber: string, text: string): Promise<SmsAnswer | undefined> {
    // Only the command's keyword matters here; the sender's currency does not.
    const parsed = parseSms(text, { phoneNumber, currency: 'XXX', minorDigits: 0 });
    if (parsed.command !== 'confirm' && parsed.command !== 'decline') return undefined;
    const workflowId = await services.smsConfirmations.waiting(phoneNumber);
    const decision = parsed.command;
    if (!workflowId) return { decision };
    if (decision === 'decline' || parsed.pin === undefined) return { decision, workflowId };
    const outcome = await handleSecret(`sms:${messageId}`, 1, phoneNumber, 'pin', parsed.pin);
    if (outcome.kind !== 'pin') throw new Error('unexpected PIN outcome');
    const pin =
      outcome.result === 'wrong'
        ? { result: outcome.result, attemptsLeft: outcome.attemptsLeft }
        : { result: outcome.result };
    return { decision, workflowId, pin };
  }

  return new Hono().post('/inbound', validate('form', inboundForm), async (c) => {
    const body = c.req.valid('form');
    let from;
    try {
      from = identifySubscriber(body.from);
    } catch {
      // Not a number we serve: nothing to start, nobody to reply to through our operators.
      deps.log.info({ messageId: body.id }, 'inbound SMS from a number we do not serve');
      return c.json({ status: 'ignored' });
    }
    const verdict = await limits.phone(from.phoneNumber);
    if (verdict.limited) {
      deps.log.info({ messageId: body.id, phoneNumber: maskPhone(from.phoneNumber) }, 'inbound SMS rate limited');
      await tellLimited(from.phoneNumber, verdict);
      return c.json({ status: 'limited' });
    }
    const answer = await answerOf(body.id, from.phoneNumber, body.text);
    // Kept as received, but a PIN redacted; a redelivery keeps the first.
    await services.smsMessages.recordInbound({
      messageId: body.id,
      phoneNumber: from.phoneNumber,
      to: body.to,
      text: redactSms(body.text),
      linkId: body.linkId,
      networkCode: body.networkCode,
    });
    const input: SmsMessageInput = {
      messageId: body.id,
      from: from.phoneNumber,
      operator: from.operator,
      text: redactSms(body.text),
      ...(answer ? { answer } : {}),
    };
    const workflowId = smsWorkflowId(body.id);
    try {
      await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () =>
        deps.temporal.workflow.start('smsMessageWorkflow', {
          taskQueue: deps.config.temporal.taskQueue,
          workflowId,
          args: [input],
          workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        }),
      );
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      deps.log.info(
        { messageId: body.id, phoneNumber: maskPhone(from.phoneNumber) },
        'inbound SMS delivered again; nothing new started',
      );
      return c.json({ status: 'duplicate', id: workflowId });
    }
    return c.json({ status: 'accepted', id: workflowId });
  });
}
