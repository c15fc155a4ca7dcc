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
import {
  CancellationScope,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  executeChild,
  log,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AirtimeMovementResult } from '../activities/telco';
import type { TransferResult } from '../activities/chain';
import type { PreparedTransfer, TransferActivities } from '../activities/transfers';
import {
  FailureTypes,
  stepReference,
  transferStateQuery,
  type Failure,
  type Step,
  type TransferInput,
  type TransferKind,
  type TransferState,
  type TransferUpdate,
} from '../lib/definitions';
import { conversionWorkflow } from './conversion';
import { TRANSFER_QUOTE_AMOUNTS, type TransferQuote } from '../lib/money/transfer';
import { fromWire } from '../lib/money/wire';
import { formatAirtime, formatTxtc, formatUsdMicros, shortHex, type LimitUnit } from '../lib/money/format';
import { bookkeeping, recordsUntilSettled } from './shared/activity-options';
import { checkUsdLimits, failureOf, rejection, stageKeeper } from './shared/steps';
import { awaitRefundRetry, owedOnRequest } from './shared/refunds';
import { showInSearch } from './shared/search';
import { applyFraudVerdict, fraudRefusalSms } from './shared/fraud';
import { chain, moveAirtime, owed, sendSmsBestEffort, sendTxtcOnce, telco } from './shared/movements';
import { debitCallFor } from './shared/approval';
import { smsTexts, type SmsTexts } from '../lib/messages/sms';
import { withPayerTurn, type PayerTurn } from './shared/payer-turn';
import { awaitPayerConsent } from './shared/consent';

const books = proxyLocalActivities<TransferActivities>(bookkeeping);
const records = proxyLocalActivities<TransferActivities>(recordsUntilSettled);

/** What every transfer workflow shares: its state, query, record, SMS and the common rejection path. */
function begin(kind: TransferKind, input: TransferInput, turn: PayerTurn) {
  const id = workflowInfo().workflowId;
  const state: TransferState = { id, kind, stage: 'started', status: 'pending' };
  setHandler(transferStateQuery, () => state);
  showInSearch({
    kind,
    channel: input.channel,
    operator: input.fromOperator,
    stage: state.stage,
    status: state.status,
  });
  const ref = (step: Step) => stepReference(id, step);
  const advance = stageKeeper<TransferState['stage'], TransferUpdate>(state, (update) =>
    records.updateTransfer(id, update),
  );
  let recorded = false;
  // Each party's SMS in their language, known once the transfer is prepared (English until then).
  const texts = { sender: smsTexts(undefined), receiver: smsTexts(undefined) };

  async function tell(phoneNumber: string, message: string, step: Step): Promise<void> {
    await sendSmsBestEffort(phoneNumber, message, ref(step));
  }

  return {
    id,
    state,
    texts,
    ref,
    advance,
    tell,
    /** Quote, record, limits and fraud rules in one local step; a refusal (or a hold ops reject) changes nothing. */
    async prepare(): Promise<{ prepared: PreparedTransfer; quote: TransferQuote }> {
      const prepared = await books.prepareTransfer({ ...input, id });
      recorded = true;
      texts.sender = smsTexts(prepared.senderLanguage);
      texts.receiver = smsTexts(prepared.receiverLanguage);
      state.quote = prepared.quote;
      state.stage = 'recorded';
      showInSearch({ stage: state.stage, phoneHash: prepared.phoneHash, usdMicros: prepared.quote.usdMicros });
      const quote = fromWire<TransferQuote>(prepared.quote, TRANSFER_QUOTE_AMOUNTS);
      checkUsdLimits(quote.usdMicros, prepared.limits, 'transfer', limitUnit(input, quote));
      // Refused, or held for ops before any money moves (no verdict in histories from before the rules).
      await applyFraudVerdict(prepared.fraud, {
        id,
        kind,
        phoneNumber: input.fromPhone,
        usdMicros: prepared.quote.usdMicros,
        state,
        markHeld: () => advance({ stage: 'held' }),
        resume: () => advance({ stage: 'recorded' }),
        tell: (message, step) => tell(input.fromPhone, message, step),
        texts: texts.sender,
        amount: kind === 'airtime' ? airtimeText(quote) : `${formatTxtc(quote.txtcAmount!)} TXTC`,
      });
      // A REST debit by a key that is not trusted: the payer says yes first (nothing moves until then).
      if (input.consent)
        await awaitPayerConsent({
          consent: input.consent,
          phoneNumber: input.fromPhone,
          operator: input.fromOperator,
          action: texts.sender.action({
            command: kind === 'airtime' ? 'transfer' : 'send',
            amount: kind === 'airtime' ? airtimeText(quote) : `${formatTxtc(quote.txtcAmount!)} TXTC`,
            to: input.toPhone,
          }),
          texts: texts.sender,
          markAwaiting: () => advance({ stage: 'awaiting_payer' }),
          resume: () => advance({ stage: 'recorded' }),
        });
      // From here the sender's balances decide: one movement of the number's money at a time.
      await turn.take();
      return { prepared, quote };
    },
    /** Before money moves: a cancel that arrived is honoured now. */
    checkNotCancelled(): void {
      if (CancellationScope.current().consideredCancelled)
        throw rejection('Cancelled', 'cancelled before any money moved');
    },
    /** Refused before anything moved: the record (when there is one) and an SMS to the sender say why. */
    async reject(err: unknown, why: (failure: Failure) => string): Promise<never> {
      const failure = failureOf(err);
      if (recorded) await advance({ stage: 'rejected', status: 'failed', failure });
      else {
        Object.assign(state, { stage: 'rejected', status: 'failed', failure });
        showInSearch({ stage: state.stage, status: state.status });
      }
      await tell(input.fromPhone, why(failure), 'sms-failure');
      throw rejection(failure.type, failure.message);
    },
  };
}

