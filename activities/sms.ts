/** What an inbound SMS needs while it is read: who sent it, and what TXTC an amount of airtime buys now. */
import type { Config } from '../lib/config';
import type { RateService } from '../lib/rates';
import type { UssdRepo } from '../lib/db/ussd';
import { quoteWithRates } from '../lib/money/conversion';
import type { Language } from '../lib/ussd/types';

export function createSmsActivities(deps: {
  rates: RateService;
  ussd: UssdRepo;
  config: Pick<Config, 'fees' | 'ussd'>;
}) {
  return {
    /** The sender's currency (for amounts without one), language (for replies) and the code to dial. */
    async smsSender(input: { phoneNumber: string; operator: string }): Promise<{
      currency: string;
      minorDigits: number;
      language?: Language;
      shortcode: string;
    }> {
      const [rate, profile] = await Promise.all([
        deps.rates.operatorRate(input.operator),
        deps.ussd.profile(input.phoneNumber),
      ]);
      return {
        currency: rate.currency,
        minorDigits: rate.minorDigits,
        ...(profile?.language ? { language: profile.language } : {}),
        shortcode: deps.config.ussd.shortcode,
      };
    },

    /** "SEND KES 100 TO ...": the TXTC that this airtime buys now, after fees (base units). */
    async txtcForAirtime(input: { operator: string; amountMinor: string }): Promise<string> {
      const rate = await deps.rates.operatorRate(input.operator);
      return quoteWithRates(
        BigInt(input.amountMinor),
        rate,
        await deps.rates.txtcRate(),
        deps.config.fees,
      ).txtcNet.toString();
    },
  };
}

export type SmsActivities = ReturnType<typeof createSmsActivities>;
