/**
 * SWAP and voucher bookkeeping, run as local activities: the swap's quote and record with the number's
 * 24-hour total in one step, the treasury's address, record updates; a voucher's claim and its outcome.
 */
import { BridgeError, type LimitsWire, type SwapInput, type SwapQuote, type SwapUpdate } from '../lib/definitions';
import { checkPayoutFloat } from '../lib/floats';
import { quoteSwap } from '../lib/money/swap';
import { toWire } from '../lib/money/wire';
import type { VoucherRepo } from '../lib/db/vouchers';
import { usdMicrosOfTxtc } from '../lib/money/conversion';
import { formatUsdCents } from '../lib/money/format';
import { usedTodayUsdMicros } from '../lib/db/limits';
import { withTransaction } from '../lib/db/pool';
import { moneyGate } from '../lib/db/fraud';
import type { Language } from '../lib/ussd/types';
import { voucherCodeHash } from '../lib/vouchers/codes';
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

export type VoucherClaim =
  | {
      status: 'claimed';
      voucherId: string;
      txtcAmount: string;
      /** its USD value now, micro-dollars */
      usdMicros?: string;
      /** worth more than VOUCHER_HOLD_ABOVE_USD: the redemption waits for ops before it mints */
      hold?: { reason: string; timeoutSeconds: number };
    }
  | { status: 'unknown' | 'used' | 'expired' | 'revoked' | 'blocked' }
  /** it would pass the redeemer's daily limit: not claimed, the code stays good */
  | { status: 'daily'; dailyLimit: string };

/** A redemption's mint outcome: the voucher's id and what its record keeps of the mint. */
type VoucherMint<Mark extends 'markMinted' | 'markMintFailed'> = Parameters<VoucherRepo[Mark]>[1] & {
  voucherId: string;
};

export function createSwapActivities(
  deps: FactoryDeps<
    'rates' | 'swaps' | 'vouchers' | 'wallets' | 'ussd' | 'pool' | 'payouts' | 'floats',
    'fees' | 'limits' | 'walletMnemonic' | 'vouchers' | 'fraud' | 'floats'
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

    /** Claims a voucher code for the number by one message: once per code, again harmlessly on a retry. */
    async claimVoucher(input: { code: string; phoneNumber: string; messageId: string }): Promise<VoucherClaim> {
      // A listed number receives nothing: refused before the code is spent, so it stays for its rightful owner.
      if (await moneyGate(deps.pool, input.phoneNumber, 'receive')) return { status: 'blocked' };
      const codeHash = voucherCodeHash(input.code);
      // What it is worth now counts toward the redeemer's daily limit, like any money the number moves.
      const peek = await deps.vouchers.byCodeHash(codeHash);
      let usdMicros: bigint | undefined;
      if (peek && !peek.redeemedAt) {
        usdMicros = usdMicrosOfTxtc(peek.txtcAmount, await deps.rates.txtcRate());
        const used = await withTransaction(deps.pool, (client) =>
          usedTodayUsdMicros(client, input.phoneNumber, `voucher:${peek.id}`),
        );
        const daily = deps.config.limits.dailyUsdCents;
        if (used + usdMicros > daily * 10_000n) return { status: 'daily', dailyLimit: formatUsdCents(daily) };
      }
      const claim = await deps.vouchers.claim(codeHash, input.phoneNumber, input.messageId, usdMicros);
      if (claim.status !== 'claimed') return { status: claim.status };
      const worth = claim.voucher.redeemedUsdMicros ?? usdMicros ?? 0n;
      const holdAbove = deps.config.vouchers.holdAboveUsdCents;
      return {
        status: 'claimed',
        voucherId: claim.voucher.id,
        txtcAmount: claim.voucher.txtcAmount.toString(),
        usdMicros: worth.toString(),
        ...(holdAbove > 0n && worth > holdAbove * 10_000n
          ? {
              hold: {
                reason: `a voucher worth more than ${formatUsdCents(holdAbove)}`,
                timeoutSeconds: deps.config.fraud.holdTimeoutSeconds,
              },
            }
          : {}),
      };
    },

    async voucherMinted(input: VoucherMint<'markMinted'>): Promise<void> {
      await deps.vouchers.markMinted(input.voucherId, input);
    },

    /** A held redemption ops rejected (the voucher revoked) or left undecided (the voucher back to issued). */
    async voucherHoldReleased(input: { voucherId: string; outcome: 'rejected' | 'expired' }): Promise<void> {
      await deps.vouchers.releaseHeld(input.voucherId, input.outcome);
    },

    async voucherMintFailed(input: VoucherMint<'markMintFailed'>): Promise<void> {
      await deps.vouchers.markMintFailed(input.voucherId, input);
    },
  };
}

export type SwapActivities = ReturnType<typeof createSwapActivities>;
