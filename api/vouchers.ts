/**
 * Ops: one-time voucher codes, redeemed by SMS (`REDEEM <code>`) as TXTC minted to the redeemer's wallet.
 * POST /api/vouchers issues `count` codes of one TXTC amount; each code is shown once, in this answer, and
 * stored only as a hash. GET /api/vouchers/:id shows where one stands; POST /api/vouchers/:id/revoke
 * withdraws one nobody redeemed yet.
 */
import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BridgeError } from '../lib/definitions';
import { formatDecimal, parseDecimal } from '../lib/money/decimal';
import { TXTC_DECIMALS, formatUsdCents, formatUsdMicros } from '../lib/money/format';
import { usdMicrosOfTxtc } from '../lib/money/conversion';
import { newVoucherCode, voucherCodeHash } from '../lib/vouchers/codes';
import { voucherStatus, type VoucherRecord } from '../lib/db/vouchers';
import { decimalString, validate } from './validation';
import type { ApiContext } from './app';

const MAX_UINT256 = (1n << 256n) - 1n;

const issueBody = z.object({
  /** TXTC per voucher, as decimal text ("50", "12.5"); a JSON number is refused (it may have been rounded) */
  amount: decimalString,
  count: z.number().int().min(1).max(100).default(1),
  expiresInDays: z.number().int().min(1).max(365).optional(),
  note: z.string().max(200).optional(),
});

function voucherView(v: VoucherRecord) {
  return {
    id: v.id,
    status: voucherStatus(v),
    amount: formatDecimal(v.txtcAmount, TXTC_DECIMALS),
    txtcAmount: v.txtcAmount.toString(),
    note: v.note,
    createdAt: v.createdAt.toISOString(),
    expiresAt: v.expiresAt?.toISOString() ?? null,
    revokedAt: v.revokedAt?.toISOString() ?? null,
    redeemedAt: v.redeemedAt?.toISOString() ?? null,
    wallet: v.wallet,
    mintReference: v.mintReference,
    mintTxHash: v.mintTxHash,
    mintFailure: v.mintFailure,
  };
}

export function voucherRoutes(ctx: ApiContext) {
  const { vouchers } = ctx.services;
  return new Hono()
    .post('/', validate('json', issueBody), async (c) => {
      const body = c.req.valid('json');
      const txtcAmount = parseDecimal(body.amount, TXTC_DECIMALS);
      if (txtcAmount <= 0n) throw new BridgeError('InvalidAmount', 'amount must be more than zero');
      // More than a uint256 can never be minted (and overflows the NUMERIC(78,0) column: a 500, not a 400).
      if (txtcAmount > MAX_UINT256) throw new BridgeError('InvalidAmount', 'amount is too large');
      // Worth at most VOUCHER_MAX_USD at the current rate: a voucher is money ops print.
      const { vouchers: rules } = ctx.deps.config;
      const rate = await ctx.services.rates.txtcRate();
      const usdMicros = usdMicrosOfTxtc(txtcAmount, rate);
      // Exactly, to the base unit: amount / (numerator / denominator) USD against the cap in cents.
      if (txtcAmount * rate.denominator * 100n > rules.maxUsdCents * rate.numerator)
        throw new BridgeError(
          'AmountAboveMaximum',
          `a voucher may be worth at most ${formatUsdCents(rules.maxUsdCents)} (VOUCHER_MAX_USD); this one is ${formatUsdMicros(usdMicros)}`,
        );
      // Every voucher expires: VOUCHER_EXPIRY_DAYS unless the request says sooner or later.
      const expiresAt = new Date(Date.now() + (body.expiresInDays ?? rules.expiryDays) * 86_400_000);
      const codes = Array.from({ length: body.count }, () => newVoucherCode());
      const issued = await vouchers.issue(
        codes.map((code) => ({
          id: `v_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
          codeHash: voucherCodeHash(code),
          txtcAmount,
          note: body.note,
          expiresAt,
        })),
      );
      // The codes are in this answer only: nothing stores them.
      return c.json({ vouchers: issued.map((v, i) => ({ ...voucherView(v), code: codes[i] })) }, 201);
    })
    .get('/:id', async (c) => {
      const voucher = await vouchers.get(c.req.param('id'));
      if (!voucher) throw new BridgeError('NotFound', 'no such voucher');
      return c.json(voucherView(voucher));
    })
    .post('/:id/revoke', async (c) => {
      const id = c.req.param('id');
      if (!(await vouchers.revoke(id))) {
        const voucher = await vouchers.get(id);
        if (!voucher) throw new BridgeError('NotFound', 'no such voucher');
        throw new BridgeError('InvalidRequest', 'the voucher was already redeemed');
      }
      return c.json(voucherView((await vouchers.get(id))!));
    });
}
