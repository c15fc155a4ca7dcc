/**
 * Airtime -> TXTC, as the product describes it: quote, check limits and balance, debit the airtime,
 * ensure the wallet, mint TXTC, record, notify. After the debit, a failure refunds the airtime (unless
 * the mint did land) and the record and the SMS say so. Every side effect carries a reference derived
 * from the workflow id, which is the request's idempotency key.
 */
import { ApplicationFailure, isCancellation, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { TelcoActivities } from '../activities/telco';
import type { ChainActivities, MintResult } from '../activities/chain';
import type { ConversionActivities } from '../activities/conversion';
import {
  ErrorTypes,
  conversionStateQuery,
  stepReference,
  type ConversionInput,
  type ConversionLimits,
  type ConversionQuote,
  type ConversionState,
} from './definitions';
import { perTransactionLimitBreach, type OperatorRate } from '../lib/money/conversion';
import { formatAirtime, formatTxtc, formatUsdCents, formatUsdMicros, shortHex } from '../lib/money/format';

const BUSINESS_ERRORS = Object.values(ErrorTypes);

const telco = proxyActivities<TelcoActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: BUSINESS_ERRORS },
});
// A refund is money owed: it keeps trying far longer before the workflow gives up and surfaces it.
const refunds = proxyActivities<TelcoActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30, nonRetryableErrorTypes: [ErrorTypes.ReferenceConflict] },
});
const chain = proxyActivities<ChainActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8, nonRetryableErrorTypes: BUSINESS_ERRORS },
});
const db = proxyActivities<ConversionActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 20, nonRetryableErrorTypes: BUSINESS_ERRORS },
});
// Once airtime has moved, the record must catch up and an unknown outcome must be settled, however long
// the database, operator or node is away: these retry until they succeed (ops see them in the UI).
const records = proxyActivities<ConversionActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const settle = proxyActivities<TelcoActivities & ChainActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/** Failures that prove the operator moved nothing. */
const DEBIT_REFUSALS: string[] = [ErrorTypes.InsufficientAirtime, ErrorTypes.OperatorRejected, ErrorTypes.ReferenceConflict];

function operatorRateOf(quote: ConversionQuote): OperatorRate {
  return { operator: quote.operator, currency: quote.currency, minorDigits: quote.minorDigits, minorUnitsPerUsd: BigInt(quote.minorUnitsPerUsd), operatorFeeBps: 0n };
}

/** MIN/MAX per transaction and the 24-hour limit, compared exactly on the USD value of the airtime. */
export function checkLimits(quote: ConversionQuote, limits: ConversionLimits): void {
  const rate = operatorRateOf(quote);
  const airtime = BigInt(quote.airtimeAmountMinor);
  const minUsdCents = BigInt(limits.minUsdCents);
  const maxUsdCents = BigInt(limits.maxUsdCents);
  const breach = perTransactionLimitBreach(airtime, rate, { minUsdCents, maxUsdCents });
  if (breach === 'below') {
    throw ApplicationFailure.nonRetryable(`the smallest purchase is ${formatUsdCents(minUsdCents)}`, ErrorTypes.AmountBelowMinimum);
  }
  if (breach === 'above') {
    throw ApplicationFailure.nonRetryable(`the largest purchase is ${formatUsdCents(maxUsdCents)}`, ErrorTypes.AmountAboveMaximum);
  }
  // used (micro-USD) + airtime / rate (USD) <= daily (cents), multiplied out to integers.
  const usedScaled = BigInt(limits.usedTodayUsdMicros) * rate.minorUnitsPerUsd;
  const thisScaled = airtime * 1_000_000n;
  const dailyScaled = BigInt(limits.dailyUsdCents) * 10_000n * rate.minorUnitsPerUsd;
  if (usedScaled + thisScaled > dailyScaled) {
    throw ApplicationFailure.nonRetryable(`this would pass your daily limit of ${formatUsdCents(BigInt(limits.dailyUsdCents))}`, ErrorTypes.DailyLimitExceeded);
  }
}

function failureOf(err: unknown): { type: string; message: string } {
  let e: unknown = err;
  // ActivityFailure wraps the activity's ApplicationFailure in `cause`.
  while (e && typeof e === 'object' && !(e instanceof ApplicationFailure) && 'cause' in e && (e as { cause?: unknown }).cause) {
    e = (e as { cause: unknown }).cause;
  }
  if (e instanceof ApplicationFailure) return { type: e.type ?? 'Error', message: e.message };
  return { type: 'Error', message: err instanceof Error ? err.message : String(err) };
}

/** What a person reads when a purchase is refused, by error type. */
function rejectionSms(type: string, message: string, quote?: ConversionQuote): string {
  const amount = quote ? formatAirtime(BigInt(quote.airtimeAmountMinor), quote.currency, quote.minorDigits) : 'the amount';
  switch (type) {
    case ErrorTypes.InsufficientAirtime:
      return `TXTC purchase failed: you do not have ${amount} of airtime. Nothing was charged.`;
    case ErrorTypes.AmountBelowMinimum:
    case ErrorTypes.AmountAboveMaximum:
    case ErrorTypes.DailyLimitExceeded:
    case ErrorTypes.AmountTooSmall:
      return `TXTC purchase failed: ${message}. Nothing was charged.`;
    default:
      return 'TXTC purchase failed. Nothing was charged. Please try again later.';
  }
}

