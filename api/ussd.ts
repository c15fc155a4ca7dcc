/**
 * The USSD webhook in Africa's Talking's format: POST /ussd (alias /ussd/session), form-encoded
 * sessionId, serviceCode, phoneNumber, networkCode and text (every input so far joined by "*"); answers
 * text/plain "CON ..." or "END ...". Each hop is one update-with-start on the session's workflow, carrying
 * only the newest input; an input the session marked secret (a PIN) is checked or hashed here first and
 * only its outcome is sent, so no PIN enters Temporal's history. POST /ussd/end takes the gateway's
 * end-of-session notice.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  endSessionSignal,
  hopUpdate,
  hopUpdateId,
  ussdWorkflowId,
  USSD_MAX_INPUT,
  type UssdSessionInput,
  WORKFLOW_TASK_TIMEOUT,
} from '../lib/definitions';
import { identifySubscriber } from '../lib/telco/detect';
import { maskPhone } from '../lib/log';
import { createSecretHandler } from '../lib/pins';
import { sessionStartOf } from '../lib/ussd/session-start';
import type { HopInput, Language, MenuState } from '../lib/ussd/types';
import { gatewayText } from '../lib/ussd/messages';
import { isSecretInput } from '../lib/ussd/input';
import { verdictOf } from './rate-limit';
import { validate } from './validation';
import type { ApiContext } from './context';

/** Gateways wait a few seconds for a screen; past this the person gets a polite END instead. */
const HOP_DEADLINE_MS = 8000;

const hopForm = z.object({
  sessionId: z.string().min(1).max(128),
  serviceCode: z.string().min(1).max(40),
  phoneNumber: z.string().min(6).max(20),
  networkCode: z.string().max(20).optional(),
  text: z.string().max(4000).optional().default(''),
});

const endForm = z.object({
  sessionId: z.string().min(1).max(128),
  status: z.string().max(40).optional(),
});

/** Past RATE_LIMIT_PER_PHONE: the gateway is not at fault (200), the person is asked to wait. */