/** The unit the sender typed the amount in: a limit is told back in it. */
function limitUnit(input: TransferInput, quote: TransferQuote): LimitUnit {
  if (input.usdCents !== undefined) return { unit: 'usd' };
  if (quote.txtcPerUsd !== undefined) return { unit: 'txtc', txtcPerUsd: quote.txtcPerUsd };
  if (quote.currency && quote.minorUnitsPerUsd !== undefined)
    return {
      unit: 'local',
      currency: quote.currency,
      minorDigits: quote.minorDigits ?? 2,
      minorUnitsPerUsd: quote.minorUnitsPerUsd,
    };
  return { unit: 'usd' };
}

/** What a sender reads when a transfer is refused before anything moved. */
function refusalSms(texts: SmsTexts, failure: Failure, amount: string): string {
  const fraud = fraudRefusalSms(texts, failure.type, amount);
  if (fraud) return fraud;
  switch (failure.type) {
    case FailureTypes.InsufficientAirtime:
      return texts.transferNoAirtime(amount);
    case FailureTypes.InsufficientTxtc:
      return texts.transferNoTxtc(amount);
    case FailureTypes.Cancelled:
      return texts.transferCancelled;
    case FailureTypes.AmountBelowMinimum:
    case FailureTypes.AmountAboveMaximum:
    case FailureTypes.DailyLimitExceeded:
    case FailureTypes.SelfTransfer:
    case FailureTypes.UnsupportedTransfer:
    case FailureTypes.AmountTooSmall:
      return texts.transferRefused(failure.message);
    default:
      return texts.transferFailed;
  }
}

/** Airtime from one number to another, exactly once. */
export async function airtimeTransferWorkflow(input: TransferInput): Promise<TransferState> {
  return withPayerTurn(input.fromPhone, undefined, (turn) => airtimeTransfer(input, turn));
}

