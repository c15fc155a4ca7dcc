/**
 * Voucher bookkeeping, run as local activities: a voucher's claim by the SMS that named it (once per code,
 * within the redeemer's daily limit, held for ops above VOUCHER_HOLD_ABOVE_USD) and its redemption's outcome.
 */
import { moneyGate } from '../lib/db/fraud';
import { usedTodayUsdMicros } from '../lib/db/limits';
import { withTransaction } from '../lib/db/pool';
import type { VoucherRepo } from '../lib/db/vouchers';
import { usdMicrosOfTxtc } from '../lib/money/conversion';
import { formatUsdCents } from '../lib/money/format';
import { voucherCodeHash } from '../lib/vouchers/codes';
import type { FactoryDeps } from './shared';

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

export function createVoucherActivities(
  deps: FactoryDeps<'rates' | 'vouchers' | 'pool', 'limits' | 'vouchers' | 'fraud'>,
) {
  return {
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

export type VoucherActivities = ReturnType<typeof createVoucherActivities>;
