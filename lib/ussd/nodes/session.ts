/**
 * Where a session goes between flows: a dropped session offered again, the main menu, and the end (an END
 * screen, whatever comes after it).
 */
import type { MenuState } from '../types';
import { at, stay, unlocked, type EndReason, type Group } from './kit';

export const SESSION: Group<'resume' | 'menu' | 'end'> = {
  nodes: {
    resume: {
      render: ({ m, con }) => con(m.resume),
      text: (typed, s) => {
        if (typed === '1') return { show: resumed(s) };
        if (typed === '2') return { show: at('menu', s.language) };
        return undefined;
      },
      // nothing to go back to: the offer stands until it is taken or declined
      back: () => ({ again: 'invalidChoice' }),
    },
    menu: {
      render: ({ m, con }) => con(m.mainMenu),
      text: (typed, s, profile) => {
        const { language } = s;
        switch (typed) {
          case '1':
            return unlocked(profile, s, { show: at('buy-amount', language) });
          case '2':
            return unlocked(profile, s, { show: at('transfer-phone', language) });
          case '3':
            return { ask: at('menu', language, { await: 'balance' }), effect: { type: 'balance' } };
          case '4':
            return {
              ask: at('menu', language, { page: '0', await: 'history' }),
              effect: { type: 'history', page: 0, language },
            };
          case '5':
            return unlocked(profile, s, { show: at('send-phone', language) });
          case '6':
            return { show: at('account', language) };
        }
        return undefined;
      },
      back: stay,
    },
    end: {
      render: ({ m, d, profile }) => {
        const texts: Record<EndReason, string> = {
          requested: m.requested,
          locked: m.locked,
          terms: m.termsRefused(profile.shortcode),
          approved: m.consentApproved,
          refused: m.consentRefused,
          gone: m.consentGone,
        };
        return { kind: 'END', text: texts[d.end as EndReason] ?? m.requested };
      },
      final: true,
    },
  },
  answers: {},
};

/** The dropped session's state, as it was written on the resume node; the menu if it cannot be read. */
function resumed(s: MenuState): MenuState {
  try {
    const parsed = JSON.parse(s.data.resumable ?? '') as Partial<MenuState>;
    if (typeof parsed.node === 'string' && parsed.data && typeof parsed.data === 'object') {
      return { node: parsed.node, language: s.language, data: parsed.data };
    }
  } catch {
    // a resume state this module did not write: the menu
  }
  return at('menu', s.language);
}
