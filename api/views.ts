/** JSON views of domain records: amounts as strings of integers, plus what a person would read. */
import type { ConversionRecord } from '../lib/db/conversions';
import type { HistoryEntry, TransferRecord } from '../lib/db/transfers';
import type { SwapRecord } from '../lib/db/swaps';
import type { VoucherRecord } from '../lib/db/vouchers';
import type { OperatorRate } from '../lib/money/conversion';
import { maskPhone } from '../lib/log';
import { formatAirtime, formatTxtc, formatUsdMicros } from '../lib/money/format';
import { formatDecimal } from '../lib/money/decimal';

/** How any money movement ended, as both record views show it. */
function outcomeView(r: {
  refundedAt: Date | null;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}) {
  return {
    refunded: r.refundedAt !== null,
    failure: r.failureCode ? { code: r.failureCode, message: r.failureMessage } : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

type Progress = { id: string; channel: string; status: string; stage: string };
/** Where a conversion or a SWAP stands: the first fields of its view. */
function progressView<R extends Progress, T extends string>(r: R, type: T): Pick<R, keyof Progress> & { type: T } {
  return { id: r.id, type, channel: r.channel, status: r.status, stage: r.stage };
}

/** USD as every view shows it: integer micros and what a person reads. */
const usdAmount = (micros: bigint) => ({ micros: micros.toString(), display: formatUsdMicros(micros) });

export function conversionView(r: ConversionRecord) {
  return {
    ...progressView(r, 'conversion'),
    phoneNumber: r.phoneNumber,
    operator: r.operator,
    airtime: {
      currency: r.currency,
      amountMinor: r.airtimeAmountMinor.toString(),
      display: formatAirtime(r.airtimeAmountMinor, r.currency, r.minorDigits),
    },
    usd: usdAmount(r.usdMicros),
    txtc: { gross: r.txtcGross.toString(), net: r.txtcNet.toString(), display: formatTxtc(r.txtcNet) },
    fees: { platform: r.platformFee.toString(), operator: r.operatorFee.toString(), gas: r.gasFee.toString() },
    rate: {
      txtcPerUsd: r.txtcPerUsd.toString(),
      txtcPerUsdDisplay: formatTxtc(r.txtcPerUsd),
      airtimeMinorPerUsd: r.minorUnitsPerUsd.toString(),
      source: r.rateSource,
    },
    walletAddress: r.walletAddress,
    txHash: r.txHash,
    /** the API key that created it (its id, never the key); null from USSD, SMS or with keys off */
    apiKeyId: r.apiKeyId,
    ...outcomeView(r),
  };
}

export const percentFromBps = (bps: bigint) => formatDecimal(bps, 2, 2, true);

/** Airtime as the API shows it: integer minor units and what a person reads. */
function airtimeAmount(currency: string | null, minor: bigint | null, minorDigits: number) {
  return currency && minor !== null
    ? { currency, amountMinor: minor.toString(), display: formatAirtime(minor, currency, minorDigits) }
    : null;
}

const txtcAmount = (amount: bigint | null) =>
  amount === null ? null : { amount: amount.toString(), display: formatTxtc(amount) };

export function transferView(r: TransferRecord, minorDigits = 2) {
  return {
    id: r.id,
    type: 'transfer' as const,
    transferType: r.kind,
    channel: r.channel,
    status: r.status,
    stage: r.stage,
    from: { phoneNumber: r.fromPhone, operator: r.fromOperator, wallet: r.fromWallet },
    to: { phoneNumber: r.toPhone, operator: r.toOperator, wallet: r.toWallet },
    airtime: airtimeAmount(r.currency, r.amountMinor, minorDigits),
    txtc: txtcAmount(r.txtcAmount),
    /** hybrid: how much of the TXTC came from the sender's wallet; the rest from the linked conversion */
    txtcFromBalance: r.txtcFromBalance?.toString() ?? null,
    conversionId: r.conversionId,
    usd: usdAmount(r.usdMicros),
    txHash: r.txHash,
    references: {
      transfer: r.transferReference,
      debit: r.debitReference,
      credit: r.creditReference,
      send: r.sendReference,
      refund: r.refundReference,
    },
    apiKeyId: r.apiKeyId,
    ...outcomeView(r),
  };
}

export function historyView(e: HistoryEntry, rates: Map<string, OperatorRate>) {
  const minorDigits = [...rates.values()].find((r) => r.currency === e.currency)?.minorDigits ?? 2;
  return {
    id: e.id,
    kind: e.kind,
    direction: e.direction,
    counterparty: e.counterparty ? maskPhone(e.counterparty) : null,
    airtime: airtimeAmount(e.currency, e.amountMinor, minorDigits),
    txtc: txtcAmount(e.txtcAmount),
    usd: usdAmount(e.usdMicros),
    status: e.status,
    createdAt: e.createdAt.toISOString(),
  };
}

/** A SWAP (TXTC back to airtime) as GET /api/transfers/:id shows it. */
export function swapView(r: SwapRecord, minorDigits = 2) {
  return {
    ...progressView(r, 'swap'),
    phoneNumber: r.phoneNumber,
    operator: r.operator,
    txtc: txtcAmount(r.txtcAmount),
    fees: { platform: r.platformFee.toString() },
    airtime: airtimeAmount(r.currency, r.airtimeMinor, minorDigits),
    usd: usdAmount(r.usdMicros),
    wallet: r.wallet,
    txHash: r.sendTxHash,
    references: { send: r.sendReference, credit: r.creditReference, return: r.returnReference },
    returned: r.returnTxHash !== null,
    failure: r.failureType ? { code: r.failureType, message: r.failureMessage } : null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** A voucher redemption (`voucher:<id>`) as GET /api/transfers/:id shows it: never the code, only its id. */
export function voucherView(r: VoucherRecord) {
  const status = r.mintedAt ? 'completed' : r.mintFailure ? 'failed' : 'pending';
  return {
    id: `voucher:${r.id}`,
    type: 'voucher' as const,
    status,
    phoneNumber: r.redeemedBy,
    txtc: txtcAmount(r.txtcAmount),
    wallet: r.wallet,
    txHash: r.mintTxHash,
    references: { mint: r.mintReference },
    failure: r.mintFailure ? { code: 'MintRejected', message: r.mintFailure } : null,
    createdAt: (r.redeemedAt ?? r.createdAt).toISOString(),
  };
}