export function ussdRoutes(ctx: ApiContext) {
  const { deps, services } = ctx;
  const handleSecret = createSecretHandler(services.ussd, deps.config.pinPepper);
  const { limits } = ctx;

  /**
   * A dial while the number's last session is still open (the network dropped it and the gateway never said
   * so): that session is ended now, as dropped, so its place in the menu is kept and this dial offers to
   * resume it. Waits up to 2.5 s for it to end (it saves its state as it does), then takes that state (the
   * dial's statement took none while another session was open).
   */
  async function endDroppedSessions(others: string[], phoneNumber: string): Promise<MenuState | undefined> {
    await Promise.all(
      others.map((id) =>
        deps.temporal.workflow
          .getHandle(id)
          .signal(endSessionSignal, { reason: 'dropped' })
          .catch(() => undefined),
      ),
    );
    for (let waited = 0; waited < 2500; waited += 100) {
      if ((await services.ussd.stillOpen(others)) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return services.ussd.takeResumable(phoneNumber, deps.config.ussd.resumeWindowSeconds);
  }

  const hop = validate('form', hopForm);
  const app = new Hono();
  for (const path of ['/', '/session']) {
    app.post(path, hop, async (c) => {
      const body = c.req.valid('form');
      let subscriber;
      try {
        subscriber = identifySubscriber(body.phoneNumber);
      } catch {
        return c.text(gatewayText(undefined, 'notAvailable'));
      }
      const phoneNumber = subscriber.phoneNumber;
      const inputs = body.text === '' ? [] : body.text.split('*');
      const seq = inputs.length;
      const newest = (inputs.at(-1) ?? '').trim();
      // Longer than a USSD string can be: no menu takes it, and it is not handed on (the session ends).
      if (newest.length > USSD_MAX_INPUT) return c.text(gatewayText(undefined, 'tooLong', deps.config.ussd.shortcode));
      const workflowId = ussdWorkflowId(body.sessionId);
      let confirmedWithPin = false;
      // The person's language once a read told it (the session's row, or the first hop's profile).
      let language: Language | null | undefined;
      try {
        // One round trip before the Temporal update: a dial starts the session and reads who the person is, a
        // later hop reads its session; either counts itself against the number's rate limit in that statement.
        const rule = limits.phoneRule;
        const bucket = rule.bucketOf(phoneNumber);
        const limit = rule.limit > 0 ? { bucket, windowSeconds: rule.windowSeconds } : undefined;
        // A dial reads the operator's rate alongside (cached in memory; from Postgres once per RATES_CACHE_TTL_MS).
        const dial =
          seq === 0
            ? await Promise.all([
                services.ussd.openDial({
                  sessionId: body.sessionId,
                  phoneNumber,
                  workflowId,
                  openWithinSeconds: deps.config.ussd.sessionTimeoutSeconds,
                  resumeWindowSeconds: deps.config.ussd.resumeWindowSeconds,
                  ...(limit ? { limit: { ...limit, max: rule.limit } } : {}),
                }),
                services.rates.operatorRate(subscriber.operator),
              ]).then(([read, rate]) => ({ ...read, rate }))
            : undefined;
        const read = dial ? undefined : await services.ussd.hopRead(body.sessionId, seq, limit);
        const hit = dial ? dial.hit : read?.hit;
        if (hit && verdictOf(hit, rule.limit, bucket).limited) {
          deps.log.info({ sessionId: body.sessionId, phoneNumber: maskPhone(phoneNumber) }, 'USSD hop rate limited');
          return c.text(gatewayText(undefined, 'tooMany'));
        }
        const session = read?.session;
        language = session?.language;
        if (session && session.phoneNumber !== phoneNumber) {
          // A session belongs to the number that dialled it: a hop for it from another number changes nothing.
          deps.log.warn(
            { sessionId: body.sessionId, phoneNumber: maskPhone(phoneNumber) },
            'USSD hop refused: not the session’s number',
          );
          return c.text(gatewayText(undefined, 'cannotContinue'));
        }
        // A secret only when a hop before this one said so (a redelivered or late older hop is plain text,
        // and Temporal answers it from its first result); 0 and 00 are navigation, a PIN is four digits.
        const secretExpected =
          session?.expectsSecret && session.expectSeq !== null && seq > session.expectSeq && isSecretInput(newest)
            ? session.expectsSecret
            : undefined;
        const input: HopInput = secretExpected
          ? { secret: await handleSecret(body.sessionId, seq, phoneNumber, secretExpected, newest, session?.secret) }
          : { text: newest };
        confirmedWithPin = 'secret' in input && input.secret.kind === 'pin' && input.secret.result === 'ok';
        // Rarely another session of the number is still open: it is ended first, and its state taken once saved.
        const resumable =
          dial && (dial.others.length > 0 ? await endDroppedSessions(dial.others, phoneNumber) : dial.resumable);
        const start =
          dial &&
          sessionStartOf(
            { row: dial.profile, rate: dial.rate, resumable, consent: dial.consent },
            { phoneNumber, operator: subscriber.operator },
            deps.config,
          );
        language ??= start?.profile.language;
        const sessionInput: UssdSessionInput = {
          sessionId: body.sessionId,
          phoneNumber,
          operator: subscriber.operator,
          timeoutSeconds: deps.config.ussd.sessionTimeoutSeconds,
          idleSeconds: deps.config.ussd.idleTimeoutSeconds,
          resumeWindowSeconds: deps.config.ussd.resumeWindowSeconds,
          // The first hop carries who the person is, so the first screen needs no lookup in the workflow.
          ...(start ? { start } : {}),
        };
        const reply = await deps.temporal.connection.withDeadline(Date.now() + HOP_DEADLINE_MS, () =>
          deps.temporal.workflow.executeUpdateWithStart(hopUpdate, {
            args: [{ seq, input, phoneNumber }],
            updateId: hopUpdateId(body.sessionId, seq),
            startWorkflowOperation: new WithStartWorkflowOperation('ussdSessionWorkflow', {
              workflowId,
              taskQueue: deps.config.temporal.taskQueue,
              args: [sessionInput],
              workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
              workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
              // An ended session is not started again by a late hop.
              workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            }),
          }),
        );
        // Written only when it changes (most hops expect plain text, as before); an older hop's write is
        // refused by the hop number, and secret outcomes are kept per hop, so an unchanged one needs no write.
        const expects = reply.expect ?? null;
        if (expects !== (session?.expectsSecret ?? null)) {
          await services.ussd.setExpectation(body.sessionId, phoneNumber, workflowId, expects, seq);
        }
        return c.text(reply.text);
      } catch (e) {
        if (confirmedWithPin) {
          // The confirmation may have gone through: never invite a second purchase.
          deps.log.warn(
            { sessionId: body.sessionId, phoneNumber: maskPhone(phoneNumber) },
            'USSD confirmation unanswered',
          );
          return c.text(gatewayText(language, 'confirmUnknown'));
        }
        if (e instanceof WorkflowExecutionAlreadyStartedError) {
          return c.text(gatewayText(language, 'sessionEnded', deps.config.ussd.shortcode));
        }
        deps.log.warn(
          {
            err: e instanceof Error ? e.message : String(e),
            sessionId: body.sessionId,
            phoneNumber: maskPhone(phoneNumber),
            requestId: c.get('requestId'),
          },
          'USSD hop failed',
        );
        return c.text(gatewayText(language, 'busy'));
      }
    });
  }

  app.post('/end', validate('form', endForm), async (c) => {
    const { sessionId, status } = c.req.valid('form');
    try {
      await deps.temporal.workflow.getHandle(ussdWorkflowId(sessionId)).signal(endSessionSignal, {
        reason: status === 'Success' ? 'gateway-end' : 'dropped',
      });
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
    }
    return c.json({ ok: true });
  });
  return app;
}
