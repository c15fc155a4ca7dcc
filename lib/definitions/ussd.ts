/** USSD sessions: one long-lived workflow per gateway session, one update per hop. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { callerKey } from './common';
import type { HopInput, MenuState, Profile, SecretKind } from '../ussd/types';

/** The longest input a hop may carry (a USSD string is at most 182 characters): longer is refused, clearly. */
export const USSD_MAX_INPUT = 182;

export function ussdWorkflowId(sessionId: string): string {
  return `ussd:${callerKey(sessionId)}`;
}

/** The update id of a hop: a hop the gateway delivers twice is answered once. */
export function hopUpdateId(sessionId: string, seq: number): string {
  return `${sessionId}:${seq}`;
}

export interface UssdSessionInput {
  sessionId: string;
  phoneNumber: string;
  operator: string;
  /** USSD_SESSION_TIMEOUT: the whole session */
  timeoutSeconds: number;
  /** without input this long the session ends (and can be resumed) */
  idleSeconds: number;
  /** a dropped session's state is offered to a redial within this long */
  resumeWindowSeconds: number;
  /** read by the API on the first hop (lib/ussd/session-start.ts); looked up by the workflow when absent */
  start?: { profile: Profile; resumable?: MenuState };
}

export interface HopRequest {
  /** how many inputs the gateway's text holds so far (0 on the first hop) */
  seq: number;
  /** the newest input only, or a secret's outcome: never the cumulative text */
  input: HopInput;
  /** the number the gateway says is dialling: a hop for another number's session is refused */
  phoneNumber: string;
}

export interface HopReply {
  /** "CON ..." or "END ...", as the gateway wants it */
  text: string;
  /** the next input is a secret the API must handle */
  expect?: SecretKind;
}

export interface UssdSessionState {
  phase: 'open' | 'ended';
  hops: number;
  menu?: MenuState;
  endReason?: string;
  startedWorkflowIds: string[];
}

export const hopUpdate = defineUpdate<HopReply, [HopRequest]>('hop');
export const endSessionSignal = defineSignal<[{ reason: string }]>('end');
export const ussdSessionQuery = defineQuery<UssdSessionState>('session');
