/**
 * What the three transfer workflows (workflows/transfers.ts) share: their state, query, record and search
 * attributes; the prepare step (quote, limits, fraud rules, the payer's consent, the payer's turn); the refusal
 * before anything moved; and the completion, written once: the record says completed with the movement's
 * references, the sender is told, then the receiver (with how to dial the service, if they never used it).
 */
import { CancellationScope, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PreparedTransfer, TransferActivities } from '../../activities/transfers';
import type { TransferResult } from '../../activities/chain';
import {
  stepReference,
  transferStateQuery,
  type ReferenceStep,
  type TransferInput,
  type TransferKind,
  type TransferState,
  type TransferUpdate,
} from '../../lib/definitions';
import { TRANSFER_QUOTE_AMOUNTS, type TransferQuote } from '../../lib/money/transfer';
import { fromWire } from '../../lib/money/wire';
import { formatAirtime, formatTxtcAmount, formatUsdMicros, shortHex, type LimitUnit } from '../../lib/money/format';
import { refusalSms, smsTexts, type Refusal, type SmsTexts } from '../../lib/messages/sms';
import { localActivities } from './activity-options';
import { checkUsdLimits, failureOf, refusalOf, rejection, stageKeeper } from './steps';
import { showInSearch } from './search';
import { applyFraudVerdict } from './fraud';
import { chain, sendSmsBestEffort } from './movements';
import { awaitPayerConsent } from './consent';
import type { PayerTurn } from './payer-turn';

const { books, records } = localActivities<TransferActivities>();

/** What a completed transfer's record adds besides its stage and status: the references of what moved. */
export type Completion = Omit<TransferUpdate, 'stage' | 'status'>;

/** A TXTC or hybrid transfer, prepared: its quote, the sender's TXTC and wallet, the receiver's wallet. */
export interface SendReady {
  prepared: PreparedTransfer;
  quote: TransferQuote;
  ownTxtc: bigint;
  fromWallet: string | undefined;
  toWallet: string;
}

