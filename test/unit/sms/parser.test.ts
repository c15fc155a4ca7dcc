import fc from 'fast-check';
import { formatDecimal } from '../../../lib/money/decimal';
import { TXTC_DECIMALS } from '../../../lib/money/format';
import {
  parseSms,
  redactSms,
  SMS_KEYWORDS,
  type Amount,
  type ParsedSms,
  type SmsCommand,
} from '../../../lib/sms/parser';

const KE = { phoneNumber: '+254712345678', currency: 'KES', minorDigits: 2 };
const UG = { phoneNumber: '+256772123456', currency: 'UGX', minorDigits: 0 };
const NG = { phoneNumber: '+2348031234567', currency: 'NGN', minorDigits: 2 };

const TO = '+254798765432';
const usd = (cents: string): Amount => ({ unit: 'usd', usdCents: cents });
const kes = (minor: string): Amount => ({ unit: 'local', currency: 'KES', amountMinor: minor });
const txtc = (whole: bigint): Amount => ({ unit: 'txtc', txtcBaseUnits: (whole * 10n ** 18n).toString() });
const baseUnits = (units: string): Amount => ({ unit: 'txtc', txtcBaseUnits: units });

function expectUnknown(result: ParsedSms, reason: RegExp): void {
  expect(result.command).toBe('unknown');
  if (result.command === 'unknown') expect(result.reason).toMatch(reason);
}

describe('every command, in English and in Swahili', () => {
  test.each<[string, ParsedSms]>([
    ['BUY 100', { command: 'buy', amount: kes('10000'), language: 'en' }],
    ['NUNUA 100', { command: 'buy', amount: kes('10000'), language: 'sw' }],
    ['AIRTIME', { command: 'airtime', language: 'en' }],
    ['AIRTIME BALANCE', { command: 'airtime', language: 'en' }],
    ['MUDA', { command: 'airtime', language: 'sw' }],
    ['MUDA WA MAONGEZI', { command: 'airtime', language: 'sw' }],
    ['SALIO LA MUDA', { command: 'airtime', language: 'sw' }],
    ['SALIO MUDA', { command: 'airtime', language: 'sw' }],
    ['BALANCE', { command: 'balance', language: 'en' }],
    ['BAL', { command: 'balance', language: 'en' }],
    ['SALIO', { command: 'balance', language: 'sw' }],
    [`SEND 50 TO ${TO}`, { command: 'send', amount: txtc(50n), to: TO, language: 'en' }],
    [`SEND 50 TXTC TO ${TO}`, { command: 'send', amount: txtc(50n), to: TO, language: 'en' }],
    [`TUMA 50 KWA ${TO}`, { command: 'send', amount: txtc(50n), to: TO, language: 'sw' }],
    [`TUMA 50 TXTC KWA ${TO}`, { command: 'send', amount: txtc(50n), to: TO, language: 'sw' }],
    [`TRANSFER 100 TO ${TO}`, { command: 'transfer', amount: kes('10000'), to: TO, language: 'en' }],
    [`HAMISHA 100 KWA ${TO}`, { command: 'transfer', amount: kes('10000'), to: TO, language: 'sw' }],
    ['HISTORY', { command: 'history', language: 'en' }],
    ['HISTORIA', { command: 'history', language: 'sw' }],
    ['REDEEM abcd-1234', { command: 'redeem', code: 'ABCD-1234', language: 'en' }],
    ['KOMBOA abcd-1234', { command: 'redeem', code: 'ABCD-1234', language: 'sw' }],
    ['SWAP 50', { command: 'swap', amount: txtc(50n), language: 'en' }],
    ['BADILISHA 50', { command: 'swap', amount: txtc(50n), language: 'sw' }],
    ['HELP', { command: 'help', language: 'en' }],
    ['HELP SEND', { command: 'help', language: 'en' }],
    ['MSAADA', { command: 'help', language: 'sw' }],
    ['SAIDIA', { command: 'help', language: 'sw' }],
  ])('%s', (text, parsed) => {
    expect(parseSms(text, KE)).toEqual(parsed);
  });

  test('either connector works after either language’s keyword; the keyword sets the language', () => {
    expect(parseSms(`TUMA 50 TO ${TO}`, KE)).toEqual({ command: 'send', amount: txtc(50n), to: TO, language: 'sw' });
    expect(parseSms(`SEND 50 KWA ${TO}`, KE)).toEqual({ command: 'send', amount: txtc(50n), to: TO, language: 'en' });
  });

  test('every keyword listed in SMS_KEYWORDS is read as its command', () => {
    const needs: Record<SmsCommand, string> = {
      buy: ' 10',
      airtime: '',
      balance: '',
      send: ` 10 TO ${TO}`,
      transfer: ` 10 TO ${TO}`,
      history: '',
      redeem: ' CODE1',
      swap: ' 10',
      help: '',
      confirm: ' 1234',
      decline: '',
      stop: ' ACME',
    };
    for (const command of Object.keys(SMS_KEYWORDS) as SmsCommand[]) {
      for (const language of ['en', 'sw'] as const) {
        for (const keyword of SMS_KEYWORDS[command][language]) {
          expect(parseSms(`${keyword}${needs[command]}`, KE)).toMatchObject({ command, language });
        }
      }
    }
  });
});

