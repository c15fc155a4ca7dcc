/**
 * What the three money flows share (Buy: ./buy.ts; Send airtime and Send TXTC: ./transfer.ts): the amount
 * prompt's range, the confirm screen's values, and what a quote's and a start's answers do.
 */
import { formatAirtime } from '../../money/format';
import type { AmountRange, ConfirmValues } from '../messages';
import type { Profile } from '../types';
import { at, ended, note, type Answer, type Data } from './kit';

export function amountRange(profile: Profile): AmountRange {
  // formatAirtime groups thousands; the prompt names the currency once, so the ends go without it.
  const bare = (minor: string) =>
    formatAirtime(BigInt(minor), profile.currency, profile.minorDigits).slice(profile.currency.length + 1);
  return { currency: profile.currency, min: bare(profile.minAirtimeMinor), max: bare(profile.maxAirtimeMinor) };
}

export function confirmValues(d: Data): ConfirmValues {
  return {
    airtime: d.quoteAirtime ?? '',
    txtc: d.quoteTxtc ?? '0',
    fee: d.quoteFee ?? '0',
    toPhone: d.toPhone ?? '',
  };
}

/**
 * A quote (asked at an amount prompt): its confirm screen, or the amount prompt again with the reason, a
 * limit worded in the person's language or the refusal as the activity wrote it.
 */
export const quoted: Answer = {
  result: 'quote',
  go: (result, s) => {
    const { language, data: d } = s;
    const flow = s.node === 'buy-amount' ? 'buy' : s.node === 'send-amount' ? 'send' : 'transfer';
    const to: Data = flow === 'buy' ? {} : { toPhone: d.toPhone ?? '' };
    if (!result.ok) {
      const why =
        result.code === 'below'
          ? note('amountMin', result.value ?? '')
          : result.code === 'above'
            ? note('amountMax', result.value ?? '')
            : result.code === 'tooSmall'
              ? note('amountLow')
              : note('refused', result.reason);
      return { show: at(`${flow}-amount`, language, { ...to, ...why }) };
    }
    const { airtime, txtc, fee, txtcBaseUnits } = result.lines;
    return {
      show: at(`${flow}-confirm`, language, {
        ...to,
        amountMinor: d.amountMinor ?? '',
        quoteAirtime: airtime,
        ...(txtc === undefined ? {} : { quoteTxtc: txtc }),
        ...(fee === undefined ? {} : { quoteFee: fee }),
        ...(txtcBaseUnits === undefined ? {} : { quoteTxtcBaseUnits: txtcBaseUnits }),
      }),
    };
  },
};

/** The money workflow started (after the PIN at a confirm screen): the session ends, the SMS follows. */
export const started: Answer = { result: 'started', go: (_started, s) => ({ show: ended(s.language, 'requested') }) };
