/** Ids, channels and step references shared by every flow. */
import { defineSignal } from '@temporalio/workflow';

export type Channel = 'api' | 'ussd' | 'sms';

/**
 * Idempotency keys as the REST API accepts them: the workflow id is built from one. No ':', the separator
 * of the product's own suffixes (`<id>:convert`, `<id>:debit`), so no key can spell a derived id.
 */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{7,99}$/;

/**
 * A caller's part of a workflow id (an Idempotency-Key, a gateway's message or session id), kept out of the
 * product's namespace: '%' and ':' are percent-encoded, so `K:convert` becomes `K%3Aconvert` and can never
 * equal the `:convert` leg of `K`. Ids without either character are unchanged (older histories replay).
 */
export function callerKey(raw: string): string {
  return raw.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
}

/** Every side effect of a workflow has its own reference, derived from the workflow id. */
export type ReferenceStep =
  | 'debit'
  | 'credit'
  | 'transfer'
  | 'mint'
  | 'send'
  | 'refund'
  | 'return'
  | 'sms'
  | 'sms-failure'
  | 'sms-refund'
  | 'sms-receiver'
  | 'sms-approve'
  | 'sms-held'
  | 'sms-approved'
  | 'convert';

export function stepReference(workflowId: string, step: ReferenceStep): string {
  return `${workflowId}:${step}`;
}

/** Where a money movement stands, as the API and the channels report it. */
export type TransferStatus = 'pending' | 'completed' | 'failed';

export interface SystemCheckResult {
  database: string;
  chainId: number;
  blockNumber: number;
  checkedBy: string;
}

/** The limits a money workflow checks, as Temporal carries them, with what the number moved in 24 hours. */
export interface LimitsWire {
  minUsdCents: string;
  maxUsdCents: string;
  dailyUsdCents: string;
  /** value of this number's other money movements in the last 24 hours (conversions and transfers) */
  usedTodayUsdMicros: string;
}

/** A REST debit by a key that is not `trusted`: the payer says YES <PIN> by SMS within `timeoutSeconds`. */
export interface PayerConsent {
  timeoutSeconds: number;
  /** who asks, as the payer's SMS names them (the API key's name) */
  requester: string;
  /** the asking key's tenant: an approval lets it read the payer's balance and history (until SMS STOP) */
  tenant?: string;
}

/** Where a money movement was asked for and by whom, as conversions' and transfers' inputs carry it. */
export interface MoneyRequest {
  channel: Channel;
  /** the REST API key that asked for it (a hybrid's conversion leg: its transfer's); none from USSD, SMS or older histories */
  apiKeyId?: string;
  /** the payer must say yes (YES <PIN> by SMS) within this many seconds before anything moves */
  consent?: PayerConsent;
}

/** Where a money workflow waits for a person before any money moves. */
export type WaitingStage =
  /** waiting for ops (approveHeld / rejectHeld) */
  | 'held'
  /** waiting for the payer's YES <PIN> (a REST request by a key that is not trusted) */
  | 'awaiting_payer';

/**
 * The stages conversions and transfers share (each adds its own steps): started, waiting for a person, the
 * airtime debited, then completed, rejected before anything moved, refunded, or refund_failed (money owed).
 */
export type MovementStage =
  | 'started'
  | WaitingStage
  | 'debited'
  | 'completed'
  | 'rejected'
  | 'refunded'
  | 'refund_failed';

/** The movement that held a number's turn gave it back: the oldest waiting for it asks again at once. */
export const payerTurnFreeSignal = defineSignal('payerTurnFree');

/**
 * How long a workflow task may run before Temporal hands it to another worker: 5 s, not the default 10. A task
 * that a killed worker had taken holds its workflow until this passes (the chain writer's holds every mint
 * waiting on its batch): in the recovery runs (docs/safety.md) these were the longest pauses after a kill. Every
 * workflow the product starts takes it: money movements and their legs, SMS messages, USSD sessions, the chain
 * writer. Their histories are short (the writer continues as new), replayed in milliseconds.
 */
export const WORKFLOW_TASK_TIMEOUT = '5 seconds' as const;
