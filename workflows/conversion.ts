/**
 * Airtime -> TXTC, as the product describes it: quote, check limits and balance, debit the airtime,
 * mint TXTC to the number's wallet, record, notify. After the debit, a failure refunds the airtime (unless
 * the mint did land) and the record and the SMS say so. Every side effect carries a reference derived
 * from the workflow id, which is the request's idempotency key.
 *
 * Bookkeeping in Postgres runs as local activities; operator and chain calls and SMS are regular ones.
 * A cancel is honoured until the debit starts; from then on the conversion finishes (mint or refund).
 */
import { CancellationScope, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MintResult } from '../activities/chain';
import type { ConversionActivities } from '../activities/conversion';
import {
  conversionStateQuery,
  stepReference,
  type ConversionInput,
  type LimitsWire,
  type ConversionQuote,
  type ConversionState,
  type ConversionUpdate,
  type ReferenceStep,
} from '../lib/definitions';
import {
  CONVERSION_QUOTE_AMOUNTS,
  perTransactionLimitBreach,
  type ConversionQuote as Quote,
} from '../lib/money/conversion';
import { fromWire } from '../lib/money/wire';
import { formatAirtime, formatTxtc, formatUsdMicros, shortHex, type LimitUnit } from '../lib/money/format';
import { localActivities } from './shared/activity-options';
import { debitCallFor } from './shared/approval';
import { compensationFailed, failureOf, limitRejection, refusalOf, rejection, stageKeeper } from './shared/steps';
import { awaitRefundRetry, owedOnRequest } from './shared/refunds';
import { showInSearch } from './shared/search';
import { applyFraudVerdict } from './shared/fraud';
import { mintTxtcOnce, moveAirtime, owed, sendSmsBestEffort, telco } from './shared/movements';
import { refusalSms, smsTexts } from '../lib/messages/sms';
import { withPayerTurn, type PayerTurn } from './shared/payer-turn';
import { awaitPayerConsent } from './shared/consent';

const { books, records } = localActivities<ConversionActivities>();

/** MIN/MAX per transaction and the 24-hour limit, compared exactly on the USD value of the airtime. */
export function checkLimits(wire: ConversionQuote, limits: LimitsWire, typed: 'usd' | 'local' | 'txtc' = 'usd'): void {
  const quote = fromWire<Quote>(wire, CONVERSION_QUOTE_AMOUNTS);
  // The limits as the person reads them, in the unit they typed.
  const unit: LimitUnit =
    typed === 'local'
      ? {
          unit: 'local',
          currency: quote.currency,
          minorDigits: quote.minorDigits,
          minorUnitsPerUsd: quote.minorUnitsPerUsd,
        }
      : typed === 'txtc'
        ? { unit: 'txtc', txtcPerUsd: quote.txtcPerUsd }
        : { unit: 'usd' };
  const rate = { ...quote, operatorFeeBps: 0n };
  const bounds = {
    minUsdCents: BigInt(limits.minUsdCents),
    maxUsdCents: BigInt(limits.maxUsdCents),
    dailyUsdCents: BigInt(limits.dailyUsdCents),
  };
  const breach = perTransactionLimitBreach(quote.airtimeAmountMinor, rate, bounds);
  if (breach) throw limitRejection(breach, 'purchase', bounds, unit);
  // used (micro-USD) + airtime / rate (USD) <= daily (cents), multiplied out to integers.
  const usedScaled = BigInt(limits.usedTodayUsdMicros) * rate.minorUnitsPerUsd;
  const thisScaled = quote.airtimeAmountMinor * 1_000_000n;
  const dailyScaled = bounds.dailyUsdCents * 10_000n * rate.minorUnitsPerUsd;
  if (usedScaled + thisScaled > dailyScaled) throw limitRejection('daily', 'purchase', bounds, unit);
}

export async function conversionWorkflow(input: ConversionInput): Promise<ConversionState> {
  return withPayerTurn(input.phoneNumber, input.parentId, (turn) => convert(input, turn));
}

