/**
 * Conversion bookkeeping, run as local activities: the quote and its record with the number's 24-hour
 * total in one step, the debit's record with the wallet the TXTC goes to, and later record updates.
 */
import {
  BridgeError,
  type Channel,
  type ConversionInput,
  type ConversionQuote,
  type FraudVerdict,
  type LimitsWire,
} from '../lib/definitions';
import { airtimeForUsdCents, quoteWithRates } from '../lib/money/conversion';
import { toWire } from '../lib/money/wire';
import type { ConversionUpdate } from '../lib/db/conversions';
import type { Language } from '../lib/ussd/types';
import { limitsWire, type FactoryDeps } from './shared';
import { phoneHash } from '../lib/ops/phone-hash';
import { evaluateFraud } from '../lib/fraud/rules';

export function createConversionActivities(
  deps: FactoryDeps<'rates' | 'conversions' | 'wallets' | 'ussd', 'fees' | 'limits' | 'walletMnemonic' | 'fraud'>,
) {
  return {
    /**
     * Quotes the request (rates, fees), records it (a repeat for the same id changes nothing) and returns
     * the limits with what the number moved in the last 24 hours besides this one, and the fraud rules'
     * verdict (none for a hybrid's leg: its transfer was judged).
     */
    async prepareConversion(input: ConversionInput & { id: string; channel: Channel }): Promise<{
      quote: ConversionQuote;
      limits: LimitsWire;
      fraud?: FraudVerdict;
      language?: Language;
      phoneHash: string;
    }> {
      const [operator, txtc] = await Promise.all([deps.rates.operatorRate(input.operator), deps.rates.txtcRate()]);
      const airtime =
        input.airtimeAmountMinor !== undefined
          ? BigInt(input.airtimeAmountMinor)
          : airtimeForUsdCents(BigInt(input.usdCents ?? '0'), operator);
      const target = input.txtcNetTarget === undefined ? undefined : BigInt(input.txtcNetTarget);
      if (target === undefined && airtime <= 0n) throw new BridgeError('InvalidRequest', 'amount must be positive');
      // A hybrid's leg buys a net TXTC target; anything else an airtime amount.
      const quote = quoteWithRates(airtime, operator, txtc, deps.config.fees, target);
      // The person's language (for the SMS) is read beside the record, not after it.
      const [recorded, profile] = await Promise.all([
        deps.conversions.insertQuoted(input.id, input.phoneNumber, quote, {
          channel: input.channel,
          apiKeyId: input.apiKeyId,
          parentTransferId: input.parentId,
          screen: input.parentId ? undefined : deps.config.fraud,
        }),
        deps.ussd.profile(input.phoneNumber),
      ]);
      const language = profile?.language;
      return {
        ...(language ? { language } : {}),
        quote: toWire(recorded.quote),
        limits: limitsWire(deps.config.limits, recorded.usedTodayUsdMicros),
        ...(recorded.fraud ? { fraud: evaluateFraud(recorded.fraud, deps.config.fraud) } : {}),
        phoneHash: phoneHash(input.phoneNumber, deps.config.walletMnemonic),
      };
    },

    /** Records the debit and returns the number's wallet (created on first use) that the TXTC goes to. */
    async recordDebit(input: { id: string; phoneNumber: string; debitReference: string }): Promise<string> {
      const walletAddress = await deps.wallets.ensure(input.phoneNumber);
      await deps.conversions.update(input.id, {
        stage: 'debited',
        debitReference: input.debitReference,
        walletAddress,
      });
      return walletAddress;
    },

    async updateConversion(id: string, update: ConversionUpdate): Promise<void> {
      await deps.conversions.update(id, update);
    },
  };
}

export type ConversionActivities = ReturnType<typeof createConversionActivities>;
