/**
 * Voucher redemption: a claimed voucher (one claim per code, made by the SMS that named it) is minted to
 * the person's wallet under a reference derived from the voucher, through the chain writer like every other
 * mint, so the contract mints it once whatever is retried or redelivered.
 */
import { log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { VoucherActivities } from '../activities/vouchers';
import type { TransferActivities } from '../activities/transfers';
import type { MintResult } from '../activities/chain';
import {
  FailureTypes,
  stepReference,
  voucherStateQuery,
  voucherWorkflowId,
  type HoldState,
  type VoucherRedemptionInput,
  type VoucherRedemptionResult,
} from '../lib/definitions';
import { formatTxtcAmount, shortHex } from '../lib/money/format';
import { smsTexts } from '../lib/messages/sms';
import { applyFraudVerdict } from './shared/fraud';
import { localActivities } from './shared/activity-options';
import { failureOf } from './shared/steps';
import { mintTxtcUntilLanded, sendSmsBestEffort, settleChain } from './shared/movements';

const { books, records } = localActivities<VoucherActivities & TransferActivities>();

/** Redemptions from before vouchers minted through the chain writer replay their own mint transaction. */
const VOUCHER_BATCHED_MINT_PATCH = 'voucher-batched-mint';
const VOUCHER_HOLD_PATCH = 'voucher-hold';

/**
 * Mints a claimed voucher to the person's wallet, once (the reference is the voucher's), in a chain writer
 * batch like every other mint. A mint that cannot land yet keeps being retried, one not written by its
 * deadline handed over again (no compensation exists: the person is owed the TXTC); only a mint the contract
 * refuses for good ends the redemption as failed, for ops to see.
 */
export async function voucherRedemptionWorkflow(input: VoucherRedemptionInput): Promise<VoucherRedemptionResult> {
  const texts = smsTexts(input.language);
  const reference = stepReference(voucherWorkflowId(input.voucherId), 'mint');
  const amount = formatTxtcAmount(BigInt(input.txtcAmount));
  const wallet = await books.ensureWallet(input.phoneNumber);
  const tell = (message: string) =>
    sendSmsBestEffort(input.phoneNumber, message, stepReference(voucherWorkflowId(input.voucherId), 'sms'));
  // A voucher worth more than VOUCHER_HOLD_ABOVE_USD waits for ops before it mints, like a large transfer.
  if (input.hold && patched(VOUCHER_HOLD_PATCH)) {
    const id = workflowInfo().workflowId;
    const state: { hold?: HoldState } = {};
    setHandler(voucherStateQuery, () => state);
    try {
      await applyFraudVerdict(
        {
          action: 'hold',
          rules: 'voucher-large',
          reason: input.hold.reason,
          timeoutSeconds: input.hold.timeoutSeconds,
        },
        {
          id,
          kind: 'voucher',
          phoneNumber: input.phoneNumber,
          usdMicros: input.usdMicros ?? '0',
          state,
          markHeld: () => Promise.resolve(),
          resume: () => Promise.resolve(),
          tell: async (message, step) => {
            await sendSmsBestEffort(input.phoneNumber, message, stepReference(id, step));
          },
          texts,
          amount,
        },
      );
    } catch (err) {
      const failure = failureOf(err);
      const outcome = failure.type === FailureTypes.HoldRejected ? 'rejected' : 'expired';
      await records.voucherHoldReleased({ voucherId: input.voucherId, outcome });
      await tell(outcome === 'rejected' ? texts.holdRejected(amount) : texts.holdExpired(amount));
      return { voucherId: input.voucherId, status: 'rejected', wallet };
    }
  }
  try {
    const minted: MintResult = patched(VOUCHER_BATCHED_MINT_PATCH)
      ? await mintTxtcUntilLanded(reference, wallet, BigInt(input.txtcAmount))
      : await settleChain.mintTxtc({ to: wallet, amount: input.txtcAmount, reference });
    await records.voucherMinted({ voucherId: input.voucherId, wallet, reference, txHash: minted.txHash });
    await tell(texts.voucherRedeemed({ amount, wallet: shortHex(wallet), tx: shortHex(minted.txHash) }));
    return { voucherId: input.voucherId, status: 'minted', wallet, txHash: minted.txHash };
  } catch (err) {
    const failure = failureOf(err);
    await records.voucherMintFailed({ voucherId: input.voucherId, wallet, reference, failure: failure.message });
    log.error('voucher mint refused; TXTC owed', { voucherId: input.voucherId });
    await tell(texts.voucherDelayed(amount));
    return { voucherId: input.voucherId, status: 'mint_failed', wallet };
  }
}