describe('what an amount means in each command (MONEY.md)', () => {
  const message = (command: string, amount: string): string =>
    command === 'SEND' || command === 'TRANSFER' ? `${command} ${amount} TO ${TO}` : `${command} ${amount}`;

  // [amount as typed, BUY, SEND, TRANSFER, SWAP]; undefined: refused
  const table: [string, Amount, Amount, Amount | undefined, Amount][] = [
    ['10', kes('1000'), txtc(10n), kes('1000'), txtc(10n)],
    ['10.50', kes('1050'), baseUnits('10500000000000000000'), kes('1050'), baseUnits('10500000000000000000')],
    ['1,000', kes('100000'), txtc(1000n), kes('100000'), txtc(1000n)],
    [
      '1,000,000.25',
      kes('100000025'),
      baseUnits('1000000250000000000000000'),
      kes('100000025'),
      baseUnits('1000000250000000000000000'),
    ],
    ['$10', usd('1000'), usd('1000'), usd('1000'), usd('1000')],
    ['$ 10', usd('1000'), usd('1000'), usd('1000'), usd('1000')],
    ['$10.5', usd('1050'), usd('1050'), usd('1050'), usd('1050')],
    ['10$', usd('1000'), usd('1000'), usd('1000'), usd('1000')],
    ['USD 10', usd('1000'), usd('1000'), usd('1000'), usd('1000')],
    ['10 USD', usd('1000'), usd('1000'), usd('1000'), usd('1000')],
    ['usd10', usd('1000'), usd('1000'), usd('1000'), usd('1000')],
    ['US$10', usd('1000'), usd('1000'), usd('1000'), usd('1000')],
    ['10 dollars', usd('1000'), usd('1000'), usd('1000'), usd('1000')],
    ['KES 100', kes('10000'), kes('10000'), kes('10000'), kes('10000')],
    ['100 KES', kes('10000'), kes('10000'), kes('10000'), kes('10000')],
    ['kes100', kes('10000'), kes('10000'), kes('10000'), kes('10000')],
    ['KSh 100', kes('10000'), kes('10000'), kes('10000'), kes('10000')],
    ['Ksh.100', kes('10000'), kes('10000'), kes('10000'), kes('10000')],
    ['Kshs 1,500.75', kes('150075'), kes('150075'), kes('150075'), kes('150075')],
    ['50 TXTC', txtc(50n), txtc(50n), undefined, txtc(50n)],
    ['50txtc', txtc(50n), txtc(50n), undefined, txtc(50n)],
    ['TXTC 50', txtc(50n), txtc(50n), undefined, txtc(50n)],
    // the TXTC that 10 USD buys
    ['$10 TXTC', usd('1000'), usd('1000'), undefined, usd('1000')],
    ['10 USD TXTC', usd('1000'), usd('1000'), undefined, usd('1000')],
  ];

  describe.each([
    ['BUY', 1],
    ['SEND', 2],
    ['TRANSFER', 3],
    ['SWAP', 4],
  ] as const)('%s', (command, column) => {
    test.each(table.map((row) => [row[0], row[column]] as const))(`${command} %s`, (amount, expected) => {
      const parsed = parseSms(message(command, amount), KE);
      if (expected === undefined) expectUnknown(parsed, /moves airtime; to send TXTC use SEND/);
      else expect(parsed).toMatchObject({ command: command.toLowerCase(), amount: expected });
    });
  });

  test('SEND $10 TXTC is the TXTC 10 USD buys; SEND 10 TXTC is 10 TXTC (the issue’s two forms)', () => {
    expect(parseSms(`SEND $10 TXTC TO ${TO}`, KE)).toMatchObject({ amount: usd('1000') });
    expect(parseSms(`SEND 10 TXTC TO ${TO}`, KE)).toMatchObject({ amount: txtc(10n) });
  });

  test('a currency without minor units takes whole numbers, with its aliases', () => {
    const ugx = (minor: string): Amount => ({ unit: 'local', currency: 'UGX', amountMinor: minor });
    expect(parseSms('BUY 5,000', UG)).toMatchObject({ amount: ugx('5000') });
    expect(parseSms('BUY UGX 5000', UG)).toMatchObject({ amount: ugx('5000') });
    expect(parseSms('BUY USh 5000', UG)).toMatchObject({ amount: ugx('5000') });
    expect(parseSms('BUY $2.50', UG)).toMatchObject({ amount: usd('250') });
    expectUnknown(parseSms('BUY 5000.5', UG), /UGX amounts are whole numbers/);
    expectUnknown(parseSms('BUY KES 100', UG), /amounts are in UGX, USD or TXTC, not KES/);
  });

  test('naira by code and sign', () => {
    const ngn: Amount = { unit: 'local', currency: 'NGN', amountMinor: '50000' };
    expect(parseSms('BUY ₦500', NG)).toMatchObject({ amount: ngn });
    expect(parseSms('BUY 500 NGN', NG)).toMatchObject({ amount: ngn });
  });

  test('TXTC takes up to 18 decimals', () => {
    expect(parseSms('SWAP 0.000000000000000001', KE)).toMatchObject({ amount: baseUnits('1') });
    expect(parseSms('SWAP .5', KE)).toMatchObject({ amount: baseUnits('500000000000000000') });
  });
});