async function airtimeTransfer(input: TransferInput, turn: PayerTurn): Promise<TransferState> {
  const t = begin('airtime', input, turn);
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
    const amount = t.state.quote
      ? airtimeText(fromWire<TransferQuote>(t.state.quote, TRANSFER_QUOTE_AMOUNTS))
      : 'the amount';
    return await t.reject(err, (f) => refusalSms(t.texts.sender, f, amount));
  }
  const amount = airtimeText(quote);
  const amountMinor = quote.amountMinor!.toString();

  return await CancellationScope.nonCancellable(async () => {
    let sender: AirtimeMovementResult;
    let receiver: AirtimeMovementResult;
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
        return await t.reject(err, (f) => refusalSms(t.texts.sender, f, amount));
      }
      receiver = { reference, balanceAfterMinor: sender.receiverBalanceAfterMinor };
      await t.advance({ stage: 'completed', status: 'completed', transferReference: reference });
    } else {
      // Across operators: debit the sender, then credit the receiver; a credit that fails for good is refunded.
      const debit = {
        phoneNumber: input.fromPhone,
        operator: input.fromOperator,
        amountMinor,
        reference: t.ref('debit'),
      };
      try {
        const debitCall = await debitCallFor(balance, {
          phoneNumber: input.fromPhone,
          message: t.texts.sender.approvePayment(amount),
          reference: t.ref('sms-approve'),
        });
        sender = await moveAirtime('debit', debit, debitCall);
      } catch (err) {
        return await t.reject(err, (f) => refusalSms(t.texts.sender, f, amount));
      }
      await t.advance({ stage: 'debited', debitReference: debit.reference });
      const credit = {
        phoneNumber: input.toPhone,
        operator: input.toOperator,
        amountMinor,
        reference: t.ref('credit'),
      };
      try {
        receiver = await moveAirtime('credit', credit, owed.creditAirtime);
      } catch (err) {
        return await refundSender(err);
      }
      await t.advance({ stage: 'completed', status: 'completed', creditReference: credit.reference });
    }
    await t.tell(
      input.fromPhone,
      t.texts.sender.sentAirtime({
        amount,
        to: input.toPhone,
        balance: sender.balanceAfterMinor ? airtimeText(quote, sender.balanceAfterMinor) : undefined,
        ref: shortRef(t.id),
      }),
      'sms',
    );
    await t.tell(
      input.toPhone,
      t.texts.receiver.receivedAirtime({
        amount,
        from: input.fromPhone,
        balance: receiver.balanceAfterMinor ? airtimeText(quote, receiver.balanceAfterMinor) : undefined,
      }) + dialHint(prepared, t.texts.receiver),
      'sms-receiver',
    );
    return t.state;

    async function refundSender(err: unknown): Promise<never> {
      const failure = failureOf(err);
      const refund = {
        phoneNumber: input.fromPhone,
        operator: input.fromOperator,
        amountMinor,
        reference: t.ref('refund'),
      };
      let delayed = false;
      try {
        await owed.creditAirtime(refund);
      } catch (refundErr) {
        // Money owed: the record and the search attributes say so, and ops retry it (retryRefund update).
        const refundFailure = failureOf(refundErr);
        await t.advance({
          stage: 'refund_failed',
          status: 'failed',
          failure: { type: failure.type, message: `${failure.message}; refund failed: ${refundFailure.message}` },
        });
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
  const t = begin('txtc', input, turn);
  let prepared: PreparedTransfer;
  let quote: TransferQuote;
  let toWallet: string;
  let fromWallet: string | undefined;
  try {
    ({ prepared, quote } = await t.prepare());
    const own = await chain.txtcBalance(input.fromPhone);
    fromWallet = own.wallet ?? undefined;
    if (BigInt(own.balance) < quote.txtcAmount!) throw rejection('InsufficientTxtc', 'not enough TXTC');
    toWallet = await books.ensureWallet(input.toPhone);
    t.checkNotCancelled();
  } catch (err) {
    const amount = t.state.quote ? `${formatTxtc(BigInt(t.state.quote.txtcAmount ?? '0'))} TXTC` : 'the amount';
    return await t.reject(err, (f) => refusalSms(t.texts.sender, f, amount));
  }
  const amount = `${formatTxtc(quote.txtcAmount!)} TXTC`;
  return await CancellationScope.nonCancellable(async () => {
    let sent: TransferResult;
    try {
      sent = await sendTxtcOnce(t.ref('send'), { fromPhone: input.fromPhone }, toWallet, quote.txtcAmount!);
    } catch (err) {
      return await t.reject(err, (f) => refusalSms(t.texts.sender, f, amount));
    }
    t.state.txHash = sent.txHash;
    await t.advance({
      stage: 'completed',
      status: 'completed',
      sendReference: t.ref('send'),
      fromWallet,
      toWallet,
      txHash: sent.txHash,
    });
    await t.tell(
      input.fromPhone,
      t.texts.sender.sentTxtc({ amount, to: input.toPhone, tx: shortHex(sent.txHash) }),
      'sms',
    );
    await t.tell(
      input.toPhone,
      t.texts.receiver.receivedTxtc({ amount, from: input.fromPhone, tx: shortHex(sent.txHash) }) +
        dialHint(prepared, t.texts.receiver),
      'sms-receiver',
    );
    return t.state;
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
  const t = begin('hybrid', input, turn);
  let prepared: PreparedTransfer;
  let quote: TransferQuote;
  let ownTxtc: bigint;
  let toWallet: string;
  let fromWallet: string | undefined;
  try {
    ({ prepared, quote } = await t.prepare());
    const own = await chain.txtcBalance(input.fromPhone);
    ownTxtc = BigInt(own.balance);
    fromWallet = own.wallet ?? undefined;
    toWallet = await books.ensureWallet(input.toPhone);
    t.checkNotCancelled();
  } catch (err) {
    const amount = t.state.quote ? `${formatTxtc(BigInt(t.state.quote.txtcAmount ?? '0'))} TXTC` : 'the amount';
    return await t.reject(err, (f) => refusalSms(t.texts.sender, f, amount));
  }
  const target = quote.txtcAmount!;
  const shortfall = target > ownTxtc ? target - ownTxtc : 0n;
  const amount = `${formatTxtc(target)} TXTC`;

  return await CancellationScope.nonCancellable(async () => {
    let converted: { airtime: string; usd: string; txtc: string } | undefined;
    if (shortfall > 0n) {
      const conversionId = `${t.id}:convert`;
      try {
        const leg = await executeChild(conversionWorkflow, {
          workflowId: conversionId,
          // The leg outlives a terminated parent: once its debit is under way it must mint or refund.
          parentClosePolicy: ParentClosePolicy.ABANDON,
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
          txtc: `${formatTxtc(BigInt(q.txtcNet))} TXTC`,
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
            : refusalSms(t.texts.sender, f, amount),
        );
      }
      t.state.conversionId = conversionId;
      await t.advance({ stage: 'converted', conversionId, txtcFromBalance: (target - shortfall).toString() });
    }
    let sent: TransferResult;
    try {
      sent = await sendTxtcOnce(t.ref('send'), { fromPhone: input.fromPhone }, toWallet, target);
    } catch (err) {
      if (!converted) return await t.reject(err, (f) => refusalSms(t.texts.sender, f, amount));
      // The airtime became TXTC in the sender's wallet; it stays there and the sender is told.
      const failure = failureOf(err);
      await t.advance({
        stage: 'send_failed',
        status: 'failed',
        failure,
        txtcFromBalance: (target - shortfall).toString(),
      });
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
    t.state.txHash = sent.txHash;
    await t.advance({
      stage: 'completed',
      status: 'completed',
      sendReference: t.ref('send'),
      fromWallet,
      toWallet,
      txHash: sent.txHash,
      txtcFromBalance: (target - shortfall).toString(),
    });
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
    await t.tell(input.fromPhone, senderText, 'sms');
    await t.tell(
      input.toPhone,
      t.texts.receiver.receivedTxtc({ amount, from: input.fromPhone, tx: shortHex(sent.txHash) }) +
        dialHint(prepared, t.texts.receiver),
      'sms-receiver',
    );
    return t.state;
  });
}

/** "KES 645.00 ($5.00)" for the amount moved; a balance alone without the USD. */
function airtimeText(quote: TransferQuote, minor?: string): string {
  if (minor !== undefined) return formatAirtime(BigInt(minor), quote.currency!, quote.minorDigits!);
  return `${formatAirtime(quote.amountMinor!, quote.currency!, quote.minorDigits!)} (${formatUsdMicros(quote.usdMicros)})`;
}

/** For a receiver who never used the service: how to reach it. */
function dialHint(prepared: PreparedTransfer, texts: SmsTexts): string {
  return prepared.receiverKnown ? '' : texts.dialHint(prepared.shortcode);
}

/** The request part of an id, for an SMS. */
function shortRef(id: string): string {
  return id.length > 24 ? `...${id.slice(-20)}` : id;
}
