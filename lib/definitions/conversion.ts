/** The airtime -> TXTC conversion: its workflow id, input, wire quote, state and query. */
import { defineQuery } from '@temporalio/workflow';
import { callerKey, type Channel, type MoneyRequest, type MovementStage, type TransferStatus } from './common';
import type { Failure } from './errors';
import type { HoldState } from './fraud';
import type { ConversionQuote as Quote } from '../money/conversion';
import type { Wire } from '../money/wire';

export function conversionWorkflowId(channel: Channel, requestKey: string): string {
  return `conversion:${channel}:${callerKey(requestKey)}`;
}

export interface ConversionInput extends MoneyRequest {
  phoneNumber: string;
  operator: string;
  /** exactly one of these: airtime minor units of the operator's currency, or US cents */
  airtimeAmountMinor?: string;
  usdCents?: string;
  /** a hybrid transfer's leg: buy exactly this net TXTC (base units) instead of an airtime amount */
  txtcNetTarget?: string;
  /** set on a hybrid's leg: the transfer that checked the limits and tells the person */
  parentId?: string;
}

/** The quote as Temporal carries it (amounts as decimal strings); `Quote` in lib/money is the source. */
export type ConversionQuote = Wire<Quote>;

export type ConversionStage = MovementStage | 'quoted' | 'minted';

/**
 * Every money workflow answers the one query name 'state', so the API reads any kind with one call;
 * each kind types it with its own state.
 */
export const STATE_QUERY = 'state';

/** What every money workflow's state holds (conversions, transfers, swaps); a kind's own state adds to it. */
export interface MovementState<Stage extends string, Quote> {
  id: string;
  stage: Stage;
  status: TransferStatus;
  quote?: Quote;
  txHash?: string;
  failure?: Failure;
}

/** What the API reads of any money workflow through that one query. */
export const moneyStateQuery =
  defineQuery<Pick<MovementState<string, unknown>, 'status' | 'stage' | 'failure'>>(STATE_QUERY);

export interface ConversionState extends MovementState<ConversionStage, ConversionQuote> {
  kind?: 'conversion';
  walletAddress?: string;
  /** a fraud rule held it for ops: why, and the decision once made */
  hold?: HoldState;
}

export const conversionStateQuery = defineQuery<ConversionState>(STATE_QUERY);

/** What a step changes on the conversion's record (the workflow sends it to a local activity). */
export interface ConversionUpdate {
  stage: ConversionStage;
  status?: TransferStatus;
  debitReference?: string;
  mintReference?: string;
  refundReference?: string;
  walletAddress?: string;
  txHash?: string;
  failure?: Failure;
  refunded?: boolean;
}
