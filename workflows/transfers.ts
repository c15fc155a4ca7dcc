/**
 * P2P transfers by phone number, one workflow per kind (MONEY.md for amounts and the hybrid's shortfall):
 * - airtime: same operator in one operator call; across operators a debit, then a credit, and if the credit
 *   fails for good the sender is refunded (never debited with the receiver uncredited);
 * - TXTC: between custodial wallets, authorised by the sender's own key and relayed by the platform;
 * - hybrid: the sender's TXTC covers what it can, the shortfall is bought with airtime (the conversion
 *   workflow as a child), then the whole amount is sent; if the send fails for good the sender keeps it.
 * Every side effect has its own reference derived from the workflow id; a cancel is honoured until money
 * starts to move.
 */
import { CancellationScope, ParentClosePolicy, WorkflowIdReusePolicy, executeChild, log } from '@temporalio/workflow';
import type { AirtimeMovementResult } from '../activities/telco';
import type { TransferResult } from '../activities/chain';
import type { PreparedTransfer } from '../activities/transfers';
import { FailureTypes, WORKFLOW_TASK_TIMEOUT, type TransferInput, type TransferState } from '../lib/definitions';
import { conversionWorkflow } from './conversion';
import type { TransferQuote } from '../lib/money/transfer';
import { formatAirtime, formatTxtc, formatTxtcAmount, formatUsdMicros, shortHex } from '../lib/money/format';
import { compensationFailed, failureOf, rejection } from './shared/steps';
import { awaitRefundRetry, owedOnRequest } from './shared/refunds';
import { moveAirtime, owed, sendTxtcOnce, telco } from './shared/movements';
import { debitCallFor } from './shared/approval';
import { withPayerTurn, type PayerTurn } from './shared/payer-turn';
import { airtimeText, beginTransfer, shortRef, type Completion } from './shared/transfer';
import { refusalSms } from '../lib/messages/sms';

/** Airtime from one number to another, exactly once. */
export async function airtimeTransferWorkflow(input: TransferInput): Promise<TransferState> {
  return withPayerTurn(input.fromPhone, undefined, (turn) => airtimeTransfer(input, turn));
}

