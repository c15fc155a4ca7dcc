import fc from 'fast-check';
import {
  GSM7_SEPTETS_PER_SMS,
  UCS2_UNITS_PER_SMS,
  fitsOneSms,
  gsm7Septets,
  isGsm7,
  smsEncoding,
  smsParts,
} from '../../../lib/sms/segments';
import { en, sw, type SmsTexts } from '../../../lib/messages/sms';

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Each part is a piece of the text, in order, and only whitespace lies between two pieces. */
function expectPiecesOf(text: string, parts: string[]): void {
  let at = 0;
  for (const part of parts) {
    const found = text.indexOf(part, at);
    expect(found).toBeGreaterThanOrEqual(at);
    expect(text.slice(at, found)).toMatch(/^\s*$/);
    at = found + part.length;
  }
  expect(text.slice(at)).toMatch(/^\s*$/);
}

/** How many SMS the plain way takes: each part as full as it goes, cut at its last space. */
function fullestPartsCount(text: string): number {
  let rest = text.trim();
  if (fitsOneSms(text) || fitsOneSms(rest)) return 1;
  let count = 0;
  while (rest !== '') {
    count++;
    if (fitsOneSms(rest)) break;
    let room = 0;
    for (const ch of rest) {
      if (!fitsOneSms(rest.slice(0, room + ch.length))) break;
      room += ch.length;
    }
    let cut = room;
    for (let i = room; i > 0; i--) {
      if (/\s/.test(rest[i]!) && !/\s/.test(rest[i - 1]!)) {
        cut = i;
        break;
      }
    }
    rest = rest.slice(cut).trimStart();
  }
  return count;
}

describe('GSM-7 and UCS-2', () => {
  test('the basic set counts one septet a character, the extension table two', () => {
    expect(gsm7Septets('Hello @ £5, Äö ñ è_!')).toBe(20);
    expect(gsm7Septets('€')).toBe(2);
    expect(gsm7Septets('[x]{y}~^|\\')).toBe(18);
    expect(isGsm7('Line one\nline two\r\n')).toBe(true);
  });

  test('anything else makes the text UCS-2', () => {
    for (const text of ['naïve', 'garçon', 'Habari 👋', '“quoted”', 'KES\u00a01,000', 'fin…', '\u001b']) {
      expect(isGsm7(text)).toBe(false);
      expect(gsm7Septets(text)).toBeUndefined();
      expect(smsEncoding(text)).toBe('UCS-2');
    }
    expect(smsEncoding('Plain text, $10.')).toBe('GSM-7');
  });

  test('one SMS holds 160 septets of GSM-7 or 70 UCS-2 units', () => {
    expect(fitsOneSms('a'.repeat(GSM7_SEPTETS_PER_SMS))).toBe(true);
    expect(fitsOneSms('a'.repeat(GSM7_SEPTETS_PER_SMS + 1))).toBe(false);
    expect(fitsOneSms('€'.repeat(80))).toBe(true);
    expect(fitsOneSms('a'.repeat(159) + '€')).toBe(false);
    expect(fitsOneSms('é'.repeat(69) + 'ç')).toBe(true);
    expect(fitsOneSms('é'.repeat(70) + 'ç')).toBe(false);
    // an emoji is two UTF-16 units
    expect(fitsOneSms('a'.repeat(68) + '👋')).toBe(true);
    expect(fitsOneSms('a'.repeat(69) + '👋')).toBe(false);
  });
});

describe('splitting a reply', () => {
  test('a reply that fits is sent as it is, in one SMS', () => {
    expect(smsParts('Balance: airtime KES 1,234.56, TXTC 0.')).toEqual(['Balance: airtime KES 1,234.56, TXTC 0.']);
    expect(smsParts('a'.repeat(160))).toEqual(['a'.repeat(160)]);
    expect(smsParts('')).toEqual(['']);
  });

  test('a long reply is cut between words, and nothing is lost', () => {
    const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const parts = smsParts(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(fitsOneSms(part)).toBe(true);
      expect(part).toMatch(/^word\d+( word\d+)*$/);
    }
    expect(parts.join(' ')).toBe(text);
  });

  test('a sentence or line end near the limit is preferred to the last space', () => {
    const first = `${'Your transfer of KES 500.00 was received and is on its way '.repeat(2).trim()}.`;
    const text = `${first} ${'Then more words follow here '.repeat(4).trim()}`;
    expect(smsParts(text)[0]).toBe(first);
    const lines = `${'x'.repeat(120)}\n${'y '.repeat(40).trim()}`;
    expect(smsParts(lines)[0]).toBe('x'.repeat(120));
  });

  test('a sentence end far from the limit does not waste most of a part', () => {
    const text = `Ok. ${'many more words '.repeat(20).trim()}`;
    const [first] = smsParts(text);
    expect(first!.length).toBeGreaterThan(140);
  });

  test('among cuts that need no extra SMS, a number stays with the word before it', () => {
    const text =
      'Last transactions: Buy 980 TXTC; -KES 1,290.00; +150 TXTC; -KES 50,000.00 x; Buy 12.5 TXTC. ' +
      'Your TXTC wallet holds 1,142.5 TXTC and your airtime balance is KES 3,710.00. ' +
      'Send HISTORY again for older transactions, or dial *384*123# to see them page by page.';
    const parts = smsParts(text);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/airtime balance is$/);
    expect(parts[1]).toMatch(/^KES 3,710\.00\. Send HISTORY/);
  });

  test('a word longer than a part is the only thing ever cut inside', () => {
    const hash = '0x' + 'ab'.repeat(120);
    const text = `TX: ${hash} done`;
    const parts = smsParts(text);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^TX: 0xabab/);
    // cutting into the long word saves an SMS here: two parts, not "short words..." then the word in two
    expect(smsParts(`${'short words '.repeat(12)}0x${'cd'.repeat(84)}`)).toEqual([
      `${'short words '.repeat(12)}0x${'cd'.repeat(7)}`,
      'cd'.repeat(77),
    ]);
    // a word that fits a part is never cut, even when cutting it would fill the first part
    expect(smsParts(`${'short words '.repeat(13)}trailingword`)).toEqual([
      'short words '.repeat(13).trim(),
      'trailingword',
    ]);
    expect(parts.every(fitsOneSms)).toBe(true);
    expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });

  test('each part takes its own encoding: one accent does not shrink every part to 70', () => {
    const text = `${'plain words '.repeat(14).trim()} garçon`;
    const parts = smsParts(text);
    expect(parts).toHaveLength(2);
    expect(smsEncoding(parts[0]!)).toBe('GSM-7');
    expect(smsEncoding(parts[1]!)).toBe('UCS-2');
  });

  test('a Swahili reply with a UCS-2 character splits at 70, between words', () => {
    const text = 'Umepokea muda wa maongezi “KES 500.00” kutoka +254712345678. Salio jipya: KES 1,500.00.';
    const parts = smsParts(text);
    expect(parts.length).toBe(2);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(UCS2_UNITS_PER_SMS);
    expect(parts.join(' ')).toBe(text);
  });
});

