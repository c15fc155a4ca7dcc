/** Conversion activities: the quote (rates, fees, limits) and the record in airtime_transactions. */
import { ApplicationFailure } from '@temporalio/activity';
import {
  ErrorTypes,
  type Channel,
  type ConversionInput,
  type ConversionLimitSettings,
  type ConversionQuote,
} from '../workflows/definitions';
import type { Config } from '../lib/config';
import { AmountTooSmallError, airtimeForUsdCents, quoteConversion } from '../lib/money/conversion';
import { UnknownOperatorError, type RateService } from '../lib/rates';
import type { ConversionRepo, ConversionUpdate } from '../lib/db/conversions';

export function createConversionActivities(deps: { rates: RateService; conversions: ConversionRepo; config: Pick<Config, 'fees' | 'limits'> }) {
  return {
    async quoteConversion(input: ConversionInput): Promise<{ quote: ConversionQuote; limits: ConversionLimitSettings }> {
      const operator = await deps.rates.operatorRate(input.operator).catch((e: unknown) => {
        if (e instanceof UnknownOperatorError) throw ApplicationFailure.nonRetryable(e.message, ErrorTypes.UnknownOperator);
        throw e;
      });
      const airtime = input.airtimeAmountMinor !== undefined
        ? BigInt(input.airtimeAmountMinor)
        : airtimeForUsdCents(BigInt(input.usdCents ?? '0'), operator);
      if (airtime <= 0n) throw ApplicationFailure.nonRetryable('amount must be positive', ErrorTypes.InvalidRequest);
      const txtc = await deps.rates.txtcRate();
      const q = (() => {
        try {
          return quoteConversion(airtime, operator, txtc, deps.config.fees);
        } catch (e) {
          if (e instanceof AmountTooSmallError) throw ApplicationFailure.nonRetryable(e.message, ErrorTypes.AmountTooSmall);
          throw e;
        }
      })();
      return {
        quote: {
          operator: operator.operator,
          currency: operator.currency,
          minorDigits: operator.minorDigits,
          airtimeAmountMinor: q.airtimeAmountMinor.toString(),
          usdMicros: q.usdMicros.toString(),
          txtcGross: q.txtcGross.toString(),
          platformFee: q.platformFee.toString(),
          operatorFee: q.operatorFee.toString(),
          gasFee: q.gasFee.toString(),
          txtcNet: q.txtcNet.toString(),
          txtcPerUsd: q.txtcPerUsd.toString(),
          minorUnitsPerUsd: operator.minorUnitsPerUsd.toString(),
          rateSource: txtc.source,
        },
        limits: {
          minUsdCents: deps.config.limits.minUsdCents.toString(),
          maxUsdCents: deps.config.limits.maxUsdCents.toString(),
          dailyUsdCents: deps.config.limits.dailyUsdCents.toString(),
        },
      };
    },

    /** Records the quote; returns what the number converted in the last 24 hours besides this one. */
    async recordConversion(input: { id: string; channel: Channel; phoneNumber: string; quote: ConversionQuote }): Promise<{ usedTodayUsdMicros: string }> {
      const used = await deps.conversions.insertQuoted(input.id, input.channel, input.phoneNumber, input.quote);
      return { usedTodayUsdMicros: used.toString() };
    },

    async updateConversion(id: string, update: ConversionUpdate): Promise<void> {
      await deps.conversions.update(id, update);
    },
  };
}

export type ConversionActivities = ReturnType<typeof createConversionActivities>;