describe('receivers are read in the sender’s country and come out in E.164', () => {
  test.each([
    '0798765432',
    '0798 765 432',
    '0798-765-432',
    '(0798) 765432',
    '798765432',
    '254798765432',
    '+254798765432',
    '+254 798 765 432',
    '+254-798-765-432',
  ])('%s', (phone) => {
    expect(parseSms(`SEND 10 TO ${phone}`, KE)).toMatchObject({ command: 'send', to: TO });
    expect(parseSms(`TRANSFER 10 TO ${phone}`, KE)).toMatchObject({ command: 'transfer', to: TO });
  });

  test('a local number is read in the sender’s own country', () => {
    expect(parseSms('SEND 10 TO 0772 123456', UG)).toMatchObject({ to: '+256772123456' });
    expect(parseSms('SEND 10 TO 0772 123456', KE)).toMatchObject({ to: '+254772123456' });
    expect(parseSms('SEND 10 TO 08031234567', NG)).toMatchObject({ to: '+2348031234567' });
  });

  test('a number of another served country is taken as written internationally', () => {
    expect(parseSms('SEND 10 TO +256 772 123456', KE)).toMatchObject({ to: '+256772123456' });
  });
});

describe('sloppy typing', () => {
  test.each<[string, ParsedSms]>([
    ['  send   $10   to   +254 798 765 432  ', { command: 'send', amount: usd('1000'), to: TO, language: 'en' }],
    ['Send $10TO+254798765432', { command: 'send', amount: usd('1000'), to: TO, language: 'en' }],
    ['SEND $10 TO+254798765432', { command: 'send', amount: usd('1000'), to: TO, language: 'en' }],
    ['sEnD 10txtc To 0798765432', { command: 'send', amount: txtc(10n), to: TO, language: 'en' }],
    ['SEND 10 TO: 0798765432', { command: 'send', amount: txtc(10n), to: TO, language: 'en' }],
    ['SEND 10\nTO 0798765432', { command: 'send', amount: txtc(10n), to: TO, language: 'en' }],
    ['tuma\t50\tkwa\t0798-765-432', { command: 'send', amount: txtc(50n), to: TO, language: 'sw' }],
    ['transfer ksh100 to 0798765432.', { command: 'transfer', amount: kes('10000'), to: TO, language: 'en' }],
    ['buy10', { command: 'buy', amount: kes('1000'), language: 'en' }],
    ['BUY$10', { command: 'buy', amount: usd('1000'), language: 'en' }],
    ['buy: 10', { command: 'buy', amount: kes('1000'), language: 'en' }],
    ['Buy 10.', { command: 'buy', amount: kes('1000'), language: 'en' }],
    ['buy 007', { command: 'buy', amount: kes('700'), language: 'en' }],
    ['Balance?', { command: 'balance', language: 'en' }],
    ['balance!!', { command: 'balance', language: 'en' }],
    ['  salio  ', { command: 'balance', language: 'sw' }],
    ['salio   la   muda', { command: 'airtime', language: 'sw' }],
    ['Airtime  balance', { command: 'airtime', language: 'en' }],
    ['\u00a0history\u00a0', { command: 'history', language: 'en' }],
    ['redeem  abcd-1234 ', { command: 'redeem', code: 'ABCD-1234', language: 'en' }],
  ])('%j', (text, parsed) => {
    expect(parseSms(text, KE)).toEqual(parsed);
  });
});

