/**
 * A REST request waiting for the person's approval (issue 23), offered first when they dial: 1 and the right
 * PIN approve it, 2 refuses it; a lock at the PIN ends it too. The answer goes to the request's workflow.
 */
import type { MenuState } from '../types';
import { at, ended, type Go, type Group } from './kit';

/** What a waiting request asks for, as shown on the consent screen. */
export const CONSENT_ACTION_MAX = 90;

export const CONSENT: Group<'consent' | 'consent-pin', 'answerConsent'> = {
  nodes: {
    consent: {
      render: ({ m, d, con }) => con(m.consentAsk((d.consentAction ?? '').slice(0, CONSENT_ACTION_MAX))),
      text: (typed, s) => {
        if (typed === '1') return { show: at('consent-pin', s.language, s.data) };
        if (typed === '2') return answerConsent(s, 'refuse');
        return undefined;
      },
      back: 'menu',
    },
    'consent-pin': {
      render: ({ m, con }) => con(m.consentPin, m.back),
      secret: {
        kind: 'pin',
        on: (outcome, s) => {
          // The waiting request hears of a lock too: it ends at once, nothing moved.
          if (outcome.result === 'wrong') return { again: 'wrongPin', value: String(outcome.attemptsLeft) };
          return answerConsent(s, outcome.result === 'ok' ? 'approve' : 'locked');
        },
      },
      back: (s) => ({
        show: at('consent', s.language, {
          consentId: s.data.consentId ?? '',
          consentAction: s.data.consentAction ?? '',
        }),
      }),
    },
  },
  answers: {
    answerConsent: {
      result: 'answered',
      go: (result, s) => {
        if (!result.delivered) return { show: ended(s.language, 'gone') };
        const why = s.data.answer === 'approve' ? 'approved' : s.data.answer === 'refuse' ? 'refused' : 'locked';
        return { show: ended(s.language, why) };
      },
    },
  },
};

/** The person's answer, sent to the request waiting for it (the PIN was checked by the API). */
function answerConsent(s: MenuState, answer: 'approve' | 'refuse' | 'locked'): Go {
  return {
    ask: at('consent', s.language, { ...s.data, answer, await: 'answerConsent' }),
    effect: { type: 'answerConsent', workflowId: s.data.consentId ?? '', answer },
  };
}
