import {
  CONSENT_ACTION_MAX,
  HISTORY_LINE_MAX,
  NODES,
  REASON_MAX,
  render,
  type MenuNode,
  type NoteKey,
} from '../../../lib/ussd/menu';
import { en, sw, type Messages } from '../../../lib/ussd/messages';
import type { Language, MenuState, Profile } from '../../../lib/ussd/types';

/**
 * The longest values a screen can show. Airtime: NGN 99,999,999.99 is about 60,000 USD, far above any
 * per-transaction limit (100 USD by default, NGN 160,000.00), and its TXTC at 100 per USD fits 10
 * characters; a 13-digit number; history lines of the longest shown (23); a 42-character address.
 */
const NGN_MAX: Profile = {
  phoneNumber: '+2348031234567',
  operator: 'mtn-ng',
  currency: 'NGN',
  minorDigits: 2,
  registered: true,
  pinResetRequired: false,
  pinLocked: false,
  minAirtimeMinor: '9999999999',
  maxAirtimeMinor: '9999999999',
  shortcode: '*123*456*789#',
};
const UGX_MAX: Profile = {
  ...NGN_MAX,
  phoneNumber: '+256772123456',
  operator: 'mtn-ug',
  currency: 'UGX',
  minorDigits: 0,
  minAirtimeMinor: '99999999999',
  maxAirtimeMinor: '99999999999',
};

const MAX_DATA: Record<string, string> = {
  toPhone: '+2348031234567',
  amountMinor: '9999999999',
  quoteAirtime: 'NGN 99,999,999.99',
  quoteTxtc: '9999999.99',
  quoteFee: '9999999.99',
  balanceAirtime: 'NGN 99,999,999.99',
  balanceTxtc: '999999999999.99',
  page: '12',
  lines: Array.from({ length: 5 }, () => '-NGN 9,999,999.99 airti').join('\n'),
  more: 'yes',
  address: `0x${'f'.repeat(40)}`,
  consentId: 'transfer:api:acme~order-0001',
  consentAction: 'a'.repeat(CONSENT_ACTION_MAX + 40),
  // tenants are at most 40 characters; more of them than the screen lists
  tenants: Array.from({ length: 6 }, (_, i) => `${i}${'t'.repeat(39)}`).join('\n'),
};

type NoteCase = [NoteKey | undefined, string?];
const WRONG_PIN: NoteCase = ['wrongPin', '9'];
const AMOUNT_NOTES: NoteCase[] = [
  ['amountInvalid'],
  ['amountDecimals', '2'],
  ['amountDecimals', '0'],
  ['amountLow'],
  ['amountHigh'],
  ['amountMin', '$1.00'],
  ['amountMax', '$10,000.00'],
  ['refused', 'r'.repeat(REASON_MAX + 20)],
];
const PHONE_NOTES: NoteCase[] = [['phoneInvalid'], ['phoneCountry'], ['phoneNetwork'], ['phoneOwn'], ['phoneAbroad']];
const NEW_PIN_NOTES: NoteCase[] = [['pinFormat'], ['pinMismatch']];

/** Each node with the notes the menu can put on it (every non-ended screen can say "Invalid choice."). */
const NOTES_BY_NODE: Record<MenuNode, NoteCase[]> = {
  resume: [],
  consent: [],
  'consent-pin': [WRONG_PIN],
  lang: [],
  terms: [],
  'reg-pin': NEW_PIN_NOTES,
  'reg-confirm': [],
  'reset-pin': NEW_PIN_NOTES,
  'reset-confirm': [],
  menu: [['welcome'], ['pinSet'], ['pinChanged']],
  'buy-amount': AMOUNT_NOTES,
  'buy-confirm': [WRONG_PIN],
  'transfer-phone': PHONE_NOTES,
  'transfer-amount': AMOUNT_NOTES,
  'transfer-confirm': [WRONG_PIN],
  'send-phone': PHONE_NOTES,
  'send-amount': AMOUNT_NOTES,
  'send-confirm': [WRONG_PIN],
  balance: [],
  history: [],
  account: [['partnerStopped']],
  wallet: [],
  'account-language': [],
  partners: [],
  'pin-current': [WRONG_PIN],
  'pin-new': NEW_PIN_NOTES,
  'pin-confirm': [],
  end: [],
};

/** Data variants a node's screen depends on, beyond the maximal values. */
const VARIANTS: Partial<Record<MenuNode, Record<string, string>[]>> = {
  history: [{}, { more: 'no' }, { lines: '' }],
  wallet: [{}, { address: '' }],
  partners: [{}, { tenants: '' }],
  end: [
    { end: 'requested' },
    { end: 'locked' },
    { end: 'terms' },
    { end: 'approved' },
    { end: 'refused' },
    { end: 'gone' },
  ],
};

