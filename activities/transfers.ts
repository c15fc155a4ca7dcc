/**
 * Transfer bookkeeping, run as local activities: the quote and its record with the sender's 24-hour total
 * in one step, the receiver's wallet, and record updates.
 */
import {
  BridgeError,
  type TransferInput,
  type FraudVerdict,
  type LimitsWire,
  type TransferQuote,
  type TransferUpdate,
} from '../lib/definitions';
import { limitsWire, type FactoryDeps } from './shared';
import { checkPayoutFloat } from '../lib/floats';
import { amountFromWire, quoteTransfer } from '../lib/money/transfer';
import { toWire } from '../lib/money/wire';
import { offersTransfer } from '../lib/telco/factory';
import { identifySubscriber } from '../lib/telco/detect';
import type { Language } from '../lib/ussd/types';
import { phoneHash } from '../lib/ops/phone-hash';
import { evaluateFraud } from '../lib/fraud/rules';

export interface PreparedTransfer {
  quote: TransferQuote;
  limits: LimitsWire;
  /** the fraud rules' verdict (absent in histories from before the rules) */
  fraud?: FraudVerdict;
  /** airtime: one operator call between two subscribers, or a debit and a credit */
  route: 'transfer' | 'debit-credit';
  /** whether the receiver ever used the service (an unregistered one is told how to dial it) */
  receiverKnown: boolean;
  shortcode: string;
  /** each party's language for SMS (remembered from USSD; undefined: English) */
  senderLanguage?: Language;
  receiverLanguage?: Language;
  /** the sender's PhoneHash search attribute */
  phoneHash: string;
}

export function createTransferActivities(
  deps: FactoryDeps<
    'rates' | 'transfers' | 'ussd' | 'wallets' | 'telco' | 'payouts' | 'floats',
    'fees' | 'limits' | 'ussd' | 'walletMnemonic' | 'fraud' | 'floats'
  >,
) {
  return {
    /**
     * Checks the parties, quotes the amount, records the transfer (a repeat for the same id changes
     * nothing) and returns the limits with what the sender moved in the last 24 hours besides it.
     */
    async prepareTransfer(input: TransferInput & { id: string }): Promise<PreparedTransfer> {
      // Whatever channel started it: both numbers valid, served, and of the operators named.
      for (const [phone, operator] of [
        [input.fromPhone, input.fromOperator],
        [input.toPhone, input.toOperator],
      ] as const) {
        if (identifySubscriber(phone, operator).phoneNumber !== phone) {
          throw new BridgeError('InvalidPhoneNumber', `"${phone}" is not in E.164 form`);
        }
      }
      if (input.fromPhone === input.toPhone)
        throw new BridgeError('SelfTransfer', 'you cannot send to your own number');
      const [sender, receiver, txtc] = await Promise.all([
        deps.rates.operatorRate(input.fromOperator),
        deps.rates.operatorRate(input.toOperator),
        deps.rates.txtcRate(),
      ]);
      if (input.kind === 'airtime' && sender.currency !== receiver.currency) {
        throw new BridgeError(
          'UnsupportedTransfer',
          `airtime can be sent only within one currency (${sender.currency} to ${receiver.currency}); send TXTC instead`,
        );
      }
      const quote = quoteTransfer(input.kind, amountFromWire(input), sender, txtc, deps.config.fees);
      const route =
        input.fromOperator === input.toOperator && offersTransfer(deps.telco, input.fromOperator)
          ? 'transfer'
          : 'debit-credit';
      // Airtime paid out by a credit: refused before any debit when the float it comes from cannot cover it.
      if (input.kind === 'airtime' && route === 'debit-credit')
        await checkPayoutFloat(
          deps.floats,
          deps.payouts.payoutAccount(input.toOperator),
          quote.amountMinor!,
          receiver.currency,
          deps.config.floats.staleSeconds,
        );
      const [recorded, receiverKnown, senderProfile, receiverProfile] = await Promise.all([
        deps.transfers.insertRecorded(input.id, input, quote, {
          channel: input.channel,
          apiKeyId: input.apiKeyId,
          screen: deps.config.fraud,
        }),
        deps.transfers.hasUsedService(input.toPhone),
        deps.ussd.profile(input.fromPhone),
        deps.ussd.profile(input.toPhone),
      ]);
      return {
        quote: toWire(recorded.quote),
        limits: limitsWire(deps.config.limits, recorded.usedTodayUsdMicros),
        ...(recorded.fraud ? { fraud: evaluateFraud(recorded.fraud, deps.config.fraud) } : {}),
        route,
        receiverKnown,
        shortcode: deps.config.ussd.shortcode,
        phoneHash: phoneHash(input.fromPhone, deps.config.walletMnemonic),
        ...(senderProfile?.language ? { senderLanguage: senderProfile.language } : {}),
        ...(receiverProfile?.language ? { receiverLanguage: receiverProfile.language } : {}),
      };
    },

    /** The number's wallet, created on first use (a receiver without one gets one). */
    async ensureWallet(phoneNumber: string): Promise<string> {
      return deps.wallets.ensure(phoneNumber);
    },

    async updateTransfer(id: string, update: TransferUpdate): Promise<void> {
      await deps.transfers.update(id, update);
    },
  };
}

export type TransferActivities = ReturnType<typeof createTransferActivities>;
