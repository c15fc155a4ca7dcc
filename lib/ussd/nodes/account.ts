/**
 * My account (menu 6): 1 the wallet address, 2 the language, 3 a new PIN (the current one first, the new one
 * twice), 4 the partners that read the person's balance (choosing one stops it).
 */
import type { Data } from './kit';
import { at, confirmPin, newPin, note, pin, unlocked, type Group } from './kit';
import { languageOf } from './parse';

/** Partners listed, and the longest name shown. */
export const PARTNERS_SHOWN = 4;
export const PARTNER_NAME_MAX = 18;

export const ACCOUNT: Group<
  'account' | 'wallet' | 'account-language' | 'partners' | 'pin-current' | 'pin-new' | 'pin-confirm',
  'walletAddress' | 'saveLanguage' | 'tenants' | 'revokeTenant'
> = {
  nodes: {
    account: {
      render: ({ m, con }) => con(m.account, m.back),
      text: (typed, s, profile) => {
        const { language } = s;
        if (typed === '1')
          return { ask: at('account', language, { await: 'walletAddress' }), effect: { type: 'walletAddress' } };
        if (typed === '2') return { show: at('account-language', language) };
        if (typed === '3') return unlocked(profile, s, { show: at('pin-current', language) });
        if (typed === '4') return { ask: at('account', language, { await: 'tenants' }), effect: { type: 'tenants' } };
        return undefined;
      },
      back: 'menu',
    },
    wallet: {
      render: ({ m, d, con }) => con(d.address ? m.wallet(d.address) : m.noWallet, m.backHome),
      back: 'account',
    },
    'account-language': {
      render: ({ m, con }) => con(m.accountLanguage, m.back),
      text: (typed) => {
        const chosen = languageOf(typed);
        if (!chosen) return undefined;
        return {
          ask: at('account-language', chosen, { await: 'saveLanguage' }),
          effect: { type: 'saveLanguage', language: chosen },
        };
      },
      back: 'account',
    },
    partners: {
      render: ({ m, d, con }) => {
        const names = partnersOf(d);
        if (names.length === 0) return con(m.noPartners, m.back);
        return con(
          m.partners(names.map((name, i) => `${i + 1} ${name.slice(0, PARTNER_NAME_MAX)}`).join('\n')),
          m.back,
        );
      },
      text: (typed, s) => {
        const tenant = partnersOf(s.data)[Number(typed) - 1];
        if (!/^\d$/.test(typed) || !tenant) return undefined;
        return {
          ask: at('partners', s.language, { ...s.data, await: 'revokeTenant' }),
          effect: { type: 'revokeTenant', tenant },
        };
      },
      back: 'account',
    },
    'pin-current': {
      render: ({ m, con }) => con(m.currentPin, m.back),
      secret: pin((s) => ({ show: at('pin-new', s.language) })),
      back: 'account',
    },
    'pin-new': {
      render: ({ m, con }) => con(m.changeNewPin, m.back),
      secret: newPin('pin-confirm'),
      back: 'pin-current',
    },
    'pin-confirm': {
      render: ({ m, con }) => con(m.confirmPin, m.back),
      secret: confirmPin('pin-new', (s) => ({ show: at('menu', s.language, note('pinChanged')) })),
      back: 'pin-new',
    },
  },
  answers: {
    walletAddress: {
      result: 'walletAddress',
      go: (result, s) => ({ show: at('wallet', s.language, { address: result.address ?? '' }) }),
    },
    saveLanguage: { result: 'saved', go: (_saved, s) => ({ show: at('menu', s.language) }) },
    tenants: {
      result: 'tenants',
      go: (result, s) => ({ show: at('partners', s.language, { tenants: result.tenants.join('\n') }) }),
    },
    revokeTenant: { result: 'saved', go: (_saved, s) => ({ show: at('account', s.language, note('partnerStopped')) }) },
  },
};

/** The partners listed on the partners screen, one a line in `tenants`. */
function partnersOf(d: Data): string[] {
  return (d.tenants ?? '')
    .split('\n')
    .filter((name) => name !== '')
    .slice(0, PARTNERS_SHOWN);
}
