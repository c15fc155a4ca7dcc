/**
 * Definitions shared by the API, the worker and the workflows: workflow-id builders, queries and the
 * input/result types. Side-effect free, so workflow code can import it.
 * Amounts cross Temporal as decimal strings of integers (bigint is not JSON).
 */
import { defineQuery } from '@temporalio/workflow';

export const DEFAULT_TASK_QUEUE = 'txtc-bridge';

/** Every business rejection has one of these types; tests and the API read the type, not the text. */
export const ErrorTypes = {
  InvalidRequest: 'InvalidRequest',
  AmountBelowMinimum: 'AmountBelowMinimum',
  AmountAboveMaximum: 'AmountAboveMaximum',
  AmountTooSmall: 'AmountTooSmall',
  DailyLimitExceeded: 'DailyLimitExceeded',
  InsufficientAirtime: 'InsufficientAirtime',
  OperatorRejected: 'OperatorRejected',
  UnknownOperator: 'UnknownOperator',
  MintRejected: 'MintRejected',
  ReferenceConflict: 'ReferenceConflict',
} as const;
export type ErrorType = (typeof ErrorTypes)[keyof typeof ErrorTypes];

export type Channel = 'api' | 'ussd' | 'sms';

/** Idempotency keys as the REST API accepts them: the workflow id is built from one. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]{7,99}$/;

export function conversionWorkflowId(channel: Channel, requestKey: string): string {
  return `conversion:${channel}:${requestKey}`;
}

/** Per-step references derived from the workflow id; each side effect has its own. */
export function stepReference(workflowId: string, step: 'debit' | 'mint' | 'refund' | 'sms' | 'sms-failure'): string {
  return `${workflowId}:${step}`;
}

export interface SystemCheckResult {
  database: string;
  chainId: number;
  blockNumber: number;
  checkedBy: string;
}

export interface ConversionInput {
  channel: Channel;
  phoneNumber: string;
  operator: string;
  /** exactly one of these: airtime minor units of the operator's currency, or US cents */
  airtimeAmountMinor?: string;
  usdCents?: string;
}

export interface ConversionQuote {
  operator: string;
  currency: string;
  minorDigits: number;
  airtimeAmountMinor: string;
  usdMicros: string;
  txtcGross: string;
  platformFee: string;
  operatorFee: string;
  gasFee: string;
  txtcNet: string;
  txtcPerUsd: string;
  minorUnitsPerUsd: string;
  rateSource: string;
}

export interface ConversionLimitSettings {
  minUsdCents: string;
  maxUsdCents: string;
  dailyUsdCents: string;
}

export interface ConversionLimits extends ConversionLimitSettings {
  /** value of this number's other conversions in the last 24 hours */
  usedTodayUsdMicros: string;
}

export type ConversionStage = 'started' | 'quoted' | 'debited' | 'minted' | 'completed' | 'refunded' | 'rejected' | 'refund_failed';

export interface ConversionState {
  id: string;
  stage: ConversionStage;
  status: 'pending' | 'completed' | 'failed';
  quote?: ConversionQuote;
  walletAddress?: string;
  txHash?: string;
  failure?: { type: string; message: string };
}

export const conversionStateQuery = defineQuery<ConversionState>('conversionState');