async function airtimeTransfer(input: TransferInput, turn: PayerTurn): Promise<TransferState> {
  const t = beginTransfer('airtime', input, turn);
  let prepared: PreparedTransfer;
  let quote: TransferQuote;
  let balance: string | null;
  try {
    ({ prepared, quote } = await t.prepare());
    // null: a mobile-money wallet that keeps its balance to itself; the debit, approved on the phone, decides.
    balance = await telco.checkAirtimeBalance(input.fromPhone, input.fromOperator);
    if (balance !== null && BigInt(balance) < quote.amountMinor!)
      throw rejection('InsufficientAirtime', 'not enough airtime');
    t.checkNotCancelled();
  } catch (err) {
    return await t.refuse(err);
  }
  const amount = t.amountOf(quote);
  const amountMinor = quote.amountMinor!.toString();
  /** The amount moved on one party's line, under one step's reference. */
  const movement = (party: 'sender' | 'receiver', step: 'debit' | 'credit' | 'refund') => ({
    phoneNumber: party === 'sender' ? input.fromPhone : input.toPhone,
    operator: party === 'sender' ? input.fromOperator : input.toOperator,
    amountMinor,
    reference: t.ref(step),
  });

  return await CancellationScope.nonCancellable(async () => {
    let sender: AirtimeMovementResult;
    let receiver: AirtimeMovementResult;
    let completion: Completion;
    if (prepared.route === 'transfer') {
      // Same operator: one call moves both sides.
      const reference = t.ref('transfer');
      try {
        sender = await moveAirtime(
          'transfer',
          { fromPhone: input.fromPhone, toPhone: input.toPhone, operator: input.fromOperator, amountMinor, reference },
          (transfer) => telco.transferAirtime(transfer),
        );
      } catch (err) {
        return await t.refuse(err, amount);
      }
      receiver = { reference, balanceAfterMinor: sender.receiverBalanceAfterMinor };
      completion = { transferReference: reference };
    } else {
      // Across operators: debit the sender, then credit the receiver; a credit that fails for good is refunded.
      const debit = movement('sender', 'debit');
      try {
        const debitCall = await debitCallFor(balance, {
          phoneNumber: input.fromPhone,
          message: t.texts.sender.approvePayment(amount),
          reference: t.ref('sms-approve'),
        });
        sender = await moveAirtime('debit', debit, debitCall);
      } catch (err) {
        return await t.refuse(err, amount);
      }
      await t.advance({ stage: 'debited', debitReference: debit.reference });
      const credit = movement('receiver', 'credit');
      try {
        receiver = await moveAirtime('credit', credit, owed.creditAirtime);
      } catch (err) {
        return await refundSender(err);
      }
      completion = { creditReference: credit.reference };
    }
    return await t.complete(prepared, completion, {
      sender: t.texts.sender.sentAirtime({
        amount,
        to: input.toPhone,
        balance: sender.balanceAfterMinor ? airtimeText(quote, sender.balanceAfterMinor) : undefined,
        ref: shortRef(t.id),
      }),
      receiver: t.texts.receiver.receivedAirtime({
        amount,
        from: input.fromPhone,
        balance: receiver.balanceAfterMinor ? airtimeText(quote, receiver.balanceAfterMinor) : undefined,
      }),
    });

    async function refundSender(err: unknown): Promise<never> {
      const failure = failureOf(err);
      const refund = movement('sender', 'refund');
      let delayed = false;
      try {
        await owed.creditAirtime(refund);
      } catch (refundErr) {
        // Money owed: the record and the search attributes say so, and ops retry it (retryRefund update).
        const refundFailure = await compensationFailed(t.advance, 'refund_failed', 'refund', failure, refundErr);
        log.error('refund failed; airtime owed, waiting for ops to retry it', { id: t.id });
        await t.tell(
          input.fromPhone,
          t.texts.sender.transferRefundDelayed({ amount, to: input.toPhone }),
          'sms-failure',
        );
        await turn.give(); // ops may take days: the number's other movements go on meanwhile
        if ((await awaitRefundRetry(t.id, () => owedOnRequest.creditAirtime(refund))) === 'expired')
          throw rejection('RefundFailed', `refund of ${amount} failed: ${refundFailure.message}`);
        delayed = true;
      }
      await t.advance({
        stage: 'refunded',
        status: 'failed',
        refundReference: refund.reference,
        refunded: true,
        failure,
      });
      await t.tell(
        input.fromPhone,
        t.texts.sender.transferRefunded({ amount, to: input.toPhone }),
        delayed ? 'sms-refund' : 'sms-failure',
      );
      await t.tell(
        input.toPhone,
        t.texts.receiver.creditFailedReceiver({ amount, from: input.fromPhone }),
        'sms-receiver',
      );
      throw rejection(failure.type, `the credit failed and ${amount} was refunded: ${failure.message}`);
    }
  });
}

/** TXTC from one wallet to another; the sender's TXTC must cover it (REST `txtc`: no conversion). */
export async function txtcTransferWorkflow(input: TransferInput): Promise<TransferState> {
  return withPayerTurn(input.fromPhone, undefined, (turn) => txtcTransfer(input, turn));
}

async function txtcTransfer(input: TransferInput, turn: PayerTurn): Promise<TransferState> {
  const t = beginTransfer('txtc', input, turn);
  const { prepared, quote, fromWallet, toWallet } = await t.prepareSend(true);
  const amount = t.amountOf(quote);
  return await CancellationScope.nonCancellable(async () => {
    let sent: TransferResult;
    try {
      sent = await sendTxtcOnce(t.ref('send'), { fromPhone: input.fromPhone }, toWallet, quote.txtcAmount!);
    } catch (err) {
      return await t.refuse(err, amount);
    }
    const senderText = t.texts.sender.sentTxtc({ amount, to: input.toPhone, tx: shortHex(sent.txHash) });
    return await t.completeSend(prepared, sent, { fromWallet, toWallet }, amount, senderText);
  });
}

/**
 * TXTC to a number, paid with the sender's TXTC and, for the shortfall only, airtime: "SEND $10 TXTC TO ...".
 * Both legs are recorded and linked (the conversion's parent_transfer_id, the transfer's conversion_id).
 */
export async function hybridTransferWorkflow(input: TransferInput): Promise<TransferState> {
  return withPayerTurn(input.fromPhone, undefined, (turn) => hybridTransfer(input, turn));
}

