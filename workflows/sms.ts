/**
 * One inbound SMS, one workflow (id `sms:<gateway message id>`): read the command (the pure parser),
 * answer lookups by SMS, and start the money workflows (BUY, SEND — hybrid when short —, TRANSFER, SWAP,
 * a voucher's REDEEM) with ids derived from the message or the voucher, so a redelivered message starts
 * nothing new. The money workflows tell the person how it went; replies are in the number's language (or
 * the language of the keyword used).
 *
 * A money request worth more than SMS_CONFIRM_ABOVE_USD waits here for YES <pin> from the same number
 * (a signal from that message's workflow; the API checked the PIN, so no PIN is in any history). NO, a
 * locked PIN or the timeout move nothing.
 */
import { setHandler, workflowInfo, type Workflow } from '@temporalio/workflow';
import type { SmsActivities } from '../activities/sms';
import type { UssdActivities } from '../activities/ussd';
import type { VoucherActivities } from '../activities/vouchers';
import {
  conversionWorkflowId,
  smsConfirmationSignal,
  swapWorkflowId,
  transferWorkflowId,
  voucherWorkflowId,
  type ConversionInput,
  type SmsAnswer,
  type SmsConfirmationSignal,
  type SmsMessageInput,
  type SmsMessageResult,
  type SwapInput,
  type TransferInput,
} from '../lib/definitions';
import { parseSms, type Amount, type ParsedSms } from '../lib/sms/parser';
import { identifySubscriber } from '../lib/telco/detect';
import { smsTexts, type SmsTexts } from '../lib/messages/sms';
import { formatAirtime, formatTxtcAmount, formatUsdCents } from '../lib/money/format';
import { localActivities } from './shared/activity-options';
import { sendSmsBestEffort } from './shared/movements';
import { answerWaitingRequest, startMoneyWorkflow } from './shared/channel-starts';
import { awaitConfirmation } from './shared/consent';
import { conversionWorkflow } from './conversion';
import { airtimeTransferWorkflow, hybridTransferWorkflow } from './transfers';
import { swapWorkflow } from './swaps';
import { voucherRedemptionWorkflow } from './vouchers';

const { lookups, books } = localActivities<SmsActivities & UssdActivities & VoucherActivities>();

type MoneyCommand = Extract<ParsedSms, { command: 'buy' | 'send' | 'transfer' | 'swap' }>;