export async function conversionWorkflow(input: ConversionInput): Promise<ConversionState> {
  const id = workflowInfo().workflowId;
  const state: ConversionState = { id, stage: 'started', status: 'pending' };
  setHandler(conversionStateQuery, () => state);
  const ref = (step: Parameters<typeof stepReference>[1]) => stepReference(id, step);

  // Quote and limits. A refusal here changes no balance; the record (when there is one) and an SMS say why.
  let quote: ConversionQuote | undefined;
  try {
    const quoted = await db.quoteConversion(input);
    quote = quoted.quote;
    state.quote = quote;
    state.stage = 'quoted';
    const { usedTodayUsdMicros } = await db.recordConversion({ id, channel: input.channel, phoneNumber: input.phoneNumber, quote });
    checkLimits(quote, { ...quoted.limits, usedTodayUsdMicros });
    const balance = await telco.checkAirtimeBalance(input.phoneNumber, input.operator);
    if (BigInt(balance) < BigInt(quote.airtimeAmountMinor)) {
      throw ApplicationFailure.nonRetryable('not enough airtime', ErrorTypes.InsufficientAirtime);
    }
  } catch (err) {
    return await reject(err);
  }
  const q = quote;

  // Debit. The operator may still refuse (balance changed since the check); that is a rejection too.
  // A failure that proves nothing is settled by the operator's word on the reference before anything else.
  try {
    await telco.debitAirtime({ phoneNumber: input.phoneNumber, operator: input.operator, amountMinor: q.airtimeAmountMinor, reference: ref('debit') });
  } catch (err) {
    if (isCancellation(err) || DEBIT_REFUSALS.includes(failureOf(err).type)) return await reject(err);
    const outcome = await settle.airtimeMovementStatus(ref('debit'));
    if (outcome !== 'committed') return await reject(err);
    log.warn('debit settled as committed by status after its attempts failed', { id });
  }
  state.stage = 'debited';
  await records.updateConversion(id, { stage: 'debited', debitReference: ref('debit') });

  // Wallet and mint. From here a failure owes the person their airtime back.
  let mint: MintResult;
  try {
    state.walletAddress = await chain.ensureWallet(input.phoneNumber);
    mint = await chain.mintTxtc({ to: state.walletAddress, amount: q.txtcNet, reference: ref('mint') });
  } catch (err) {
    if (isCancellation(err)) throw err;
    // Before refunding, make sure the mint did not land after all (a receipt lost in a node error).
    const landed = await settle.findMint(ref('mint'));
    if (!landed || !state.walletAddress) return await refund(err);
    mint = landed;
  }
  state.txHash = mint.txHash;
  state.stage = 'minted';
  await records.updateConversion(id, { stage: 'minted', walletAddress: state.walletAddress, mintReference: ref('mint'), txHash: mint.txHash });

  state.stage = 'completed';
  state.status = 'completed';
  await records.updateConversion(id, { stage: 'completed', status: 'completed' });
  await notify(
    `You bought ${formatTxtc(BigInt(q.txtcNet))} TXTC with ${formatAirtime(BigInt(q.airtimeAmountMinor), q.currency, q.minorDigits)} airtime ` +
      `(${formatUsdMicros(BigInt(q.usdMicros))}). Wallet: ${shortHex(state.walletAddress)} TX: ${shortHex(mint.txHash)}`,
    ref('sms'),
  );
  return state;

  async function reject(err: unknown): Promise<never> {
    if (isCancellation(err)) throw err;
    const failure = failureOf(err);
    state.stage = 'rejected';
    state.status = 'failed';
    state.failure = failure;
    if (quote) await records.updateConversion(id, { stage: 'rejected', status: 'failed', failureCode: failure.type, failureMessage: failure.message });
    await notify(rejectionSms(failure.type, failure.message, quote), ref('sms-failure'));
    throw ApplicationFailure.nonRetryable(failure.message, failure.type);
  }

  async function refund(err: unknown): Promise<never> {
    const failure = failureOf(err);
    state.failure = failure;
    state.status = 'failed';
    const amount = formatAirtime(BigInt(q.airtimeAmountMinor), q.currency, q.minorDigits);
    try {
      await refunds.creditAirtime({ phoneNumber: input.phoneNumber, operator: input.operator, amountMinor: q.airtimeAmountMinor, reference: ref('refund') });
    } catch (refundErr) {
      // Surfaced, never swallowed: the record and the failed workflow tell ops a person is owed airtime.
      state.stage = 'refund_failed';
      const refundFailure = failureOf(refundErr);
      await records.updateConversion(id, { stage: 'refund_failed', status: 'failed', failureCode: failure.type, failureMessage: `${failure.message}; refund failed: ${refundFailure.message}` });
      log.error('refund failed; airtime owed', { id });
      throw ApplicationFailure.nonRetryable(`refund of ${amount} failed: ${refundFailure.message}`, 'RefundFailed');
    }
    state.stage = 'refunded';
    await records.updateConversion(id, { stage: 'refunded', status: 'failed', refundReference: ref('refund'), refunded: true, failureCode: failure.type, failureMessage: failure.message });
    await notify(`TXTC purchase failed; your ${amount} airtime has been refunded.`, ref('sms-failure'));
    throw ApplicationFailure.nonRetryable(`conversion failed and ${amount} was refunded: ${failure.message}`, failure.type);
  }

  /** The SMS is best effort: its failure is logged, it does not undo money that moved. */
  async function notify(message: string, reference: string): Promise<void> {
    try {
      await telco.sendSms(input.phoneNumber, message, reference);
    } catch (err) {
      log.warn('SMS not sent', { id, error: failureOf(err).message });
    }
  }
}