async function convert(input: ConversionInput, turn: PayerTurn): Promise<ConversionState> {
  const id = workflowInfo().workflowId;
  const state: ConversionState = { id, kind: 'conversion', stage: 'started', status: 'pending' };
  setHandler(conversionStateQuery, () => state);
  showInSearch({
    kind: 'conversion',
    channel: input.channel,
    operator: input.operator,
    stage: state.stage,
    status: state.status,
  });
  const ref = (step: ReferenceStep) => stepReference(id, step);
  // The person's SMS language, known once the conversion is prepared (English until then).
  let texts = smsTexts(undefined);
  const advance = stageKeeper<ConversionState['stage'], ConversionUpdate>(state, (update) =>
    records.updateConversion(id, update),
  );

  // Quote, record and limits in one local step, then the balance. A refusal here changes no balance;
  // the record (when there is one) and an SMS say why.
  let quote: Quote | undefined;
  let balance: string | null = null;
  try {
    const prepared = await books.prepareConversion({ ...input, id });
    state.quote = prepared.quote;
    state.stage = 'quoted';
    showInSearch({ stage: state.stage, phoneHash: prepared.phoneHash, usdMicros: prepared.quote.usdMicros });
    texts = smsTexts(prepared.language);
    quote = fromWire<Quote>(prepared.quote, CONVERSION_QUOTE_AMOUNTS);
    // A hybrid's leg: its transfer checked the limits and the fraud rules on the whole amount and tells the person.
    if (!input.parentId)
      checkLimits(
        prepared.quote,
        prepared.limits,
        input.usdCents !== undefined ? 'usd' : input.txtcNetTarget !== undefined ? 'txtc' : 'local',
      );
    // Refused, or held for ops before any money moves (a verdict is absent for a leg and in older histories).
    await applyFraudVerdict(prepared.fraud, {
      id,
      kind: 'conversion',
      phoneNumber: input.phoneNumber,
      usdMicros: prepared.quote.usdMicros,
      state,
      markHeld: () => advance({ stage: 'held' }),
      resume: () => advance({ stage: 'quoted' }),
      tell: (message, step) => notify(message, step),
      texts,
      amount: formatAirtime(quote.airtimeAmountMinor, quote.currency, quote.minorDigits),
    });
    // A REST debit by a key that is not trusted: the payer says yes first (nothing moves until then).
    if (input.consent && !input.parentId)
      await awaitPayerConsent({
        consent: input.consent,
        phoneNumber: input.phoneNumber,
        operator: input.operator,
        action: texts.action({
          command: 'buy',
          amount: formatAirtime(quote.airtimeAmountMinor, quote.currency, quote.minorDigits),
        }),
        texts,
        markAwaiting: () => advance({ stage: 'awaiting_payer' }),
        resume: () => advance({ stage: 'quoted' }),
      });
    // From here the number's balance decides: one movement of its money at a time.
    await turn.take();
    // null: a mobile-money wallet that keeps its balance to itself; the debit, approved on the phone, decides.
    balance = await telco.checkAirtimeBalance(input.phoneNumber, input.operator);
    if (balance !== null && BigInt(balance) < quote.airtimeAmountMinor)
      throw rejection('InsufficientAirtime', 'not enough airtime');
    if (CancellationScope.current().consideredCancelled)
      throw rejection('Cancelled', 'cancelled before any money moved');
  } catch (err) {
    return await reject(err);
  }
  const q = quote;
  const airtime = formatAirtime(q.airtimeAmountMinor, q.currency, q.minorDigits);
  const movement = {
    phoneNumber: input.phoneNumber,
    operator: input.operator,
    amountMinor: q.airtimeAmountMinor.toString(),
  };

  // From the debit on, a cancel is too late: the money is moving, so the conversion finishes.
  return await CancellationScope.nonCancellable(async () => {
    // Debit. The operator may still refuse (balance changed since the check); that is a rejection too.
    // A failure that proves nothing is settled by the operator's word on the reference before anything else.
    try {
      const debitCall = await debitCallFor(balance, {
        phoneNumber: input.phoneNumber,
        message: texts.approvePayment(airtime),
        reference: ref('sms-approve'),
      });
      const debit = await moveAirtime('debit', { ...movement, reference: ref('debit') }, debitCall);
      if (debit.settledByStatus) log.warn('debit settled as committed by status after its attempts failed', { id });
    } catch (err) {
      return await reject(err);
    }
    state.stage = 'debited';
    showInSearch({ stage: state.stage });
    const walletAddress = await records.recordDebit({
      id,
      phoneNumber: input.phoneNumber,
      debitReference: ref('debit'),
    });
    state.walletAddress = walletAddress;

    // Mint. From here a failure owes the person their airtime back, unless the mint landed after all.
    // mintTxtcOnce throws only once the mint can never land: the refund cannot meet a late mint.
    let mint: MintResult;
    try {
      mint = await mintTxtcOnce(ref('mint'), walletAddress, q.txtcNet);
    } catch (err) {
      return await refund(err);
    }
    state.txHash = mint.txHash;
    await advance({
      stage: 'completed',
      status: 'completed',
      mintReference: ref('mint'),
      txHash: mint.txHash,
      walletAddress,
    });
    await notify(
      texts.bought({
        txtc: formatTxtc(q.txtcNet),
        airtime,
        usd: formatUsdMicros(q.usdMicros),
        wallet: shortHex(walletAddress),
        tx: shortHex(mint.txHash),
      }),
      'sms',
    );
    return state;
  });

  async function reject(err: unknown): Promise<never> {
    const failure = failureOf(err);
    if (quote) await advance({ stage: 'rejected', status: 'failed', failure });
    else {
      Object.assign(state, { stage: 'rejected', status: 'failed', failure });
      showInSearch({ stage: state.stage, status: state.status });
    }
    const named = quote ? formatAirtime(quote.airtimeAmountMinor, quote.currency, quote.minorDigits) : undefined;
    await CancellationScope.nonCancellable(() =>
      notify(refusalSms(texts, 'buy', refusalOf(err), named), 'sms-failure'),
    );
    if (isCancellation(err)) throw err;
    throw rejection(failure.type, failure.message);
  }

  async function refund(err: unknown): Promise<never> {
    const failure = failureOf(err);
    const refundMovement = { ...movement, reference: ref('refund') };
    let delayed = false;
    try {
      await owed.creditAirtime(refundMovement);
    } catch (refundErr) {
      // Surfaced, never swallowed: the record, the search attributes and the waiting workflow tell ops a
      // person is owed airtime; ops retry it with the retryRefund update (same reference) once it can work.
      const refundFailure = await compensationFailed(advance, 'refund_failed', 'refund', failure, refundErr);
      log.error('refund failed; airtime owed, waiting for ops to retry it', { id });
      await notify(texts.buyRefundDelayed(airtime), 'sms-failure');
      await turn.give(); // ops may take days: the number's other movements go on meanwhile
      if ((await awaitRefundRetry(id, () => owedOnRequest.creditAirtime(refundMovement))) === 'expired')
        throw rejection('RefundFailed', `refund of ${airtime} failed: ${refundFailure.message}`);
      delayed = true;
    }
    await advance({ stage: 'refunded', status: 'failed', refundReference: ref('refund'), refunded: true, failure });
    await notify(texts.buyRefunded(airtime), delayed ? 'sms-refund' : 'sms-failure');
    throw rejection(failure.type, `conversion failed and ${airtime} was refunded: ${failure.message}`);
  }

  /** The SMS is best effort: its failure is logged, it does not undo money that moved. A leg sends none. */
  async function notify(message: string, step: ReferenceStep): Promise<void> {
    if (!input.parentId) await sendSmsBestEffort(input.phoneNumber, message, ref(step));
  }
}
