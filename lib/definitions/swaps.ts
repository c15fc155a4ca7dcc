/** SWAP (TXTC back to airtime) and voucher redemption: ids, inputs, states and record updates. */
import { defineQuery } from '@temporalio/workflow';
import { callerKey, type Channel, type TransferStatus } from './common';
import type { Failure } from './errors';
import type { HoldState } from './fraud';
import { STATE_QUERY, type MovementState } from './conversion';
import type { SwapQuote as Quote } from '../money/swap';
import type { Wire } from '../money/wire';
import type { Language } from '../ussd/types';

export function swapWorkflowId(channel: Channel, requestKey: string): string {
  return `swap:${channel}:${callerKey(requestKey)}`;
}

/** One redemption per voucher, whichever message claimed it: its mint is referenced by the voucher. */
export function voucherWorkflowId(voucherId: string): string {
  return `voucher:${callerKey(voucherId)}`;
}

export interface SwapInput {
  channel: Channel;
  phoneNumber: string;
  operator: string;
  /** exactly one: TXTC base units, US cents, or airtime minor units in the operator's currency */
  txtcAmount?: string;
  usdCents?: string;
  amountMinor?: string;
}

export type SwapQuote = Wire<Quote>;

export type SwapStage = 'started' | 'recorded' | 'sent' | 'completed' | 'rejected' | 'returned' | 'return_failed';

export type SwapState = MovementState<SwapStage, SwapQuote>;

export const swapStateQuery = defineQuery<SwapState>(STATE_QUERY);
/** A held voucher redemption's hold, as ops query it (`state`). */
export const voucherStateQuery = defineQuery<{ hold?: HoldState }>(STATE_QUERY);

export interface SwapUpdate {
  stage: SwapStage;
  status?: TransferStatus;
  failure?: Failure;
  wallet?: string;
  treasury?: string;
  sendReference?: string;
  sendTxHash?: string;
  creditReference?: string;
  returnReference?: string;
  returnTxHash?: string;
}

export interface VoucherRedemptionInput {
  voucherId: string;
  phoneNumber: string;
  /** TXTC base units */
  txtcAmount: string;
  /** for the SMS (the number's language, or the language of the keyword used) */
  language?: Language;
  /** worth more than VOUCHER_HOLD_ABOVE_USD: ops approve (approveHeld) before it mints */
  hold?: { reason: string; timeoutSeconds: number };
  /** its USD value, micro-dollars (the hold's record) */
  usdMicros?: string;
}

export interface VoucherRedemptionResult {
  voucherId: string;
  status: 'minted' | 'mint_failed' | 'rejected';
  wallet: string;
  txHash?: string;
}
