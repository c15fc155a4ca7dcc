/** Balance (menu 3) and History (menu 4, five lines a page: 98 the next page, 0 the one before). */
import type { MenuState } from '../types';
import { at, type Go, type Group } from './kit';

/** The longest history line shown, as given by the activity. */
export const HISTORY_LINE_MAX = 23;

export const HISTORY: Group<'balance' | 'history', 'balance' | 'history'> = {
  nodes: {
    balance: {
      render: ({ m, d, con }) => con(m.balance(d.balanceAirtime ?? '', d.balanceTxtc ?? ''), m.backHome),
      back: 'menu',
    },
    history: {
      render: ({ m, d, con }) => {
        const lines = (d.lines ?? '')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => line.slice(0, HISTORY_LINE_MAX));
        return con(lines.length ? lines.join('\n') : m.noHistory, d.more === 'yes' ? `${m.more}\n${m.back}` : m.back);
      },
      text: (typed, s) =>
        typed === '98' && s.data.more === 'yes' ? historyPage(s, Number(s.data.page ?? '0') + 1) : undefined,
      back: (s) => {
        const page = Number(s.data.page ?? '0');
        return page === 0 ? { show: at('menu', s.language) } : historyPage(s, page - 1);
      },
    },
  },
  answers: {
    balance: {
      result: 'balance',
      go: (result, s) => ({
        show: at('balance', s.language, { balanceAirtime: result.airtime, balanceTxtc: result.txtc }),
      }),
    },
    history: {
      result: 'history',
      go: (result, s) => {
        const lines = result.lines.join('\n');
        const more = result.more ? 'yes' : 'no';
        return { show: at('history', s.language, { page: s.data.page ?? '0', lines, more }) };
      },
    },
  },
};

/** Another page of the history, asked for from the page shown. */
function historyPage(s: MenuState, page: number): Go {
  return {
    ask: at('history', s.language, { ...s.data, page: String(page), await: 'history' }),
    effect: { type: 'history', page, language: s.language },
  };
}
