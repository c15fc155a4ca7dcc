/**
 * Registration, on a first dial: a language, the terms, a PIN twice. And a PIN reset by ops: a new PIN, twice,
 * before anything else. Both must come first, so 00 starts them again instead of going to the main menu.
 */
import type { Language, MenuState, Profile } from '../types';
import { at, confirmPin, ended, newPin, note, stay, type Group } from './kit';
import { languageOf } from './parse';

/** Where registration starts: the language, or the terms once a language is known. */
export function registrationStart(profile: Profile, language: Language): MenuState {
  return profile.language ? at('terms', language) : at('lang', language);
}

const restart = (s: MenuState, profile: Profile) => registrationStart(profile, s.language);
const resetAgain = (s: MenuState) => at('reset-pin', s.language);

export const REGISTRATION: Group<
  'lang' | 'terms' | 'reg-pin' | 'reg-confirm' | 'reset-pin' | 'reset-confirm',
  'completeRegistration'
> = {
  nodes: {
    lang: {
      render: ({ m, con }) => con(m.chooseLanguage),
      text: (typed) => {
        const chosen = languageOf(typed);
        return chosen ? { show: at('terms', chosen) } : undefined;
      },
      back: stay,
      home: restart,
    },
    terms: {
      render: ({ m, con }) => con(m.terms, m.back),
      text: (typed, s) => {
        if (typed === '1') return { show: at('reg-pin', s.language) };
        if (typed === '2') return { show: ended(s.language, 'terms') };
        return undefined;
      },
      back: 'lang',
      home: restart,
    },
    'reg-pin': {
      render: ({ m, con }) => con(m.regNewPin, m.back),
      secret: newPin('reg-confirm'),
      back: 'terms',
      home: restart,
    },
    'reg-confirm': {
      render: ({ m, con }) => con(m.confirmPin, m.back),
      secret: confirmPin('reg-pin', (s) => ({
        ask: at('reg-confirm', s.language, { await: 'completeRegistration' }),
        effect: { type: 'completeRegistration', language: s.language },
      })),
      back: 'reg-pin',
      home: restart,
    },
    'reset-pin': {
      render: ({ m, con }) => con(m.resetNewPin),
      secret: newPin('reset-confirm'),
      back: stay,
      home: resetAgain,
    },
    'reset-confirm': {
      render: ({ m, con }) => con(m.confirmPin, m.back),
      secret: confirmPin('reset-pin', (s) => ({ show: at('menu', s.language, note('pinSet')) })),
      back: 'reset-pin',
      home: resetAgain,
    },
  },
  answers: {
    completeRegistration: { result: 'saved', go: (_saved, s) => ({ show: at('menu', s.language, note('welcome')) }) },
  },
};
