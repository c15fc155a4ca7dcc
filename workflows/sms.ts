/**
 * One inbound SMS, one workflow (id `sms:<gateway message id>`): read the command (the pure parser),
 * answer lookups by SMS, and start the money workflows for BUY, SEND (hybrid when short) and TRANSFER with
 * ids derived from the message, so a redelivered message starts nothing new. The money workflows tell the
 * person how it went; replies are in the number's language (or the language of the keyword used).
 */
import { ParentClosePolicy, WorkflowIdReusePolicy, log, proxyLocalActivities, startChild } from '@temporalio/workflow';
import type { SmsActivities } from '../activities/sms';
import type { UssdActivities } from '../activities/ussd';
import {
  conversionWorkflowId,
  transferWorkflowId,
  type ConversionInput,
  type SmsMessageInput,
  type SmsMessageResult,
  type TransferInput,
} from './definitions';
import { parseSms, type Amount } from '../lib/sms/parser';
import { identifySubscriber } from '../lib/telco/detect';
import { smsTexts } from '../lib/messages/sms';
import { bookkeeping, whileWaiting } from './shared/activity-options';
import { sms } from './shared/movements';
import { failureOf } from './shared/steps';
import { conversionWorkflow } from './conversion';
import { airtimeTransferWorkflow, hybridTransferWorkflow } from './transfers';

const lookups = proxyLocalActivities<SmsActivities & UssdActivities>(whileWaiting);
const books = proxyLocalActivities<SmsActivities>(bookkeeping);

export async function smsMessageWorkflow(input: SmsMessageInput): Promise<SmsMessageResult> {
  const sender = await books.smsSender({ phoneNumber: input.from, operator: input.operator });
  const parsed = parseSms(input.text, {
    phoneNumber: input.from,
    currency: sender.currency,
    minorDigits: sender.minorDigits,
  });
  const texts = smsTexts(sender.language ?? parsed.language);
  const key = input.messageId;

  async function reply(message: string): Promise<boolean> {
    try {
      await sms.sendSms(input.from, message, `sms:${key}:reply`);
      return true;
    } catch (err) {
      log.warn('SMS reply not sent', { messageId: key, error: failureOf(err).message });
      return false;
    }
  }

  /** Starts a money workflow once; it tells the person how it went. */
  async function begin(id: string, run: () => Promise<unknown>): Promise<SmsMessageResult> {
    try {
      await run();
    } catch (e) {
      if (!(e instanceof Error && e.name === 'WorkflowExecutionAlreadyStartedError')) throw e;
    }
    return { command: parsed.command, startedWorkflowId: id, replied: false };
  }
  const options = {
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  };

  switch (parsed.command) {
    case 'help':
      return { command: 'help', replied: await reply(texts.help(sender.shortcode)) };
    case 'unknown':
      return { command: 'unknown', replied: await reply(texts.notUnderstood(sender.shortcode)) };
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
        effect: { type: 'history', page: 0 },
      });
      if (history.type !== 'history') throw new Error('unexpected history answer');
      return {
        command: 'history',
        replied: await reply(history.lines.length ? texts.historyReply(history.lines) : texts.noHistory),
      };
    }
    case 'buy': {
      const amount = buyAmount(parsed.amount);
      const id = conversionWorkflowId('sms', key);
      const conversion: ConversionInput = {
        channel: 'sms',
        phoneNumber: input.from,
        operator: input.operator,
        ...amount,
      };
      return begin(id, () => startChild(conversionWorkflow, { workflowId: id, args: [conversion], ...options }));
    }
    case 'send':
    case 'transfer': {
      let to: { phoneNumber: string; operator: string };
      try {
        to = identifySubscriber(parsed.to);
      } catch {
        // A valid number no served operator has (the parser checked the rest): the help reply says what works.
        return { command: parsed.command, replied: await reply(texts.notUnderstood(sender.shortcode)) };
      }
      const kind = parsed.command === 'send' ? 'hybrid' : 'airtime';
      const transfer: TransferInput = {
        channel: 'sms',
        kind,
        fromPhone: input.from,
        fromOperator: input.operator,
        toPhone: to.phoneNumber,
        toOperator: to.operator,
      };
      const amount = parsed.amount;
      if (amount.unit === 'usd') transfer.usdCents = amount.usdCents;
      else if (kind === 'airtime' && amount.unit === 'local') transfer.amountMinor = amount.amountMinor;
      else if (kind === 'hybrid' && amount.unit === 'txtc') transfer.txtcAmount = amount.txtcBaseUnits;
      else if (kind === 'hybrid' && amount.unit === 'local') {
        // MONEY.md: "SEND KES 100 TO ..." sends the TXTC that this airtime buys now.
        transfer.txtcAmount = await lookups.txtcForAirtime({
          operator: input.operator,
          amountMinor: amount.amountMinor,
        });
      } else return { command: parsed.command, replied: await reply(texts.notUnderstood(sender.shortcode)) };
      const id = transferWorkflowId('sms', key);
      const workflow = kind === 'airtime' ? airtimeTransferWorkflow : hybridTransferWorkflow;
      return begin(id, () => startChild(workflow, { workflowId: id, args: [transfer], ...options }));
    }
    case 'redeem':
    case 'swap':
      return { command: parsed.command, replied: await reply(texts.notYet) };
  }
}

/** BUY takes the airtime in the sender's currency or in USD (MONEY.md); "BUY 50 TXTC" buys 50 TXTC net. */
function buyAmount(amount: Amount): Pick<ConversionInput, 'airtimeAmountMinor' | 'usdCents' | 'txtcNetTarget'> {
  if (amount.unit === 'usd') return { usdCents: amount.usdCents };
  if (amount.unit === 'local') return { airtimeAmountMinor: amount.amountMinor };
  return { txtcNetTarget: amount.txtcBaseUnits };
}