export async function smsMessageWorkflow(input: SmsMessageInput): Promise<SmsMessageResult> {
  // Registered first: an answer that arrives while this workflow is still reading its message waits here.
  const answers: SmsConfirmationSignal[] = [];
  setHandler(smsConfirmationSignal, (answer) => void answers.push(answer));

  const sender = await books.smsSender({ phoneNumber: input.from, operator: input.operator });
  const parsed = parseSms(input.text, {
    phoneNumber: input.from,
    currency: sender.currency,
    minorDigits: sender.minorDigits,
  });
  const texts = smsTexts(sender.language ?? parsed.language);
  const key = input.messageId;
  let replies = 0;

  function reply(message: string): Promise<boolean> {
    // Each reply of this message its own reference: a retried activity sends it once.
    return sendSmsBestEffort(input.from, message, `sms:${key}:reply${replies++ ? `-${replies}` : ''}`);
  }

  /** Starts a money workflow once; it tells the person how it went. */
  async function begin<W extends Workflow>(workflow: W, id: string, args: Parameters<W>[0]): Promise<SmsMessageResult> {
    await startMoneyWorkflow(workflow, id, args);
    return { command: parsed.command, startedWorkflowId: id, replied: false };
  }

  /**
   * Whether a money request may go ahead: at once below the threshold; above it only after YES with the
   * right PIN from this number within the timeout. Undefined means go ahead; otherwise how it ended.
   */
  async function confirmation(request: MoneyCommand): Promise<SmsMessageResult['confirmation'] | undefined> {
    const usdCents = BigInt(await lookups.smsUsdCents({ operator: input.operator, amount: request.amount }));
    if (usdCents <= BigInt(sender.confirmAboveUsdCents)) return undefined;
    if (sender.pin === 'none') {
      await reply(texts.confirmNeedsPin(sender.shortcode));
      return 'no-pin';
    }
    if (sender.pin === 'locked') {
      await reply(texts.confirmLocked);
      return 'locked';
    }
    const id = workflowInfo().workflowId;
    // Workflow time: deterministic, the same on replay.
    // eslint-disable-next-line no-restricted-syntax
    const expiresAt = Date.now() + sender.confirmTimeoutSeconds * 1000;
    await books.openSmsConfirmation({ workflowId: id, phoneNumber: input.from, expiresAt });
    const amount = amountText(request.amount, sender.currency, sender.minorDigits);
    await reply(
      texts.confirmPrompt({
        action: texts.action(
          request.command === 'send' || request.command === 'transfer'
            ? { command: request.command, amount, to: request.to }
            : { command: request.command, amount },
        ),
        minutes: Math.ceil(sender.confirmTimeoutSeconds / 60),
      }),
    );
    const outcome = await awaitConfirmation(id, answers, expiresAt, texts, reply);
    if (outcome === 'expired') await reply(texts.confirmExpired);
    else if (outcome === 'declined') await reply(texts.confirmDeclined);
    else if (outcome === 'locked') await reply(texts.confirmLocked);
    return outcome;
  }

  /** The request's money workflow, once it may go ahead. */
  async function money(request: MoneyCommand, start: () => Promise<SmsMessageResult>): Promise<SmsMessageResult> {
    const outcome = await confirmation(request);
    if (outcome && outcome !== 'confirmed') return { command: request.command, replied: true, confirmation: outcome };
    const started = await start();
    return outcome ? { ...started, confirmation: outcome } : started;
  }

  /** YES or NO: passed to the request waiting for it, which replies; nothing waiting is said so. */
  async function answer(given: SmsAnswer): Promise<SmsMessageResult> {
    if (given.workflowId) {
      const signal: SmsConfirmationSignal = {
        messageId: key,
        decision: given.decision,
        ...(given.pin ? { pin: given.pin } : {}),
      };
      if (await answerWaitingRequest(given.workflowId, signal)) return { command: given.decision, replied: false };
      // Not delivered: the request lapsed (or ended) between the API's look and now.
    }
    return { command: given.decision, replied: await reply(texts.nothingToConfirm) };
  }

  if (input.answer) return answer(input.answer);
  switch (parsed.command) {
    case 'help':
      return { command: 'help', replied: await reply(texts.help(sender.shortcode, sender.exampleUsd)) };
    case 'unknown':
      return { command: 'unknown', replied: await reply(texts.notUnderstood(sender.shortcode)) };
    case 'stop': {
      const stopped = await books.revokeTenant({ phoneNumber: input.from, tenant: parsed.tenant });
      return {
        command: 'stop',
        replied: await reply(stopped ? texts.tenantStopped(parsed.tenant) : texts.tenantNotApproved(parsed.tenant)),
      };
    }
    case 'confirm':
    case 'decline':
      // Answered above when the API saw it (the text carries a redacted PIN); here only when it did not.
      return { command: parsed.command, replied: await reply(texts.nothingToConfirm) };
    case 'balance':
    case 'airtime': {
      const balance = await lookups.ussdEffect({
        phoneNumber: input.from,
        operator: input.operator,
        effect: { type: 'balance' },
      });
      if (balance.type !== 'balance') throw new Error('unexpected balance answer');
      const message = parsed.command === 'airtime' ? texts.airtimeReply(balance.airtime) : texts.balanceReply(balance);
      return { command: parsed.command, replied: await reply(message) };
    }
    case 'history': {
      const history = await lookups.ussdEffect({
        phoneNumber: input.from,
        operator: input.operator,
        // the lines in the reply's language (a workflow of before asked without one: English, as then)
        effect: { type: 'history', page: 0, language: sender.language ?? parsed.language ?? 'en' },
      });
      if (history.type !== 'history') throw new Error('unexpected history answer');
      return {
        command: 'history',
        replied: await reply(history.lines.length ? texts.historyReply(history.lines) : texts.noHistory),
      };
    }
    case 'redeem': {
      const claim = await books.claimVoucher({ code: parsed.code, phoneNumber: input.from, messageId: key });
      if (claim.status !== 'claimed') return { command: 'redeem', replied: await reply(voucherRefusal(texts, claim)) };
      const id = voucherWorkflowId(claim.voucherId);
      return begin(voucherRedemptionWorkflow, id, {
        voucherId: claim.voucherId,
        phoneNumber: input.from,
        txtcAmount: claim.txtcAmount,
        language: sender.language ?? parsed.language,
        ...(claim.hold ? { hold: claim.hold, usdMicros: claim.usdMicros } : {}),
      });
    }
    case 'buy': {
      const request = parsed;
      return money(request, () => {
        const id = conversionWorkflowId('sms', key);
        const conversion: ConversionInput = {
          channel: 'sms',
          phoneNumber: input.from,
          operator: input.operator,
          ...buyAmount(request.amount),
        };
        return begin(conversionWorkflow, id, conversion);
      });
    }
    case 'swap': {
      const request = parsed;
      return money(request, () => {
        const id = swapWorkflowId('sms', key);
        const a = request.amount;
        const swap: SwapInput = {
          channel: 'sms',
          phoneNumber: input.from,
          operator: input.operator,
          ...(a.unit === 'usd'
            ? { usdCents: a.usdCents }
            : a.unit === 'local'
              ? { amountMinor: a.amountMinor }
              : { txtcAmount: a.txtcBaseUnits }),
        };
        return begin(swapWorkflow, id, swap);
      });
    }
    case 'send':
    case 'transfer': {
      const request = parsed;
      let to: { phoneNumber: string; operator: string };
      try {
        to = identifySubscriber(request.to);
      } catch {
        // A valid number no served operator has (the parser checked the rest): the help reply says what works.
        return { command: request.command, replied: await reply(texts.notUnderstood(sender.shortcode)) };
      }
      const kind = request.command === 'send' ? 'hybrid' : 'airtime';
      const transfer: TransferInput = {
        channel: 'sms',
        kind,
        fromPhone: input.from,
        fromOperator: input.operator,
        toPhone: to.phoneNumber,
        toOperator: to.operator,
      };
      const amount = request.amount;
      if (amount.unit === 'usd') transfer.usdCents = amount.usdCents;
      else if (kind === 'airtime' && amount.unit === 'local') transfer.amountMinor = amount.amountMinor;
      else if (kind === 'hybrid' && amount.unit === 'txtc') transfer.txtcAmount = amount.txtcBaseUnits;
      else if (kind !== 'hybrid' || amount.unit !== 'local')
        return { command: request.command, replied: await reply(texts.notUnderstood(sender.shortcode)) };
      return money(request, async () => {
        if (kind === 'hybrid' && amount.unit === 'local') {
          // MONEY.md: "SEND KES 100 TO ..." sends the TXTC that this airtime buys now (priced once confirmed).
          transfer.txtcAmount = await lookups.txtcForAirtime({
            operator: input.operator,
            amountMinor: amount.amountMinor,
          });
        }
        const id = transferWorkflowId('sms', key);
        return begin(kind === 'airtime' ? airtimeTransferWorkflow : hybridTransferWorkflow, id, transfer);
      });
    }
  }
}