function* everyScreen(language: Language): Generator<{ name: string; state: MenuState; profile: Profile }> {
  for (const profile of [NGN_MAX, UGX_MAX]) {
    for (const node of NODES) {
      const notes: NoteCase[] =
        node === 'end' ? [[undefined]] : [[undefined], ['invalidChoice'], ...NOTES_BY_NODE[node]];
      for (const variant of VARIANTS[node] ?? [{}]) {
        for (const [note, noteValue] of notes) {
          const data = { ...MAX_DATA, ...variant };
          if (note) data.note = note;
          if (noteValue) data.noteValue = noteValue;
          const name = `${profile.currency} ${node} ${note ?? '-'} ${JSON.stringify(variant)}`;
          yield { name, state: { node, language, data }, profile };
        }
      }
    }
  }
}

const bytes = (state: MenuState, profile: Profile) => {
  const screen = render(state, profile);
  return Buffer.byteLength(`${screen.kind} ${screen.text}`, 'utf8');
};

describe('every screen fits one USSD message (160 bytes with "CON "/"END ")', () => {
  test.each(['en', 'sw'] as Language[])(
    '%s: every node with each note it can show, at the longest values',
    (language) => {
      const screens = [...everyScreen(language)];
      expect(screens.length).toBeGreaterThan(100);
      const tooLong = screens
        .map(({ name, state, profile }) => ({ name, bytes: bytes(state, profile) }))
        .filter((s) => s.bytes > 160);
      expect(tooLong).toEqual([]);
    },
  );

  test('the enumeration covers every node and every note of both catalogues', () => {
    expect(Object.keys(NOTES_BY_NODE).sort()).toEqual([...NODES].sort());
    const used = new Set(Object.values(NOTES_BY_NODE).flatMap((cases) => cases.map(([note]) => note)));
    used.add('invalidChoice');
    for (const note of Object.keys(en.notes)) expect(used).toContain(note);
  });

  test('history lines longer than the activity promises are cut, never the screen', () => {
    const long = { ...MAX_DATA, lines: Array.from({ length: 5 }, () => 'x'.repeat(60)).join('\n') };
    const screen = render({ node: 'history', language: 'sw', data: { ...long, note: 'invalidChoice' } }, NGN_MAX);
    expect(screen.text.split('\n').slice(1, 6)).toEqual(Array.from({ length: 5 }, () => 'x'.repeat(HISTORY_LINE_MAX)));
    expect(
      bytes({ node: 'history', language: 'sw', data: { ...long, note: 'invalidChoice' } }, NGN_MAX),
    ).toBeLessThanOrEqual(160);
  });
});

describe('the catalogues', () => {
  const sample = (m: Messages): Record<string, string> => {
    const range = { currency: 'KES', min: '129.00', max: '12,900.00' };
    const values = { airtime: 'KES 1,290.00', txtc: '980', fee: '20', toPhone: '+254798765432' };
    const texts: Record<string, string> = {};
    for (const [key, value] of Object.entries(m)) {
      if (key === 'notes') continue;
      if (typeof value === 'string') texts[key] = value;
    }
    texts.termsRefused = m.termsRefused('*123*456#');
    texts.buyAmount = m.buyAmount(range);
    texts.transferAmount = m.transferAmount('+254798765432', range);
    texts.sendAmount = m.sendAmount('+254798765432', range);
    texts.buyConfirm = m.buyConfirm(values);
    texts.transferConfirm = m.transferConfirm(values);
    texts.sendConfirm = m.sendConfirm(values);
    texts.balance = m.balance('KES 1.00', '980');
    texts.wallet = m.wallet('0xabc');
    texts.consentAsk = m.consentAsk('send KES 645.00 to +2547..98 (asked by acme)');
    texts.partners = m.partners('1 acme');
    const notes = m.notes;
    for (const [key, value] of Object.entries(notes)) {
      if (typeof value === 'string') texts[`notes.${key}`] = value;
    }
    texts['notes.wrongPin'] = notes.wrongPin(2);
    texts['notes.amountDecimals'] = notes.amountDecimals(2);
    texts['notes.amountMin'] = notes.amountMin('$1.00');
    texts['notes.amountMax'] = notes.amountMax('$100.00');
    return texts;
  };

  test('Swahili has its own text for everything but the bilingual language choice', () => {
    const english = sample(en);
    const swahili = sample(sw);
    expect(Object.keys(swahili).sort()).toEqual(Object.keys(english).sort());
    for (const key of Object.keys(english)) {
      if (key === 'chooseLanguage') expect(swahili[key]).toBe(english[key]);
      else expect([key, swahili[key]]).not.toEqual([key, english[key]]);
    }
  });

  test('the menu names the items in natural Swahili', () => {
    expect(sw.mainMenu).toBe(
      '1 Nunua TXTC\n2 Tuma muda wa maongezi\n3 Angalia salio\n4 Historia ya miamala\n5 Tuma TXTC\n6 Akaunti yangu',
    );
    expect(sw.backHome).toBe('0 Rudi 00 Mwanzo');
  });

  test('counts agree in both languages', () => {
    expect(en.notes.wrongPin(1)).toBe('Wrong PIN. 1 try left.');
    expect(en.notes.wrongPin(2)).toBe('Wrong PIN. 2 tries left.');
    expect(sw.notes.wrongPin(1)).toBe('PIN si sahihi. Nafasi 1 imebaki.');
    expect(sw.notes.wrongPin(2)).toBe('PIN si sahihi. Nafasi 2 zimebaki.');
  });
});
