/**
 * The screens the API answers itself (busy, rate-limited, too long, wrong number, outcome unknown, session
 * ended) and the session's last resort: in the person's language when the API knows it, in both when not,
 * and every one fits a USSD message.
 */
import { gatewayText, gatewayTexts, type GatewayTexts } from '../../../lib/ussd/messages';

const KEYS = Object.keys(gatewayTexts.en) as (keyof GatewayTexts)[];
const SHORTCODE = '*123*456*789#';
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

test('each text has its own Swahili, and a Swahili person never gets the English one', () => {
  expect(Object.keys(gatewayTexts.sw).sort()).toEqual([...KEYS].sort());
  for (const key of KEYS) {
    const [en, sw] = [gatewayText('en', key, SHORTCODE), gatewayText('sw', key, SHORTCODE)];
    expect(sw).not.toBe(en);
    // no sentence of the English text in the Swahili screen
    for (const sentence of en.replace(/^END /, '').split(/(?<=\.)\s+/)) expect(sw).not.toContain(sentence);
  }
});

test('every screen fits 160 bytes, in either language and in both', () => {
  for (const key of KEYS) {
    for (const language of ['en', 'sw', undefined] as const) {
      const screen = gatewayText(language, key, SHORTCODE);
      expect({ key, language, screen, fits: bytes(screen) <= 160 }).toMatchObject({ fits: true });
      expect(screen).toMatch(/^END /);
    }
  }
});

test('not knowing the language: English then Swahili, except an unknown outcome (only a registered person confirms)', () => {
  expect(gatewayText(undefined, 'tooMany')).toBe(`END ${gatewayTexts.en.tooMany}\n${gatewayTexts.sw.tooMany}`);
  expect(gatewayText(undefined, 'confirmUnknown')).toBe(`END ${gatewayTexts.en.confirmUnknown}`);
});
