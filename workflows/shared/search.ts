/**
 * Keeps a money workflow's search attributes (definitions/search.ts) current, so ops find it in the Temporal
 * UI by kind, status, stage, operator, channel, number (hashed) and USD value. Only what changed is upserted.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  AmountUsdCentsKey,
  PhoneHashKey,
  TransferChannelKey,
  TransferKindKey,
  TransferOperatorKey,
  TransferStageKey,
  TransferStatusKey,
} from '../../lib/definitions/search';

export interface SearchFacts {
  kind?: string;
  status?: string;
  stage?: string;
  operator?: string;
  channel?: string;
  phoneHash?: string;
  /** the USD value in micro-USD (as the quotes carry it); stored as whole cents */
  usdMicros?: string | bigint;
}

export function showInSearch(facts: SearchFacts): void {
  const current = workflowInfo().typedSearchAttributes;
  const pairs: SearchAttributeUpdatePair[] = [];
  const keyword = (key: typeof TransferKindKey, value: string | undefined) => {
    if (value !== undefined && current.get(key) !== value) pairs.push({ key, value });
  };
  keyword(TransferKindKey, facts.kind);
  keyword(TransferStatusKey, facts.status);
  keyword(TransferStageKey, facts.stage);
  keyword(TransferOperatorKey, facts.operator);
  keyword(TransferChannelKey, facts.channel);
  keyword(PhoneHashKey, facts.phoneHash);
  if (facts.usdMicros !== undefined) {
    const cents = Number(BigInt(facts.usdMicros) / 10_000n);
    if (current.get(AmountUsdCentsKey) !== cents) pairs.push({ key: AmountUsdCentsKey, value: cents });
  }
  if (pairs.length) upsertSearchAttributes(pairs);
}
