/** JSON views of domain records: amounts as strings of integers, plus what a person would read. */
import type { ConversionRecord } from '../lib/db/conversions';
import { formatAirtime, formatTxtc, formatUsdMicros } from '../lib/money/format';
import { formatDecimal } from '../lib/money/decimal';

export function conversionView(r: ConversionRecord) {
  return {
    id: r.id,
    type: 'conversion' as const,
    channel: r.channel,
    status: r.status,
    stage: r.stage,
    phoneNumber: r.phoneNumber,
    operator: r.operator,
    airtime: {
      currency: r.currency,
      amountMinor: r.airtimeAmountMinor.toString(),
      display: formatAirtime(r.airtimeAmountMinor, r.currency, r.minorDigits),
    },
    usd: { micros: r.usdMicros.toString(), display: formatUsdMicros(r.usdMicros) },
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
    refunded: r.refundedAt !== null,
    failure: r.failureCode ? { code: r.failureCode, message: r.failureMessage } : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export const percentFromBps = (bps: bigint) => formatDecimal(bps, 2, 2, true);
