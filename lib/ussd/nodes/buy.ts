/** Buy (menu 1): an amount of airtime, its quote, the PIN that starts the purchase. */
import { at, pin, type Group } from './kit';
import { amountRange, confirmValues, quoted, started } from './money';
import { parseAmount } from './parse';

export const BUY: Group<'buy-amount' | 'buy-confirm', 'quoteBuy' | 'startBuy'> = {
  nodes: {
    'buy-amount': {
      render: ({ m, profile, con }) => con(m.buyAmount(amountRange(profile)), m.back),
      text: (typed, s, profile) => {
        const amount = parseAmount(typed, profile);
        if ('note' in amount) return { again: amount.note, value: amount.value };
        return {
          ask: at('buy-amount', s.language, { amountMinor: amount.minor, await: 'quoteBuy' }),
          effect: { type: 'quoteBuy', amountMinor: amount.minor },
        };
      },
      back: 'menu',
    },
    'buy-confirm': {
      render: ({ m, d, con }) => con(m.buyConfirm(confirmValues(d)), m.back),
      secret: pin((s) => ({
        ask: at('buy-confirm', s.language, { ...s.data, await: 'startBuy' }),
        effect: { type: 'startBuy', amountMinor: s.data.amountMinor ?? '' },
      })),
      back: 'buy-amount',
      resumable: true,
    },
  },
  answers: { quoteBuy: quoted, startBuy: started },
};
