/**
 * SWAP: TXTC back to airtime, exactly once. The person's TXTC goes to the treasury first (authorised by
 * their own key, relayed by the platform), then their airtime is credited; a credit that fails for good
 * returns the TXTC from the treasury, and the record says so.
 */
import { CancellationScope, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PreparedSwap, SwapActivities } from '../activities/swaps';
import type { TransferResult } from '../activities/chain';
import {
  stepReference,
  swapStateQuery,
  type ReferenceStep,
  type SwapInput,
  type SwapState,
  type SwapUpdate,
} from '../lib/definitions';
import { SWAP_QUOTE_AMOUNTS, type SwapQuote } from '../lib/money/swap';
import { fromWire } from '../lib/money/wire';
import { formatAirtime, formatTxtcAmount } from '../lib/money/format';
import { withPayerTurn, type PayerTurn } from './shared/payer-turn';
import { refusalSms, smsTexts } from '../lib/messages/sms';
import { localActivities } from './shared/activity-options';
import { checkUsdLimits, compensationFailed, failureOf, refusalOf, rejection, stageKeeper } from './shared/steps';
import { showInSearch } from './shared/search';
import { chain, moveAirtime, owed, sendSmsBestEffort, sendTxtcOnce } from './shared/movements';

const { books, records } = localActivities<SwapActivities>();

export async function swapWorkflow(input: SwapInput): Promise<SwapState> {
  return withPayerTurn(input.phoneNumber, undefined, (turn) => swap(input, turn));
}

async function swap(input: SwapInput, turn: PayerTurn): Promise<SwapState> {
  const id = workflowInfo().workflowId;
  const state: SwapState = { id, stage: 'started', status: 'pending' };
  setHandler(swapStateQuery, () => state);
  showInSearch({
    kind: 'swap',
    channel: input.channel,
    operator: input.operator,
    stage: state.stage,
    status: state.status,
  });
  const ref = (step: ReferenceStep) => stepReference(id, step);
  const advance = stageKeeper<SwapState['stage'], SwapUpdate>(state, (update) => records.updateSwap(id, update));
  let texts = smsTexts(undefined);
  let recorded = false;

  async function tell(message: string, step: ReferenceStep): Promise<void> {
    await sendSmsBestEffort(input.phoneNumber, message, ref(step));
  }

  let prepared: PreparedSwap;
  let quote: SwapQuote;
  let wallet: string;
  try {
    prepared = await books.prepareSwap({ ...input, id });
    recorded = true;
    texts = smsTexts(prepared.language);
    state.quote = prepared.quote;
    state.stage = 'recorded';
    showInSearch({ stage: state.stage, phoneHash: prepared.phoneHash, usdMicros: prepared.quote.usdMicros });
    quote = fromWire<SwapQuote>(prepared.quote, SWAP_QUOTE_AMOUNTS);
    // A swap is told in TXTC unless the person asked in USD (airtime amounts are priced from TXTC too).
    checkUsdLimits(
      quote.usdMicros,
      prepared.limits,
      'swap',
      input.usdCents !== undefined ? { unit: 'usd' } : { unit: 'txtc', txtcPerUsd: quote.txtcPerUsd },
    );
    // From here the number's balance decides: one movement of its money at a time.
    await turn.take();
    const own = await chain.txtcBalance(input.phoneNumber);
    if (!own.wallet || BigInt(own.balance) < quote.txtcAmount) throw rejection('InsufficientTxtc', 'not enough TXTC');
    wallet = own.wallet;
    if (CancellationScope.current().consideredCancelled)
      throw rejection('Cancelled', 'cancelled before any money moved');
  } catch (err) {
    const amount = state.quote ? formatTxtcAmount(BigInt(state.quote.txtcAmount)) : undefined;
    return await refuse(err, amount);
  }
  const amount = formatTxtcAmount(quote.txtcAmount);
  const airtime = formatAirtime(quote.airtimeMinor, quote.currency, quote.minorDigits);

  return await CancellationScope.nonCancellable(async () => {
    let sent: TransferResult;
    try {
      sent = await sendTxtcOnce(ref('send'), { fromPhone: input.phoneNumber }, prepared.treasury, quote.txtcAmount);
    } catch (err) {
      return await refuse(err, amount);
    }
    state.txHash = sent.txHash;
    await advance({
      stage: 'sent',
      wallet,
      treasury: prepared.treasury,
      sendReference: ref('send'),
      sendTxHash: sent.txHash,
    });

    const credit = {
      phoneNumber: input.phoneNumber,
      operator: input.operator,
      amountMinor: quote.airtimeMinor.toString(),
      reference: ref('credit'),
    };
    let credited;
    try {
      credited = await moveAirtime('credit', credit, owed.creditAirtime);
    } catch (err) {
      return await returnTxtc(err);
    }
    await advance({ stage: 'completed', status: 'completed', creditReference: credit.reference });
    await tell(
      texts.swapped({
        txtc: amount,
        airtime,
        fee: formatTxtcAmount(quote.platformFee),
        balance: credited.balanceAfterMinor
          ? formatAirtime(BigInt(credited.balanceAfterMinor), quote.currency, quote.minorDigits)
          : undefined,
      }),
      'sms',
    );
    return state;
  });

  /** The credit failed for good: the TXTC goes back from the treasury under its own reference. */
  async function returnTxtc(err: unknown): Promise<never> {
    const failure = failureOf(err);
    let returned: TransferResult;
    try {
      returned = await sendTxtcOnce(ref('return'), { fromTreasury: true }, wallet, quote.txtcAmount);
    } catch (returnErr) {
      const returnFailure = await compensationFailed(advance, 'return_failed', 'return', failure, returnErr);
      log.error('returning swapped TXTC failed; TXTC owed', { id });
      await tell(texts.swapReturnDelayed(amount), 'sms-failure');
      throw rejection('RefundFailed', `returning ${amount} failed: ${returnFailure.message}`);
    }
    await advance({
      stage: 'returned',
      status: 'failed',
      failure,
      returnReference: ref('return'),
      returnTxHash: returned.txHash,
    });
    await tell(texts.swapReturned(amount), 'sms-failure');
    throw rejection(failure.type, `the credit failed and ${amount} was returned: ${failure.message}`);
  }

  /** Refused before anything moved: the record (when there is one) and an SMS say why. */
  async function refuse(err: unknown, amountText: string | undefined): Promise<never> {
    const failure = failureOf(err);
    if (recorded) await advance({ stage: 'rejected', status: 'failed', failure });
    else {
      Object.assign(state, { stage: 'rejected', status: 'failed', failure });
      showInSearch({ stage: state.stage, status: state.status });
    }
    const message = refusalSms(texts, 'swap', refusalOf(err), amountText);
    await tell(message, 'sms-failure');
    throw rejection(failure.type, failure.message);
  }
}