describe('properties', () => {
  const gsmChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789.,;:!?-$@£€[]{}~^|\\');
  const otherChars = fc.constantFrom('ç', 'ñ', 'é', '“', '”', '👋', '…', 'ß', 'Ω', '✓');
  const word = (maxLength: number) =>
    fc
      .array(fc.oneof({ weight: 12, arbitrary: gsmChars }, { weight: 1, arbitrary: otherChars }), {
        minLength: 1,
        maxLength,
      })
      .map((cs) => cs.join(''));
  const gap = fc.constantFrom(' ', ' ', ' ', '  ', '\n', ' \n ', '\t');
  const textOf = (wordLength: number) =>
    fc
      .array(fc.tuple(word(wordLength), gap), { minLength: 0, maxLength: 120 })
      .map((ws) => ws.map(([w, g]) => w + g).join(''));

  test('every part fits one SMS, and the parts are the text in order, cut only at whitespace', () => {
    fc.assert(
      fc.property(textOf(200), (text) => {
        const parts = smsParts(text);
        expect(parts.length).toBeGreaterThanOrEqual(1);
        for (const part of parts) expect(fitsOneSms(part)).toBe(true);
        if (parts.length > 1) for (const part of parts) expect(part).toMatch(/^\S(.*\S)?$/s);
        expectPiecesOf(text, parts);
        expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }),
      { numRuns: 500 },
    );
  });

  test('when no word is longer than a part, joining the parts with a space gives the text back', () => {
    fc.assert(
      fc.property(textOf(30), (text) => {
        expect(squash(smsParts(text).join(' '))).toBe(squash(text));
      }),
      { numRuns: 500 },
    );
  });

  test('never more SMS than filling each part as full as it goes', () => {
    fc.assert(
      fc.property(fc.oneof(textOf(12), textOf(200)), (text) => {
        expect(smsParts(text).length).toBeLessThanOrEqual(fullestPartsCount(text));
      }),
      { numRuns: 300 },
    );
  });

  test('a text that fits one SMS is one part, unchanged', () => {
    fc.assert(
      fc.property(textOf(20), (text) => {
        fc.pre(fitsOneSms(text));
        expect(smsParts(text)).toEqual([text]);
      }),
      { numRuns: 300 },
    );
  });

  test('any string at all splits without throwing, into parts that fit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 600 }), (text) => {
        const parts = smsParts(text);
        for (const part of parts) expect(fitsOneSms(part)).toBe(true);
        expectPiecesOf(text, parts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the SMS catalogue', () => {
  const shortcode = '*384*123#';
  const replies = (t: SmsTexts) => [
    t.help(shortcode),
    t.notUnderstood(shortcode),
    t.balanceReply({ airtime: 'KES 1,234,567.89', txtc: '1,234,567.89' }),
    t.airtimeReply('KES 1,234,567.89'),
    t.historyReply(['Buy 980 TXTC', '-KES 1,290.00', '+150 TXTC', '-KES 50,000.00 x', 'Buy 12.5 TXTC ..']),
    t.noHistory,
    t.bought({
      txtc: '12,345.67',
      airtime: 'KES 10,000.00',
      usd: '$77.51',
      wallet: '0x7190...ffee',
      tx: '0xabcd...1234',
    }),
    t.buyRefunded('KES 10,000.00'),
    t.sentAirtime({ amount: 'KES 5,000.00', to: '+254712345678', balance: 'KES 10,000.00', ref: 'tr-1a2b3c' }),
    t.receivedAirtime({ amount: 'KES 5,000.00', from: '+254712345678', balance: 'KES 10,000.00' }) +
      t.dialHint(shortcode),
    t.sentTxtc({ amount: '150 TXTC', to: '+254712345678', tx: '0xabcd...1234' }),
    t.receivedTxtc({ amount: '150 TXTC', from: '+254712345678', tx: '0xabcd...1234' }),
    t.refusals.transfer.failed,
    t.refusals.buy.failed,
  ];

  test.each([
    ['English', en],
    ['Swahili', sw],
  ])('%s replies are GSM-7 and each fits one SMS', (_, texts) => {
    for (const reply of replies(texts)) {
      expect(isGsm7(reply)).toBe(true);
      expect(smsParts(reply)).toEqual([reply]);
    }
  });
});
