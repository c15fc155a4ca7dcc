/**
 * The custom search attributes that make the Temporal UI the ops console: every money workflow keeps them
 * current, so ops list and filter money in flight (`TransferKind='conversion' AND TransferStage='refund_failed'`).
 * A server must know them before a workflow upserts one (a workflow task that upserts an unknown one fails):
 * `npm start`, the test stack and docker compose register this list; a cluster runs the documented command.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { defineUpdate } from '@temporalio/workflow';
import type { Failure } from './errors';

/** conversion, airtime, txtc, hybrid, swap */
export const TransferKindKey = defineSearchAttributeKey('TransferKind', SearchAttributeType.KEYWORD);
/** pending, completed, failed: the record's status */
export const TransferStatusKey = defineSearchAttributeKey('TransferStatus', SearchAttributeType.KEYWORD);
/** the record's stage (quoted, debited, refund_failed...) */
export const TransferStageKey = defineSearchAttributeKey('TransferStage', SearchAttributeType.KEYWORD);
/** the operator of the number that pays (the sender's) */
export const TransferOperatorKey = defineSearchAttributeKey('TransferOperator', SearchAttributeType.KEYWORD);
/** api, ussd, sms */
export const TransferChannelKey = defineSearchAttributeKey('TransferChannel', SearchAttributeType.KEYWORD);
/** a keyed hash of the paying number (lib/ops/phone-hash.ts, `npm run ops:phone-hash -- <number>`), never the number */
export const PhoneHashKey = defineSearchAttributeKey('PhoneHash', SearchAttributeType.KEYWORD);
/** the USD value, in cents (rounded down) */
export const AmountUsdCentsKey = defineSearchAttributeKey('AmountUsdCents', SearchAttributeType.INT);

export const SEARCH_ATTRIBUTES = [
  TransferKindKey,
  TransferStatusKey,
  TransferStageKey,
  TransferOperatorKey,
  TransferChannelKey,
  PhoneHashKey,
  AmountUsdCentsKey,
] as const;

const CLI_TYPES: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };

/** `Name=Type` for each attribute, as `temporal server start-dev --search-attribute` and setup-namespace.sh take them. */
export function searchAttributeSpecs(): string[] {
  return SEARCH_ATTRIBUTES.map((key) => `${key.name}=${CLI_TYPES[key.type]}`);
}

/**
 * Ops: a refund that failed for good leaves the workflow waiting (REFUND_RETRY_WINDOW) for this update; it
 * tries the refund again under the same reference and answers how it went.
 */
export interface RefundRetryResult {
  refunded: boolean;
  failure?: Failure;
}
export const retryRefundUpdate = defineUpdate<RefundRetryResult>('retryRefund');
/** How long a workflow whose refund failed waits for ops before it ends `RefundFailed`. */
export const REFUND_RETRY_WINDOW = '30 days';