/** BUY takes the airtime in the sender's currency or in USD (MONEY.md); "BUY 50 TXTC" buys 50 TXTC net. */
function buyAmount(amount: Amount): Pick<ConversionInput, 'airtimeAmountMinor' | 'usdCents' | 'txtcNetTarget'> {
  if (amount.unit === 'usd') return { usdCents: amount.usdCents };
  if (amount.unit === 'local') return { airtimeAmountMinor: amount.amountMinor };
  return { txtcNetTarget: amount.txtcBaseUnits };
}

/** An amount as the confirmation prompt shows it. */
function amountText(amount: Amount, currency: string, minorDigits: number): string {
  if (amount.unit === 'usd') return formatUsdCents(BigInt(amount.usdCents));
  if (amount.unit === 'local') return formatAirtime(BigInt(amount.amountMinor), currency, minorDigits);
  return formatTxtcAmount(BigInt(amount.txtcBaseUnits));
}

function voucherRefusal(
  texts: SmsTexts,
  claim: { status: 'unknown' | 'used' | 'expired' | 'revoked' | 'blocked' } | { status: 'daily'; dailyLimit: string },
): string {
  const status = claim.status;
  if (claim.status === 'daily') return texts.voucherOverLimit(claim.dailyLimit);
  if (status === 'blocked') return texts.notAllowed;
  if (status === 'used') return texts.voucherUsed;
  if (status === 'expired') return texts.voucherExpired;
  return texts.voucherUnknown;
}
