/**
 * Ops: one-time voucher codes, redeemed by SMS (`REDEEM <code>`) as TXTC minted to the redeemer's wallet.
 * POST /api/vouchers issues `count` codes of one TXTC amount; each code is shown once, in this answer, and
 * stored only as a hash. GET /api/vouchers/:id shows where one stands; POST /api/vouchers/:id/revoke
 * withdraws one nobody redeemed yet.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { BridgeError } from '../lib/definitions';
import { formatDecimal, parseDecimal } from '../lib/money/decimal';
import { TXTC_DECIMALS } from '../lib/money/format';
import { voucherStatus, type VoucherRecord } from '../lib/db/vouchers';
import { decimalString, validate } from './validation';
import { restActor, restNote } from './api-keys';
import type { ApiContext } from './context';

const issueBody = z.object({
  /** TXTC per voucher, as decimal text ("50", "12.5"); a JSON number is refused (it may have been rounded) */
  amount: decimalString,
  count: z.number().int().min(1).max(100).default(1),
  expiresInDays: z.number().int().min(1).max(365).optional(),
  note: z.string().max(200).optional(),
  /** why, for the audit (ops_audit) */
  reason: z.string().trim().max(500).optional(),
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
      const issued = await ctx.ops.issueVouchers(
        restActor(c),
        {
          txtcAmount: parseDecimal(body.amount, TXTC_DECIMALS),
          count: body.count,
          expiresInDays: body.expiresInDays,
          note: body.note,
        },
        body.reason || 'issued through the REST API',
      );
      // The codes are in this answer only: nothing stores them.
      return c.json({ vouchers: issued.map(({ voucher, code }) => ({ ...voucherView(voucher), code })) }, 201);
    })
    .get('/:id', async (c) => {
      const voucher = await vouchers.get(c.req.param('id'));
      if (!voucher) throw new BridgeError('NotFound', 'no such voucher');
      return c.json(voucherView(voucher));
    })
    .post('/:id/revoke', async (c) => {
      const { actor, reason } = await restNote(c, 'revoked through the REST API');
      const voucher = await ctx.ops.revokeVoucher(actor, c.req.param('id'), reason);
      return c.json(voucherView(voucher));
    });
}
