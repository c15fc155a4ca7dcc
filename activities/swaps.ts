/**
 * SWAP bookkeeping, run as local activities: the swap's quote and record with the number's 24-hour total in
 * one step, the treasury's address, record updates.
 */
import { BridgeError, type LimitsWire, type SwapInput, type SwapQuote, type SwapUpdate } from '../lib/definitions';
import { checkPayoutFloat } from '../lib/floats';
import { quoteSwap } from '../lib/money/swap';
import { toWire } from '../lib/money/wire';
import { moneyGate } from '../lib/db/fraud';
import type { Language } from '../lib/ussd/types';
import { limitsWire, type FactoryDeps } from './shared';
import { phoneHash } from '../lib/ops/phone-hash';

export interface PreparedSwap {
  quote: SwapQuote;
  limits: LimitsWire;
  /** where the TXTC goes */
  treasury: string;
  language?: Language;
  /** the PhoneHash search attribute */
  phoneHash: string;
}

export function createSwapActivities(
  deps: FactoryDeps<
    'rates' | 'swaps' | 'wallets' | 'ussd' | 'pool' | 'payouts' | 'floats',
    'fees' | 'limits' | 'walletMnemonic' | 'floats'
  >,
) {
  return {
    /** Quotes the swap, records it (a repeat for the same id keeps the first quote) and returns the limits. */
    async prepareSwap(input: SwapInput & { id: string }): Promise<PreparedSwap> {
      // A listed number does not swap, a locked PIN moves no money: the rule every channel asks.
      const refused = await moneyGate(deps.pool, input.phoneNumber, 'pay');
      if (refused) throw new BridgeError(refused.type, refused.message);
      const [operator, txtc, profile] = await Promise.all([
        deps.rates.operatorRate(input.operator),
        deps.rates.txtcRate(),
        deps.ussd.profile(input.phoneNumber),
      ]);
      const big = (v?: string) => (v === undefined ? undefined : BigInt(v));
      const amounts = [input.txtcAmount, input.usdCents, input.amountMinor].filter((v) => v !== undefined);
      if (amounts.length !== 1) throw new BridgeError('InvalidRequest', 'a swap names exactly one amount');
      if (BigInt(amounts[0]!) <= 0n) throw new BridgeError('InvalidRequest', 'amount must be more than zero');
      const quote = quoteSwap(
        { txtcAmount: big(input.txtcAmount), usdCents: big(input.usdCents), amountMinor: big(input.amountMinor) },
        operator,
        txtc,
        deps.config.fees,
      );
      // The airtime comes out of the operator's float: refused before the TXTC moves when it cannot cover it.
      await checkPayoutFloat(
        deps.floats,
        deps.payouts.payoutAccount(input.operator),
        quote.airtimeMinor,
        quote.currency,
        deps.config.floats.staleSeconds,
      );
      const recorded = await deps.swaps.insertRecorded(input.id, input.channel, input, quote);
      return {
        quote: toWire(recorded.quote),
        limits: limitsWire(deps.config.limits, recorded.usedTodayUsdMicros),
        treasury: deps.wallets.treasury().address,
        phoneHash: phoneHash(input.phoneNumber, deps.config.walletMnemonic),
        ...(profile?.language ? { language: profile.language } : {}),
      };
    },

    async updateSwap(id: string, update: SwapUpdate): Promise<void> {
      await deps.swaps.update(id, update);
    },
  };
}

export type SwapActivities = ReturnType<typeof createSwapActivities>;
