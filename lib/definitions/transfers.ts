/** P2P transfers (airtime, TXTC, hybrid): ids, input, state, query and record updates. */
import { defineQuery } from '@temporalio/workflow';
import { callerKey, type Channel, type MoneyRequest, type MovementStage, type TransferStatus } from './common';
import type { Failure } from './errors';
import type { HoldState } from './fraud';
import { STATE_QUERY, type MovementState } from './conversion';
import type { TransferKind, TransferQuote as Quote } from '../money/transfer';
import type { Wire } from '../money/wire';

export type { TransferKind };

export function transferWorkflowId(channel: Channel, requestKey: string): string {
  return `transfer:${channel}:${callerKey(requestKey)}`;
}

/** The workflow type of each kind: one workflow per kind. */
export const TRANSFER_WORKFLOWS = {
  airtime: 'airtimeTransferWorkflow',
  txtc: 'txtcTransferWorkflow',
  hybrid: 'hybridTransferWorkflow',
} as const satisfies Record<TransferKind, string>;

export interface TransferInput extends MoneyRequest {
  kind: TransferKind;
  fromPhone: string;
  fromOperator: string;
  toPhone: string;
  toOperator: string;
  /** exactly one of these: airtime minor units of the sender's currency (airtime), TXTC base units (txtc, hybrid), or US cents */
  amountMinor?: string;
  txtcAmount?: string;
  usdCents?: string;
}

export type TransferQuote = Wire<Quote>;

export type TransferStage = MovementStage | 'recorded' | 'converted' | 'send_failed';

export interface TransferState extends MovementState<TransferStage, TransferQuote> {
  kind: TransferKind;
  /** the hybrid's conversion (a child workflow), when the sender's TXTC fell short */
  conversionId?: string;
  /** a fraud rule held it for ops: why, and the decision once made */
  hold?: HoldState;
}

export const transferStateQuery = defineQuery<TransferState>(STATE_QUERY);

/** What a step changes on the transfer's record. */
export interface TransferUpdate {
  stage: TransferStage;
  status?: TransferStatus;
  failure?: Failure;
  transferReference?: string;
  debitReference?: string;
  creditReference?: string;
  sendReference?: string;
  refundReference?: string;
  refunded?: boolean;
  conversionId?: string;
  txtcFromBalance?: string;
  fromWallet?: string;
  toWallet?: string;
  txHash?: string;
}
