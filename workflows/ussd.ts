/**
 * One USSD session, one long-lived workflow (id `ussd:<gateway sessionId>`), driven by update-with-start:
 * each hop is an update whose result is the next screen. The menu is the pure module lib/ussd/menu.ts;
 * this shell runs the effects it asks for (lookups as local activities), starts the money workflows on
 * confirmation (ids derived from the session, so a repeated confirmation starts nothing new), and ends the
 * session on END, on the gateway's end notice, after the whole-session timeout or after a minute idle.
 * Secrets never arrive here: the API turns a PIN into its outcome before the update is sent.
 */
import { ApplicationFailure, allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UssdActivities } from '../activities/ussd';
import {
  conversionWorkflowId,
  endSessionSignal,
  hopUpdate,
  transferWorkflowId,
  USSD_MAX_INPUT,
  ussdSessionQuery,
  type HopReply,
  type HopRequest,
  type SmsConfirmationSignal,
  type TransferInput,
  type UssdSessionInput,
  type UssdSessionState,
} from '../lib/definitions';
import { SECRET_PROMPTS, isResumable, render, resume, startSession, step, type MenuNode } from '../lib/ussd/menu';
import { gatewayTexts } from '../lib/ussd/messages';
import { isSecretInput } from '../lib/ussd/input';
import { identifySubscriber } from '../lib/telco/detect';
import type { Effect, EffectResult, MenuState, Profile, MenuStep } from '../lib/ussd/types';
import { localActivities } from './shared/activity-options';
import { answerWaitingRequest, startMoneyWorkflow } from './shared/channel-starts';
import { conversionWorkflow } from './conversion';
import { airtimeTransferWorkflow, hybridTransferWorkflow } from './transfers';

const { lookups, books } = localActivities<UssdActivities>();

/** The longest input a person can type on one hop (gateways cap it well below this). */