describe('what cannot be read is unknown, with a reason', () => {
  test.each<[string, RegExp]>([
    ['', /empty/],
    ['   ', /empty/],
    ['hello', /"HELLO" is not a command/],
    ['BUYER 10', /"BUYER" is not a command/],
    ['+254712345678', /does not start with a command/],
    ['BUY', /BUY needs an amount/],
    ['NUNUA', /NUNUA needs an amount/],
    ['SWAP', /SWAP needs an amount/],
    ['BUY abc', /has no amount in it/],
    ['BUY ten dollars', /has no amount in it/],
    ['BUY 0', /more than zero/],
    ['BUY 0.00', /more than zero/],
    ['BUY $0', /more than zero/],
    ['BUY -5', /more than zero/],
    ['SEND -5 TO 0798765432', /more than zero/],
    ['BUY 10-', /not an amount/],
    ['BUY 1.234', /more than 2 decimals for KES/],
    ['BUY $1.001', /more than 2 decimals for USD/],
    ['SWAP 1.1234567890123456789', /more than 18 decimals for TXTC/],
    ['BUY 10,50', /commas go only between thousands/],
    ['BUY 1,00', /commas go only between thousands/],
    ['BUY 10 20', /more than one amount/],
    ['BUY 1.2.3', /more than one amount/],
    ['BUY 1234567890123456', /too large/],
    ['BUY EUR 10', /not EUR/],
    ['BUY 10 UGX', /amounts are in KES, USD or TXTC, not UGX/],
    ['BUY $10 KES', /two currencies/],
    ['BUY 10 KES USD', /two currencies/],
    ['BUY 10 %', /not an amount/],
    ['SEND 10', /write SEND <amount> TO <phone number>/],
    ['TUMA 10', /write TUMA <amount> KWA <phone number>/],
    ['SEND 10 TO', /needs a phone number/],
    ['SEND TO 0798765432', /needs an amount/],
    ['SEND 10 TO 123', /not a valid phone number/],
    ['SEND 10 TO bob', /not a valid phone number/],
    ['SEND 10 TO 0798765432 please', /not a valid phone number/],
    ['SEND 10 TO +14155550100', /US are not supported/],
    ['SEND 10 TO +33 6 12 34 56 78', /FR are not supported/],
    ['SEND 10 TO 0798765432 0733123456', /not a valid phone number/],
    ['TRANSFER 5 TXTC TO 0798765432', /TRANSFER moves airtime; to send TXTC use SEND/],
    ['HAMISHA 5 TXTC KWA 0798765432', /HAMISHA moves airtime; to send TXTC use TUMA/],
    ['BALANCE now', /BALANCE takes nothing after it/],
    ['HISTORY 5', /HISTORY takes nothing after it/],
    ['REDEEM', /needs a code/],
    ['REDEEM abc', /4 to 32 letters/],
    ['REDEEM ab cd', /4 to 32 letters/],
    ['REDEEM AB_CD', /4 to 32 letters/],
    ['REDEEM ----', /4 to 32 letters/],
    [`REDEEM ${'A'.repeat(33)}`, /4 to 32 letters/],
    ['x'.repeat(501), /too long/],
  ])('%j', (text, reason) => {
    expectUnknown(parseSms(text, KE), reason);
  });

  test('REDEEM takes 4 and 32 characters', () => {
    expect(parseSms('REDEEM a1b2', KE)).toMatchObject({ code: 'A1B2' });
    expect(parseSms(`REDEEM ${'z'.repeat(32)}`, KE)).toMatchObject({ code: 'Z'.repeat(32) });
  });

  test('an unknown message keeps the language of its keyword, and a stray PIN is never echoed', () => {
    expect(parseSms('NUNUA', KE)).toMatchObject({ command: 'unknown', language: 'sw' });
    const notYes = parseSms('OK 4821', KE);
    expectUnknown(notYes, /"OK" is not a command/);
    expect(JSON.stringify(notYes)).not.toContain('4821');
    expect(JSON.stringify(parseSms('4821', KE))).not.toContain('4821');
    expect(JSON.stringify(parseSms('BALANCE 4821', KE))).not.toContain('4821');
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

/** Random case, letter by letter. */
const casing = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
/** One or more spaces (or a tab). */
const space = fc.constantFrom(' ', '  ', '   ', '\t');
const groupThousands = (text: string) => {
  const [whole, fraction] = text.split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
};
/** A positive amount in `digits` decimals and a way of writing it exactly (trailing zeros, commas or not). */
const decimal = (digits: number) =>
  fc
    .tuple(fc.bigInt({ min: 1n, max: 10n ** BigInt(15 + digits) - 1n }), fc.boolean(), fc.boolean())
    .map(([value, trimZeros, commas]) => {
      const plain = formatDecimal(value, digits, digits, trimZeros);
      return { value, text: commas ? groupThousands(plain) : plain };
    });

describe('properties', () => {
  test('any amount with the allowed decimals comes out as exactly its integer of minor units (no float)', () => {
    const units = fc.constantFrom(
      { sender: KE, digits: 2, write: (n: string) => `KES ${n}`, command: 'BUY', field: 'amountMinor' },
      { sender: KE, digits: 2, write: (n: string) => n, command: 'TRANSFER', field: 'amountMinor' },
      { sender: UG, digits: 0, write: (n: string) => `${n} UGX`, command: 'BUY', field: 'amountMinor' },
      { sender: KE, digits: 2, write: (n: string) => `$${n}`, command: 'SEND', field: 'usdCents' },
      { sender: KE, digits: 2, write: (n: string) => `${n} USD TXTC`, command: 'SWAP', field: 'usdCents' },
      { sender: KE, digits: TXTC_DECIMALS, write: (n: string) => n, command: 'SEND', field: 'txtcBaseUnits' },
      { sender: KE, digits: TXTC_DECIMALS, write: (n: string) => `${n} TXTC`, command: 'SWAP', field: 'txtcBaseUnits' },
    );
    fc.assert(
      fc.property(
        units.chain((u) => fc.tuple(fc.constant(u), decimal(u.digits))),
        ([u, { value, text }]) => {
          const tail = u.command === 'SEND' || u.command === 'TRANSFER' ? ` TO ${TO}` : '';
          const parsed = parseSms(`${u.command} ${u.write(text)}${tail}`, u.sender);
          expect(parsed).toMatchObject({ amount: { [u.field]: value.toString() } });
        },
      ),
      { numRuns: 500 },
    );
  });

  test('every well-formed command in every accepted spelling parses to the same meaning', () => {
    const phones = fc.constantFrom('0798765432', '0798 765 432', '254798765432', '+254 798-765-432', '798765432');
    const keyword = (command: SmsCommand) =>
      fc.constantFrom(...(['en', 'sw'] as const)).chain((language) =>
        fc
          .constantFrom(...SMS_KEYWORDS[command][language])
          .chain((k) => casing(k))
          .map((k) => ({ k, language })),
      );
    /** [how the amount is written, what it means] for a command whose bare number is `bare` */
    const amount = (bare: 'local' | 'txtc') =>
      fc.tuple(decimal(2), fc.integer({ min: 0, max: 5 })).chain(([{ value, text }, form]) => {
        const forms: [string, Amount][] = [
          [`$${text}`, usd(value.toString())],
          [`${text} usd`, usd(value.toString())],
          [`KES ${text}`, kes(value.toString())],
          [`${text}ksh`, kes(value.toString())],
          [`${text} txtc`, baseUnits((value * 10n ** BigInt(TXTC_DECIMALS - 2)).toString())],
          [
            text,
            bare === 'local' ? kes(value.toString()) : baseUnits((value * 10n ** BigInt(TXTC_DECIMALS - 2)).toString()),
          ],
        ];
        return casing(forms[form]![0]).map((written) => [written, forms[form]![1]] as const);
      });
    const message = fc.oneof(
      fc.tuple(fc.constantFrom('buy', 'swap' as const), space, space).chain(([command, s1, s2]) =>
        fc
          .tuple(keyword(command), amount(command === 'buy' ? 'local' : 'txtc'))
          .map(([{ k, language }, [written, meaning]]) => ({
            text: `${s1}${k}${s2}${written}`,
            expected: { command, amount: meaning, language },
          })),
      ),
      fc
        .tuple(fc.constantFrom('send', 'transfer' as const), space, space, space, phones)
        .chain(([command, s1, s2, s3, phone]) =>
          fc
            .tuple(
              keyword(command),
              amount(command === 'send' ? 'txtc' : 'local').filter(
                ([written]) => command === 'send' || !/txtc/i.test(written),
              ),
              casing('to'),
            )
            .map(([{ k, language }, [written, meaning], to]) => ({
              text: `${k}${s1}${written}${s2}${to}${s3}${phone}  `,
              expected: { command, amount: meaning, to: TO, language },
            })),
        ),
      fc.tuple(fc.constantFrom('airtime', 'balance', 'history', 'help' as const), space).chain(([command, s]) =>
        keyword(command).map(({ k, language }) => ({
          text: `${s}${k.replace(/ /g, s)}${s}`,
          expected: { command, language },
        })),
      ),
      fc
        .tuple(
          keyword('redeem'),
          fc.stringMatching(/^[a-zA-Z0-9-]{4,32}$/).filter((c) => /[a-z0-9]/i.test(c)),
        )
        .map(([{ k, language }, code]) => ({
          text: `${k} ${code}`,
          expected: { command: 'redeem', code: code.toUpperCase(), language },
        })),
    );
    fc.assert(
      fc.property(message, ({ text, expected }) => {
        expect(parseSms(text, KE)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  test('the parser never throws, whatever arrives, and what it cannot read is unknown with a reason', () => {
    const vocabulary = fc.constantFrom(
      ...Object.values(SMS_KEYWORDS).flatMap((k) => [...k.en, ...k.sw]),
      'TO',
      'KWA',
      'TXTC',
      'USD',
      'KES',
      'KSh.',
      'UGX',
      '$',
      '₦',
      '-',
      ',',
      '.',
      ':',
      '+254',
      '0712345678',
      '10',
      '1,000.50',
      '0',
      '.5',
      '1e5',
      'NaN',
      '9'.repeat(40),
    );
    const junk = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc
        .array(fc.tuple(vocabulary, fc.constantFrom('', ' ', '  ', '\n')), { maxLength: 8 })
        .map((parts) => parts.map(([word, gap]) => word + gap).join('')),
    );
    const senders = fc.constantFrom(KE, UG, NG, { phoneNumber: 'not a number', currency: 'KES', minorDigits: 2 });
    fc.assert(
      fc.property(junk, senders, (text, sender) => {
        const parsed = parseSms(text, sender);
        expect(typeof parsed.command).toBe('string');
        expect(['en', 'sw']).toContain(parsed.language);
        if (parsed.command === 'unknown') expect(parsed.reason.length).toBeGreaterThan(0);
        if ('amount' in parsed) expect(BigInt(Object.values(parsed.amount).at(-1)!)).toBeGreaterThan(0n);
      }),
      { numRuns: 2000 },
    );
  });

  test('random letters and digits that start with no keyword are unknown (the caller replies with help)', () => {
    const keywords = Object.values(SMS_KEYWORDS).flatMap((k) => [...k.en, ...k.sw].map((w) => w.split(' ')[0]!));
    fc.assert(
      fc.property(
        fc
          .stringMatching(/^[a-z0-9 ]{0,40}$/)
          .filter((t) => !keywords.some((w) => t.trim().toUpperCase().startsWith(w))),
        (text) => {
          expect(parseSms(text, KE).command).toBe('unknown');
        },
      ),
    );
  });
});

describe('confirmations: YES <pin> and NO', () => {
  test('YES with a 4-digit PIN, in any case and spacing, in both languages', () => {
    expect(parseSms('YES 1234', KE)).toEqual({ command: 'confirm', pin: '1234', language: 'en' });
    expect(parseSms('  yes1234 ', KE)).toEqual({ command: 'confirm', pin: '1234', language: 'en' });
    expect(parseSms('Ndio 0000', KE)).toEqual({ command: 'confirm', pin: '0000', language: 'sw' });
    expect(parseSms('YES', KE)).toEqual({ command: 'confirm', language: 'en' });
  });

  test('a PIN that is not 4 digits is not read, and the reason does not echo it', () => {
    const parsed = parseSms('YES 12345', KE);
    expect(parsed.command).toBe('unknown');
    expect(JSON.stringify(parsed)).not.toContain('12345');
  });

  test('NO declines, whatever follows; words that only start like a keyword are not commands', () => {
    expect(parseSms('no thanks', KE)).toEqual({ command: 'decline', language: 'en' });
    expect(parseSms('HAPANA', KE)).toEqual({ command: 'decline', language: 'sw' });
    expect(parseSms('YESTERDAY', KE).command).toBe('unknown');
    expect(parseSms('NOTE 5', KE).command).toBe('unknown');
  });

  test('redactSms hides every digit of a confirmation or of a bare PIN, and nothing else', () => {
    expect(redactSms('YES 1234')).toBe('YES ****');
    expect(redactSms('ndio1234')).toBe('ndio****');
    expect(redactSms(' 4321 ')).toBe(' **** ');
    expect(redactSms('BUY 100')).toBe('BUY 100');
    expect(redactSms('SEND 50 TO 0712345678')).toBe('SEND 50 TO 0712345678');
    fc.assert(
      fc.property(fc.stringMatching(/^\d{4}$/), fc.constantFrom('YES', 'yes ', 'NDIO ', 'Ndiyo  '), (pin, word) => {
        const redacted = redactSms(`${word}${pin}`);
        expect(redacted).not.toMatch(/\d/);
        expect(parseSms(`${word}${pin}`, KE)).toMatchObject({ command: 'confirm', pin });
      }),
    );
  });

  test('any Unicode spelling that parses as YES <pin> is redacted too: NFKC before parsing and redaction', () => {
    // On c3d9141 "yeſ 1234" parsed as YES + PIN (upper-casing makes ſ an S) while the redaction let it through.
    for (const text of ['yeſ 1234', 'ＹＥＳ　１２３４', 'ｎｄｉｏ 1234']) {
      const parsed = parseSms(text, KE);
      expect(parsed).toMatchObject({ command: 'confirm', pin: '1234' });
      expect(redactSms(text)).not.toMatch(/[\d１２３４]/);
    }
    expect(redactSms('１２３４')).toBe('****');
  });
});