async function hybridTransfer(input: TransferInput, turn: PayerTurn): Promise<TransferState> {
  const t = beginTransfer('hybrid', input, turn);
  const ready = await t.prepareSend(false);
  const { prepared, quote, ownTxtc, toWallet } = ready;
  let { fromWallet } = ready;
  const target = quote.txtcAmount!;
  const shortfall = target > ownTxtc ? target - ownTxtc : 0n;
  const txtcFromBalance = (target - shortfall).toString();
  const amount = t.amountOf(quote);

  return await CancellationScope.nonCancellable(async () => {
    let converted: { airtime: string; usd: string; txtc: string } | undefined;
    if (shortfall > 0n) {
      const conversionId = `${t.id}:convert`;
      try {
        const leg = await executeChild(conversionWorkflow, {
          workflowId: conversionId,
          // The leg outlives a terminated parent: once its debit is under way it must mint or refund.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
          // A closed workflow under the leg's id is someone else's movement, never this one's.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [
            {
              channel: input.channel,
              phoneNumber: input.fromPhone,
              operator: input.fromOperator,
              txtcNetTarget: shortfall.toString(),
              parentId: t.id,
              ...(input.apiKeyId === undefined ? {} : { apiKeyId: input.apiKeyId }),
            },
          ],
        });
        const q = leg.quote!;
        fromWallet ??= leg.walletAddress;
        converted = {
          airtime: formatAirtime(BigInt(q.airtimeAmountMinor), q.currency, q.minorDigits),
          usd: formatUsdMicros(BigInt(q.usdMicros)),
          txtc: formatTxtcAmount(BigInt(q.txtcNet)),
        };
      } catch (caught) {
        const err =
          caught instanceof Error && caught.name === 'WorkflowExecutionAlreadyStartedError'
            ? rejection(FailureTypes.ReferenceConflict, `the conversion leg's id ${conversionId} is already taken`)
            : caught;
        if (err !== caught)
          log.error('hybrid leg id already taken: nothing moved', { conversionId, alert: 'ReferenceConflict' });
        const legFailure = failureOf(err);
        if (legFailure.type === FailureTypes.RefundFailed) {
          // The leg took the airtime and could not give it back: airtime is owed, and the person is told so.
          await t.advance({ stage: 'refund_failed', status: 'failed', failure: legFailure, conversionId });
          await t.tell(input.fromPhone, t.texts.sender.transferRefundDelayed({ to: input.toPhone }), 'sms-failure');
          throw rejection(legFailure.type, legFailure.message);
        }
        // The conversion refused (or refunded): nothing was sent, the sender's TXTC is untouched.
        return await t.reject(err, (f) =>
          f.type === FailureTypes.InsufficientAirtime
            ? t.texts.sender.transferShortOfAirtime(formatTxtc(shortfall))
            : refusalSms(t.texts.sender, 'transfer', f, amount),
        );
      }
      t.state.conversionId = conversionId;
      await t.advance({ stage: 'converted', conversionId, txtcFromBalance });
    }
    let sent: TransferResult;
    try {
      sent = await sendTxtcOnce(t.ref('send'), { fromPhone: input.fromPhone }, toWallet, target);
    } catch (err) {
      if (!converted) return await t.refuse(err, amount);
      // The airtime became TXTC in the sender's wallet; it stays there and the sender is told.
      const failure = failureOf(err);
      await t.advance({ stage: 'send_failed', status: 'failed', failure, txtcFromBalance });
      await t.tell(
        input.fromPhone,
        t.texts.sender.sendFailedKeepTxtc({
          airtime: converted.airtime,
          converted: converted.txtc,
          amount,
          to: input.toPhone,
        }),
        'sms-failure',
      );
      throw rejection(
        failure.type,
        `the send failed after the conversion; the sender keeps the TXTC: ${failure.message}`,
      );
    }
    const tx = shortHex(sent.txHash);
    const senderText = converted
      ? t.texts.sender.convertedAndSent({
          airtime: converted.airtime,
          usd: converted.usd,
          converted: converted.txtc,
          amount,
          to: input.toPhone,
          tx,
          all: shortfall === target,
        })
      : t.texts.sender.sentTxtc({ amount, to: input.toPhone, tx });
    return await t.completeSend(prepared, sent, { fromWallet, toWallet, txtcFromBalance }, amount, senderText);
  });
}