/** What every transfer workflow shares: its state, query, record, SMS, the common rejection and completion. */
export function beginTransfer(kind: TransferKind, input: TransferInput, turn: PayerTurn) {
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
  const ref = (step: ReferenceStep) => stepReference(id, step);
  const advance = stageKeeper<TransferState['stage'], TransferUpdate>(state, (update) =>
    records.updateTransfer(id, update),
  );
  let recorded = false;
  // Each party's SMS in their language, known once the transfer is prepared (English until then).
  const texts = { sender: smsTexts(undefined), receiver: smsTexts(undefined) };

  async function tell(phoneNumber: string, message: string, step: ReferenceStep): Promise<void> {
    await sendSmsBestEffort(phoneNumber, message, ref(step));
  }

  /** The amount as the sender's SMS names it: airtime with its USD value, or TXTC. */
  const amountOf = (quote: TransferQuote): string =>
    kind === 'airtime' ? airtimeText(quote) : formatTxtcAmount(quote.txtcAmount!);

  /**
   * The money reached the receiver: the record says completed with `completion`'s references, then the
   * sender reads `sms.sender` and the receiver `sms.receiver` (with how to dial the service, if new to it).
   */
  async function complete(
    prepared: PreparedTransfer,
    completion: Completion,
    sms: { sender: string; receiver: string },
  ): Promise<TransferState> {
    await advance({ stage: 'completed', status: 'completed', ...completion });
    await tell(input.fromPhone, sms.sender, 'sms');
    await tell(input.toPhone, sms.receiver + dialHint(prepared, texts.receiver), 'sms-receiver');
    return state;
  }

  /** Refused before anything moved: the record (when there is one) and an SMS to the sender say why. */
  async function reject(err: unknown, why: (refusal: Refusal) => string): Promise<never> {
    const failure = failureOf(err);
    if (recorded) await advance({ stage: 'rejected', status: 'failed', failure });
    else {
      Object.assign(state, { stage: 'rejected', status: 'failed', failure });
      showInSearch({ stage: state.stage, status: state.status });
    }
    await tell(input.fromPhone, why(refusalOf(err)), 'sms-failure');
    throw rejection(failure.type, failure.message);
  }

  /**
   * Refused before anything moved, in the words of the failure (refusalSms) with `amount` as the SMS names
   * it; by default the amount quoted so far (none when the refusal came before the quote).
   */
  function refuse(err: unknown, amount?: string): Promise<never> {
    const named = amount ?? (state.quote ? quotedAmount(kind, state.quote) : undefined);
    return reject(err, (f) => refusalSms(texts.sender, 'transfer', f, named));
  }

  /** Quote, record, limits and fraud rules in one local step; a refusal (or a hold ops reject) changes nothing. */
  async function prepare(): Promise<{ prepared: PreparedTransfer; quote: TransferQuote }> {
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
      amount: amountOf(quote),
    });
    // A REST debit by a key that is not trusted: the payer says yes first (nothing moves until then).
    if (input.consent)
      await awaitPayerConsent({
        consent: input.consent,
        phoneNumber: input.fromPhone,
        operator: input.fromOperator,
        action: texts.sender.action({
          command: kind === 'airtime' ? 'transfer' : 'send',
          amount: amountOf(quote),
          to: input.toPhone,
        }),
        texts: texts.sender,
        markAwaiting: () => advance({ stage: 'awaiting_payer' }),
        resume: () => advance({ stage: 'recorded' }),
      });
    // From here the sender's balances decide: one movement of the number's money at a time.
    await turn.take();
    return { prepared, quote };
  }

  /** Before money moves: a cancel that arrived is honoured now. */
  function checkNotCancelled(): void {
    if (CancellationScope.current().consideredCancelled)
      throw rejection('Cancelled', 'cancelled before any money moved');
  }

  return {
    id,
    state,
    texts,
    ref,
    advance,
    tell,
    amountOf,
    prepare,
    checkNotCancelled,
    reject,
    /**
     * A TXTC or hybrid transfer's first step: prepare, the sender's TXTC and wallet (a TXTC transfer, which
     * converts nothing, is refused here when it falls short: `mustCover`), then the receiver's wallet. A
     * refusal on the way is told and thrown (refuse).
     */
    async prepareSend(mustCover: boolean): Promise<SendReady> {
      try {
        const { prepared, quote } = await prepare();
        const own = await chain.txtcBalance(input.fromPhone);
        const ownTxtc = BigInt(own.balance);
        if (mustCover && ownTxtc < quote.txtcAmount!) throw rejection('InsufficientTxtc', 'not enough TXTC');
        const toWallet = await books.ensureWallet(input.toPhone);
        checkNotCancelled();
        return { prepared, quote, ownTxtc, fromWallet: own.wallet ?? undefined, toWallet };
      } catch (err) {
        return await refuse(err);
      }
    },
    refuse,
    complete,
    /**
     * The TXTC send `sent` landed: the transfer completes with it (from and to `wallets`), the sender reads
     * `senderText` and the receiver that `amount` came from the sender in that transaction.
     */
    completeSend(
      prepared: PreparedTransfer,
      sent: TransferResult,
      wallets: { fromWallet: string | undefined; toWallet: string; txtcFromBalance?: string },
      amount: string,
      senderText: string,
    ): Promise<TransferState> {
      const { fromWallet, toWallet, txtcFromBalance } = wallets;
      state.txHash = sent.txHash;
      return complete(
        prepared,
        {
          sendReference: ref('send'),
          fromWallet,
          toWallet,
          txHash: sent.txHash,
          ...(txtcFromBalance === undefined ? {} : { txtcFromBalance }),
        },
        {
          sender: senderText,
          receiver: texts.receiver.receivedTxtc({ amount, from: input.fromPhone, tx: shortHex(sent.txHash) }),
        },
      );
    },
  };
}

/** The amount of a quote as recorded on the wire, for a refusal's SMS. */
function quotedAmount(kind: TransferKind, quote: NonNullable<TransferState['quote']>): string {
  return kind === 'airtime'
    ? airtimeText(fromWire<TransferQuote>(quote, TRANSFER_QUOTE_AMOUNTS))
    : formatTxtcAmount(BigInt(quote.txtcAmount ?? '0'));
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

/** "KES 645.00 ($5.00)" for the amount moved; a balance alone without the USD. */
export function airtimeText(quote: TransferQuote, minor?: string): string {
  if (minor !== undefined) return formatAirtime(BigInt(minor), quote.currency!, quote.minorDigits!);
  return `${formatAirtime(quote.amountMinor!, quote.currency!, quote.minorDigits!)} (${formatUsdMicros(quote.usdMicros)})`;
}

/** For a receiver who never used the service: how to reach it. */
function dialHint(prepared: PreparedTransfer, texts: SmsTexts): string {
  return prepared.receiverKnown ? '' : texts.dialHint(prepared.shortcode);
}

/** The request part of an id, for an SMS. */
export function shortRef(id: string): string {
  return id.length > 24 ? `...${id.slice(-20)}` : id;
}
