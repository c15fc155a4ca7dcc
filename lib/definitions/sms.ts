/** Inbound SMS: one workflow per gateway message id, so a redelivered message starts nothing new. */
import { defineSignal } from '@temporalio/workflow';
import { callerKey } from './common';

export function smsWorkflowId(messageId: string): string {
  return `sms:${callerKey(messageId)}`;
}

/** How a YES <pin> went: the API checks the PIN against its hash; the workflows only see this. */
export type SmsPinOutcome = { result: 'ok' } | { result: 'wrong'; attemptsLeft: number } | { result: 'locked' };

/** A YES or NO message, as the API hands it over: which waiting request it answers, and the PIN's outcome. */
export interface SmsAnswer {
  decision: 'confirm' | 'decline';
  /** the waiting request's workflow (the number's newest open one), when there is one */
  workflowId?: string;
  /** YES <pin>: the PIN's outcome; absent for NO, or a YES without a PIN */
  pin?: SmsPinOutcome;
}

export interface SmsMessageInput {
  /** the gateway's message id */
  messageId: string;
  /** the sender, E.164, and the operator serving it */
  from: string;
  operator: string;
  /** the text as typed, but a PIN redacted (`YES ****`) */
  text: string;
  answer?: SmsAnswer;
}

export interface SmsMessageResult {
  command: string;
  /** the money workflow the message started, when it started one */
  startedWorkflowId?: string;
  replied: boolean;
  /** a request that waited for YES <pin>: how the wait ended */
  confirmation?: 'confirmed' | 'declined' | 'expired' | 'locked' | 'no-pin';
}

/** What a YES or NO message tells the request waiting for it. */
export interface SmsConfirmationSignal {
  messageId: string;
  decision: 'confirm' | 'decline';
  pin?: SmsPinOutcome;
}

export const smsConfirmationSignal = defineSignal<[SmsConfirmationSignal]>('smsConfirmation');
