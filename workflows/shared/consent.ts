/**
 * The payer says yes (like MoMo's request-to-pay): a debit of a person's airtime or TXTC asked for through
 * REST by a key that is not `trusted` waits, before any money moves, for that person's YES <PIN> by SMS, or
 * their approval with the PIN on USSD (the request is offered first when they dial; the session signals the
 * same answer). The record shows stage `awaiting_payer`; NO ends it ConsentRefused, silence ConsentExpired
 * after the timeout, nothing moved either way. A wrong PIN counts toward the lock (the API checks it, as for
 * any PIN).
 */
import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SmsActivities } from '../../activities/sms';
import { FailureTypes } from '../../lib/definitions/errors';
import { smsConfirmationSignal, type SmsConfirmationSignal } from '../../lib/definitions/sms';
import type { PayerConsent } from '../../lib/definitions/common';
import type { SmsTexts } from '../../lib/messages/sms';
import { localActivities } from './activity-options';
import { sendSmsBestEffort } from './movements';
import { rejection } from './steps';

const { books } = localActivities<SmsActivities>();

export interface ConsentAsk {
  consent: PayerConsent;
  phoneNumber: string;
  operator: string;
  /** what the payer is asked to allow, as the SMS names it ("send KES 645.00 to +2547..98") */
  action: string;
  texts: SmsTexts;
  /** record and search attributes to stage awaiting_payer, and back */
  markAwaiting(): Promise<void>;
  resume(): Promise<void>;
}

/** Returns once the payer said YES with the right PIN; otherwise throws the refusal (nothing has moved). */
export async function awaitPayerConsent(ask: ConsentAsk): Promise<void> {
  const id = workflowInfo().workflowId;
  const answers: SmsConfirmationSignal[] = [];
  setHandler(smsConfirmationSignal, (answer) => void answers.push(answer));
  const tell = (message: string, n: number) => sendSmsBestEffort(ask.phoneNumber, message, `${id}:consent-${n}`);
  let told = 0;

  const payer = await books.smsSender({ phoneNumber: ask.phoneNumber, operator: ask.operator });
  if (payer.pin === 'none') {
    await tell(ask.texts.confirmNeedsPin(payer.shortcode), told++);
    throw rejection(FailureTypes.ConsentRefused, 'the payer has no PIN yet to approve it with');
  }
  if (payer.pin === 'locked') throw rejection(FailureTypes.PinLocked, 'the payer’s PIN is locked');

  // Workflow time: deterministic, the same on replay.
  // eslint-disable-next-line no-restricted-syntax
  const expiresAt = Date.now() + ask.consent.timeoutSeconds * 1000;
  // A YES answers the number's newest open request: with another one waiting, this one is refused rather
  // than risk the payer's YES approving a request they did not mean.
  const action = `${ask.action} (asked by ${ask.consent.requester})`;
  if (!(await books.openConsent({ workflowId: id, phoneNumber: ask.phoneNumber, expiresAt, action })))
    throw rejection(FailureTypes.PayerBusy, 'another request is waiting for the payer’s answer; try again later');
  await ask.markAwaiting();
  await tell(ask.texts.confirmPrompt({ action, minutes: Math.ceil(ask.consent.timeoutSeconds / 60) }), told++);
  const outcome = await awaitConfirmation(id, answers, expiresAt, ask.texts, (message) => tell(message, told++));
  // The refusal's SMS (confirmExpired) is the workflow's rejection path's, like every refusal.
  if (outcome === 'expired') throw rejection(FailureTypes.ConsentExpired, 'the payer did not approve it in time');
  if (outcome === 'declined') throw rejection(FailureTypes.ConsentRefused, 'the payer refused it');
  if (outcome === 'locked') throw rejection(FailureTypes.PinLocked, 'the payer’s PIN locked after wrong tries');
  if (ask.consent.tenant) await books.approveTenant({ phoneNumber: ask.phoneNumber, tenant: ask.consent.tenant });
  await ask.resume();
}

/** How a wait for YES <PIN> ended; the request is closed with it. */
export type ConfirmationOutcome = 'confirmed' | 'declined' | 'expired' | 'locked';

/**
 * Waits for the number's answers to the open request `id` (an SMS request above the threshold, a payer's
 * consent) until `expiresAt`, workflow time: a YES without a PIN or with a wrong one is told (`tell`) and
 * waited past; anything else ends it, and the request is closed with how.
 */
export async function awaitConfirmation(
  id: string,
  answers: SmsConfirmationSignal[],
  expiresAt: number,
  texts: SmsTexts,
  tell: (message: string) => Promise<unknown>,
): Promise<ConfirmationOutcome> {
  const close = async (outcome: ConfirmationOutcome) => {
    await books.closeSmsConfirmation({ workflowId: id, outcome });
    return outcome;
  };
  for (;;) {
    // eslint-disable-next-line no-restricted-syntax
    const left = expiresAt - Date.now();
    if (left <= 0 || !(await condition(() => answers.length > 0, left))) return close('expired');
    const answer = answers.shift()!;
    if (answer.decision === 'decline') return close('declined');
    const pin = answer.pin;
    if (!pin) await tell(texts.confirmPinMissing);
    else if (pin.result === 'ok') return close('confirmed');
    else if (pin.result === 'wrong') await tell(texts.confirmWrongPin(pin.attemptsLeft));
    else return close('locked');
  }
}