export async function ussdSessionWorkflow(input: UssdSessionInput): Promise<UssdSessionState> {
  const { sessionId } = input;
  const state: UssdSessionState = { phase: 'open', hops: 0, startedWorkflowIds: [] };
  // Each begun by startMoneyWorkflow: a start already made is no error.
  const pendingStarts: { id: string; begin: () => Promise<void> }[] = [];
  // Loaded once the workflow starts; a hop that arrives first (update-with-start) waits for it.
  const loaded: { profile?: Profile; resumable?: MenuState } = {};
  let lastHopSeq = -1;
  let activity = 0;
  // Hops are answered one at a time, in the order they arrive.
  let queue: Promise<unknown> = Promise.resolve();

  setHandler(ussdSessionQuery, () => state);
  setHandler(endSessionSignal, ({ reason }) => {
    if (state.phase === 'open') state.endReason = reason;
    state.phase = 'ended';
  });
  setHandler(
    hopUpdate,
    (request) => {
      const run = queue.then(() => hop(request));
      queue = run.catch(() => undefined);
      return run;
    },
    {
      // Synchronous: an async validator's rejection would be ignored and bad input accepted.
      validator: (request: HopRequest) => {
        if (state.phase === 'ended') throw new Error('the session has ended');
        if (request.phoneNumber !== input.phoneNumber) throw new Error('the hop is not from the session’s number');
        if (!Number.isInteger(request.seq) || request.seq < 0) throw new Error('seq must be a whole number');
        const hopInput = request.input as Partial<{ text: unknown; secret: unknown }>;
        if ('text' in hopInput) {
          if (typeof hopInput.text !== 'string' || hopInput.text.length > USSD_MAX_INPUT)
            throw new Error('input too long');
          // Fail-safe: at a PIN prompt only navigation may come as text; anything else would be a PIN the API
          // did not take out, and a rejected update is not kept in history.
          const prompt = state.menu && SECRET_PROMPTS[state.menu.node as MenuNode];
          if (prompt && isSecretInput(hopInput.text)) throw new Error('a secret was expected');
        } else if (!('secret' in hopInput) || typeof hopInput.secret !== 'object') {
          throw new Error('a hop carries text or a secret outcome');
        }
      },
    },
  );

  Object.assign(
    loaded,
    input.start ??
      (await books.loadUssdSession({
        phoneNumber: input.phoneNumber,
        operator: input.operator,
        resumeWindowSeconds: input.resumeWindowSeconds,
      })),
  );

  // Open until END, the gateway's end notice, the whole-session timeout, or a minute without input.
  const endsAt = workflowInfo().startTime.getTime() + input.timeoutSeconds * 1000;
  while (state.phase === 'open') {
    const seen = activity;
    // eslint-disable-next-line no-restricted-syntax -- workflow time, deterministic in the sandbox
    const left = endsAt - Date.now();
    if (left <= 0) {
      state.endReason ??= 'timeout';
      break;
    }
    await startPending();
    const idleMs = input.idleSeconds * 1000;
    const active = await condition(
      () => state.phase !== 'open' || activity !== seen || pendingStarts.length > 0,
      Math.min(left, idleMs),
    );
    if (!active) {
      // Whichever came first: the whole session's limit, or a minute without input.
      state.endReason ??= left <= idleMs ? 'timeout' : 'idle';
      break;
    }
  }
  state.phase = 'ended';
  await condition(allHandlersFinished);
  await startPending();
  // A session that ended mid-flow can be picked up by a redial; one that reached END cannot.
  const keep = state.endReason !== 'end-screen' && state.menu && isResumable(state.menu) ? state.menu : null;
  await books.endUssdSession({
    sessionId,
    phoneNumber: input.phoneNumber,
    workflowId: workflowInfo().workflowId,
    resumable: keep,
  });
  return state;

  async function hop(request: HopRequest): Promise<HopReply> {
    activity += 1;
    await condition(() => loaded.profile !== undefined);
    const person = loaded.profile!;
    const { resumable } = loaded;
    if (request.seq <= lastHopSeq) {
      // An older hop arriving late (a new update id for a seq already answered): show the current screen.
      if (state.menu) {
        const expect = SECRET_PROMPTS[state.menu.node as MenuNode];
        return reply({ state: state.menu, screen: render(state.menu, person), ...(expect ? { expect } : {}) });
      }
      return reply(startSession(person, resumable));
    }
    lastHopSeq = request.seq;
    state.hops += 1;
    let next: MenuStep =
      state.menu === undefined ? startSession(person, resumable) : step(state.menu, request.input, person);
    while (next.effect) {
      const result = await run(next.effect, person, next.state);
      next = resume(next.state, result, person);
    }
    return reply(next);
  }

  function reply(next: MenuStep): HopReply {
    state.menu = next.state;
    const screen = next.screen ?? {
      kind: 'END' as const,
      text: gatewayTexts[next.state.language]?.somethingWrong ?? gatewayTexts.en.somethingWrong,
    };
    if (screen.kind === 'END') {
      state.endReason ??= 'end-screen';
      state.phase = 'ended';
    }
    return { text: `${screen.kind} ${screen.text}`, ...(next.expect ? { expect: next.expect } : {}) };
  }

  async function run(effect: Effect, person: Profile, menu: MenuState): Promise<EffectResult> {
    switch (effect.type) {
      case 'startBuy': {
        const id = conversionWorkflowId('ussd', sessionId);
        return start(id, () =>
          startMoneyWorkflow(conversionWorkflow, id, {
            channel: 'ussd',
            phoneNumber: person.phoneNumber,
            operator: person.operator,
            airtimeAmountMinor: effect.amountMinor,
          }),
        );
      }
      case 'startTransfer': {
        const id = transferWorkflowId('ussd', sessionId);
        const to = identifySubscriber(effect.toPhone);
        const transfer: TransferInput = {
          channel: 'ussd',
          kind: effect.kind,
          fromPhone: person.phoneNumber,
          fromOperator: person.operator,
          toPhone: to.phoneNumber,
          toOperator: to.operator,
        };
        if (effect.kind === 'airtime') transfer.amountMinor = effect.amountMinor;
        else {
          // The confirm screen's quote, kept in the menu state (so it survives a resumed session).
          const quoted = menu.data.quoteTxtcBaseUnits;
          if (!quoted) throw ApplicationFailure.nonRetryable('Send TXTC confirmed without a quote', 'InvalidRequest');
          transfer.txtcAmount = quoted;
        }
        const workflow = effect.kind === 'airtime' ? airtimeTransferWorkflow : hybridTransferWorkflow;
        return start(id, () => startMoneyWorkflow(workflow, id, transfer));
      }
      case 'answerConsent': {
        // The same answer a YES <PIN> or NO by SMS gives (the API checked the PIN at the consent prompt).
        const answer: SmsConfirmationSignal =
          effect.answer === 'refuse'
            ? { messageId: `${workflowInfo().workflowId}:consent`, decision: 'decline' }
            : {
                messageId: `${workflowInfo().workflowId}:consent`,
                decision: 'confirm',
                pin: effect.answer === 'approve' ? { result: 'ok' } : { result: 'locked' },
              };
        // Not delivered: the request ended (expired, answered by SMS and done) between the dial and the answer.
        return { type: 'answered', delivered: await answerWaitingRequest(effect.workflowId, answer) };
      }
      default: {
        return await lookups.ussdEffect({ phoneNumber: person.phoneNumber, operator: person.operator, effect });
      }
    }
  }

  /**
   * Confirms a money workflow at once and starts it from the main loop: the person is not kept waiting
   * for the child-started event, and the session never ends before the start (its id is derived from the
   * session, so a start that is repeated, after a replay or a reset, is the same transfer).
   */
  function start(id: string, begin: () => Promise<void>): EffectResult {
    if (!state.startedWorkflowIds.includes(id) && !pendingStarts.some((p) => p.id === id))
      pendingStarts.push({ id, begin });
    return { type: 'started', id };
  }

  async function startPending(): Promise<void> {
    while (pendingStarts.length > 0) {
      const next = pendingStarts[0]!;
      await next.begin();
      state.startedWorkflowIds.push(next.id);
      pendingStarts.shift();
    }
  }
}
