/**
 * The SMS commands people type, read the way they type them: any case, stray or missing spaces, `$10`,
 * `10.50`, `KES 100`, `100 KES`, `1,000`, numbers as `0712...`, `254712...` or `+254 712-345-678`.
 * Pure (no I/O, clocks or randomness) and it never throws: whatever it cannot read comes back as
 * `unknown` with a short English reason (for logs; the caller replies with help from its catalogue).
 *
 * What a bare amount means follows ../../../shared/MONEY.md: the sender's currency in BUY and TRANSFER,
 * TXTC in SEND and SWAP; `$10`/`USD 10` is USD and `$10 TXTC` is the TXTC that 10 USD buys. Amounts go
 * from text to integers of minor units with parseDecimal, never through a float.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DecimalError, parseDecimal } from '../money/decimal';
import { TXTC_DECIMALS } from '../money/format';
import { normalizePhone, PhoneNumberError } from '../telco/detect';
import type { Language } from '../ussd/types';

export type Amount =
  | { unit: 'usd'; usdCents: string }
  | { unit: 'local'; currency: string; amountMinor: string }
  | { unit: 'txtc'; txtcBaseUnits: string };

export type ParsedSms =
  | { command: 'buy'; amount: Amount; language: Language }
  | { command: 'airtime'; language: Language }
  | { command: 'balance'; language: Language }
  | { command: 'send'; amount: Amount; to: string; language: Language }
  | { command: 'transfer'; amount: Amount; to: string; language: Language }
  | { command: 'history'; language: Language }
  | { command: 'redeem'; code: string; language: Language }
  | { command: 'swap'; amount: Amount; language: Language }
  | { command: 'help'; language: Language }
  /** the answer to a confirmation request: YES <pin> (the PIN is checked before the workflow sees it) */
  | { command: 'confirm'; pin?: string; language: Language }
  | { command: 'decline'; language: Language }
  /** STOP <tenant>: that tenant reads the number's balance and history no more */
  | { command: 'stop'; tenant: string; language: Language }
  | { command: 'unknown'; language: Language; reason: string };

export type SmsCommand = Exclude<ParsedSms['command'], 'unknown'>;

/** Who sent the message: their E.164 number and their operator's currency (from operator_rates). */
export interface SmsSender {
  phoneNumber: string;
  currency: string;
  minorDigits: number;
}

/**
 * Every keyword accepted, per command and language (the help texts can quote them). Multi-word ones are
 * matched as typed with any spacing; the longest match wins, so `SALIO LA MUDA` is airtime, `SALIO`
 * alone the balance.
 */
export const SMS_KEYWORDS: Record<SmsCommand, Record<Language, readonly string[]>> = {
  buy: { en: ['BUY'], sw: ['NUNUA'] },
  airtime: {
    en: ['AIRTIME', 'AIRTIME BALANCE'],
    // muda wa maongezi: airtime ("talk time")
    sw: ['MUDA', 'MUDA WA MAONGEZI', 'SALIO LA MUDA', 'SALIO MUDA', 'SALIO LA MUDA WA MAONGEZI'],
  },
  balance: { en: ['BALANCE', 'BAL'], sw: ['SALIO'] },
  send: { en: ['SEND'], sw: ['TUMA'] },
  transfer: { en: ['TRANSFER'], sw: ['HAMISHA'] },
  history: { en: ['HISTORY'], sw: ['HISTORIA'] },
  redeem: { en: ['REDEEM'], sw: ['KOMBOA'] },
  swap: { en: ['SWAP'], sw: ['BADILISHA'] },
  help: { en: ['HELP'], sw: ['MSAADA', 'SAIDIA'] },
  confirm: { en: ['YES'], sw: ['NDIO', 'NDIYO'] },
  decline: { en: ['NO'], sw: ['HAPANA'] },
  stop: { en: ['STOP'], sw: ['ACHA'] },
};

/** The word between an amount and a receiver: TO, or KWA in Swahili (either works after any keyword). */
export const SMS_CONNECTORS: Record<Language, string> = { en: 'TO', sw: 'KWA' };

/** A command is never longer than this; longer texts are refused before any matching. */
const MAX_LENGTH = 500;

interface Keyword {
  pattern: RegExp;
  command: SmsCommand;
  language: Language;
  /** as it is written in examples, e.g. in "BUY needs an amount" */
  word: string;
}

const KEYWORDS: Keyword[] = (Object.keys(SMS_KEYWORDS) as SmsCommand[])
  .flatMap((command) =>
    (['en', 'sw'] as const).flatMap((language) =>
      SMS_KEYWORDS[command][language].map((phrase) => ({ phrase, command, language })),
    ),
  )
  .sort((a, b) => b.phrase.length - a.phrase.length)
  .map(({ phrase, command, language }) => ({
    // the keyword, then anything not a letter (so BUY10 and BUY$10 read, BUYER does not)
    pattern: new RegExp(`^${phrase.split(' ').join(' ?')}(?![A-Z])\\s*(.*)$`),
    command,
    language,
    word: phrase.split(' ')[0]!,
  }));

/**
 * Unicode as people's phones send it, folded to one spelling before anything reads it: NFKC (a long s is an
 * s, full-width digits are digits) and lower case. Parsing and redaction both start here, so no spelling
 * parses as YES <pin> and then escapes the redaction.
 */
export function foldSms(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Read one inbound SMS. `sender` gives the country that local numbers are read in and the own currency. */
export function parseSms(text: string, sender: SmsSender): ParsedSms {
  if (text.length > MAX_LENGTH) return unknown('en', 'the message is too long to be a command');
  const normalized = foldSms(text)
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase()
    .replace(/\s*[.!?]+$/, '');
  if (!normalized) return unknown('en', 'the message is empty');

  const keyword = KEYWORDS.map((k) => ({ k, match: k.pattern.exec(normalized) })).find((m) => m.match);
  if (!keyword?.match) {
    const first = /^[A-Z]+/.exec(normalized)?.[0];
    // Only letters are echoed: a message like "1234" may be a PIN sent by mistake.
    return unknown(
      'en',
      first ? `"${first.slice(0, 20)}" is not a command` : 'the message does not start with a command',
    );
  }
  const { command, language, word } = keyword.k;
  const rest = (keyword.match[1] ?? '').replace(/^[:,]\s*/, '');
  const context: Context = { sender, language, word };

  switch (command) {
    case 'airtime':
    case 'balance':
    case 'history':
      return rest ? unknown(language, `${word} takes nothing after it`) : { command, language };
    case 'help':
      // "HELP SEND" asks for help too; the reply is the same.
      return { command, language };
    case 'redeem':
      return parseRedeem(rest, context);
    case 'confirm':
      if (!rest) return { command, language };
      return PIN.test(rest) ? { command, pin: rest, language } : unknown(language, `${word} takes your 4-digit PIN`);
    case 'decline':
      // "NO THANKS" declines too.
      return { command, language };
    case 'stop':
      return /^[A-Z0-9][A-Z0-9-]{0,39}$/.test(rest)
        ? { command, tenant: rest.toLowerCase(), language }
        : unknown(language, `${word} needs the name of who should stop reading your account, e.g. ${word} ACME`);
    case 'buy':
    case 'swap': {
      if (!rest) return unknown(language, `${word} needs an amount, e.g. ${word} ${command === 'buy' ? '100' : '50'}`);
      const amount = parseAmount(rest, command, context);
      return 'reason' in amount ? unknown(language, amount.reason) : { command, amount: amount.amount, language };
    }
    case 'send':
    case 'transfer':
      return parseToPhone(rest, command, context);
  }
}

interface Context {
  sender: SmsSender;
  language: Language;
  /** the keyword's first word, for reasons ("BUY needs an amount") */
  word: string;
}

function unknown(language: Language, reason: string): ParsedSms {
  return { command: 'unknown', language, reason };
}

// ---------------------------------------------------------------------------------------------------
// YES <pin>: what is stored and sent to the workflow instead

const PIN = /^\d{4}$/;
const CONFIRM_START = new RegExp(
  `^\\s*(?:${[...SMS_KEYWORDS.confirm.en, ...SMS_KEYWORDS.confirm.sw].join('|')})(?![A-Z])`,
  'i',
);

/**
 * The message as it may be stored and carried: a confirmation (YES 1234) or a message of digits only (a PIN
 * sent on its own by mistake) has every digit replaced by `*`; anything else is returned as it came.
 */
export function redactSms(text: string): string {
  // The NFKC spelling (what the parser reads; the keyword match ignores case): its digits are the PIN's.
  const nfkc = text.normalize('NFKC');
  return CONFIRM_START.test(nfkc) || /^[\d\s]+$/.test(nfkc) ? nfkc.replace(/\d/g, '*') : text;
}

// ---------------------------------------------------------------------------------------------------
// REDEEM <code>

const CODE = /^[A-Z0-9-]{4,32}$/;

function parseRedeem(rest: string, { language, word }: Context): ParsedSms {
  if (!rest) return unknown(language, `${word} needs a code, e.g. ${word} ABCD-1234`);
  if (!CODE.test(rest) || !/[A-Z0-9]/.test(rest)) {
    return unknown(language, 'a code is 4 to 32 letters, digits or dashes, in one word');
  }
  return { command: 'redeem', code: rest, language };
}

// ---------------------------------------------------------------------------------------------------
// SEND / TRANSFER <amount> TO <phone>

/** TO or KWA right before something that starts like a number: finds "$10TO+254..." as well. */
const CONNECTOR_BEFORE_PHONE = /(?:TO|KWA)(?=[\s:,]*[+(\d])/;
/** TO or KWA as a word, followed by whatever was meant as the receiver. */
const CONNECTOR_WORD = /(?:^|\s)(?:TO|KWA)(?:[\s:,]+|$)(.*)$/;

function parseToPhone(rest: string, command: 'send' | 'transfer', context: Context): ParsedSms {
  const { language, word } = context;
  const usage = `write ${word} <amount> ${SMS_CONNECTORS[language]} <phone number>`;
  let amountText: string;
  let phoneText: string;
  const beforePhone = CONNECTOR_BEFORE_PHONE.exec(rest);
  const asWord = beforePhone ? null : CONNECTOR_WORD.exec(rest);
  if (beforePhone) {
    amountText = rest.slice(0, beforePhone.index).trim();
    phoneText = rest.slice(beforePhone.index + beforePhone[0].length).replace(/^[\s:,]+/, '');
  } else if (asWord) {
    amountText = rest.slice(0, asWord.index).trim();
    phoneText = (asWord[1] ?? '').trim();
  } else {
    return unknown(language, usage);
  }
  if (!amountText) return unknown(language, `${word} needs an amount: ${usage}`);
  if (!phoneText) return unknown(language, `${word} needs a phone number: ${usage}`);

  const amount = parseAmount(amountText, command, context);
  if ('reason' in amount) return unknown(language, amount.reason);
  const to = parseReceiver(phoneText, context.sender);
  if ('reason' in to) return unknown(language, to.reason);
  return { command, amount: amount.amount, to: to.phoneNumber, language };
}

/** The receiver in E.164, local forms read in the sender's country. */
function parseReceiver(text: string, sender: SmsSender): { phoneNumber: string } | { reason: string } {
  // Only a number's own characters: the phone library would otherwise drop "please" or a second number.
  if (!/^\+?[\d\s().-]+$/.test(text)) {
    return { reason: `"${text}" is not a valid phone number; use the international format, e.g. +254712345678` };
  }
  try {
    return { phoneNumber: normalizePhone(text, senderCountry(sender)).phoneNumber };
  } catch (e) {
    if (e instanceof PhoneNumberError) return { reason: e.message };
    throw e;
  }
}

function senderCountry(sender: SmsSender): string | undefined {
  const raw = sender.phoneNumber.trim();
  return parsePhoneNumberFromString(/^\d/.test(raw) ? `+${raw}` : raw)?.country;
}

// ---------------------------------------------------------------------------------------------------
// Amounts

type AmountCommand = 'buy' | 'send' | 'transfer' | 'swap';

/** What a bare number means in each command (MONEY.md). */
const BARE_UNIT: Record<AmountCommand, 'local' | 'txtc'> = {
  buy: 'local',
  transfer: 'local',
  send: 'txtc',
  swap: 'txtc',
};

/** A sane ceiling on the whole part of an amount (keeps strings within NUMERIC(78,0) after scaling). */
const MAX_WHOLE_DIGITS = 15;
const USD_DIGITS = 2;

/** Ways people write currencies, as they read once upper-cased. */
const USD_WORDS = new Set(['$', 'US$', 'USD', 'DOLLAR', 'DOLLARS']);
const CURRENCY_ALIASES: Record<string, string> = {
  KSH: 'KES',
  KSHS: 'KES',
  USH: 'UGX',
  USHS: 'UGX',
  'GH₵': 'GHS',
  '₵': 'GHS',
  GHC: 'GHS',
  '₦': 'NGN',
};

/**
 * One token of an amount: a number (digits, commas, one dot), a word (a currency or TXTC; "KSH." takes
 * its dot), a currency symbol, a minus sign, or any other character.
 */
const AMOUNT_TOKEN = /\s*(?:(\d[\d,]*(?:\.\d*)?|\.\d+)|(US\$|GH₵|[A-Z]+)(?:\.(?=\s*\d))?|([$₦₵])|(-)|(\S))/y;

type Unit = { kind: 'usd' } | { kind: 'local'; currency: string } | { kind: 'other'; currency: string };

function parseAmount(
  text: string,
  command: AmountCommand,
  { sender, language, word }: Context,
): { amount: Amount } | { reason: string } {
  const own = sender.currency.toUpperCase();
  const numbers: string[] = [];
  const units: Unit[] = [];
  let txtc = false;
  let negative = false;
  const lexer = new RegExp(AMOUNT_TOKEN.source, 'y');
  while (lexer.lastIndex < text.length) {
    const token = lexer.exec(text);
    if (!token) break; // only trailing spaces were left
    const [, number, word, symbol, minus, other] = token;
    if (number !== undefined) numbers.push(number);
    else if (minus !== undefined && numbers.length === 0) negative = true;
    else if (minus !== undefined || other !== undefined) return { reason: `"${text}" is not an amount` };
    else {
      const name = (word ?? symbol)!;
      if (name === 'TXTC') txtc = true;
      else if (USD_WORDS.has(name)) units.push({ kind: 'usd' });
      else {
        const currency = CURRENCY_ALIASES[name] ?? name;
        if (currency === own) units.push({ kind: 'local', currency });
        else if (/^[A-Z]{3}$/.test(currency)) units.push({ kind: 'other', currency });
        else return { reason: `"${name}" is not part of an amount` };
      }
    }
  }
  if (numbers.length === 0) return { reason: `"${text}" has no amount in it` };
  if (numbers.length > 1) return { reason: `"${text}" is more than one amount` };
  if (negative) return { reason: 'the amount must be more than zero' };

  const money = units[0];
  if (money?.kind === 'other') return { reason: `amounts are in ${own}, USD or TXTC, not ${money.currency}` };
  const otherUnit = units.find((u) => u.kind !== money?.kind);
  if (otherUnit) {
    return otherUnit.kind === 'other'
      ? { reason: `amounts are in ${own}, USD or TXTC, not ${otherUnit.currency}` }
      : { reason: `"${text}" names two currencies` };
  }
  if (command === 'transfer' && txtc) {
    return { reason: `${word} moves airtime; to send TXTC use ${SMS_KEYWORDS.send[language][0]}` };
  }

  // $10 TXTC (SEND, SWAP): the TXTC that 10 USD buys; KES 100 TXTC likewise. The money unit decides.
  const unit = money?.kind ?? (txtc ? 'txtc' : BARE_UNIT[command]);
  const digits = unit === 'usd' ? USD_DIGITS : unit === 'local' ? sender.minorDigits : TXTC_DECIMALS;
  const label = unit === 'usd' ? 'USD' : unit === 'local' ? own : 'TXTC';
  const value = parseNumber(numbers[0]!, digits, label);
  if (typeof value !== 'bigint') return value;
  if (value === 0n) return { reason: 'the amount must be more than zero' };

  const amount: Amount =
    unit === 'usd'
      ? { unit, usdCents: value.toString() }
      : unit === 'local'
        ? { unit, currency: own, amountMinor: value.toString() }
        : { unit, txtcBaseUnits: value.toString() };
  return { amount };
}

/** "1,000.50" -> 100050n with 2 digits; thousands commas checked, ".5" and "10." read as 0.5 and 10. */
function parseNumber(raw: string, digits: number, label: string): bigint | { reason: string } {
  if (raw.includes(',') && !/^\d{1,3}(?:,\d{3})+(?:\.\d*)?$/.test(raw)) {
    return { reason: `"${raw}": commas go only between thousands (1,000), decimals after a dot (10.50)` };
  }
  const [whole = '', fraction = ''] = raw.replace(/,/g, '').split('.');
  if (whole.replace(/^0+/, '').length > MAX_WHOLE_DIGITS) return { reason: `"${raw}" is too large` };
  if (fraction.length > digits) {
    return {
      reason:
        digits === 0
          ? `${label} amounts are whole numbers, not "${raw}"`
          : `"${raw}" has more than ${digits} decimals for ${label}`,
    };
  }
  try {
    return parseDecimal(`${whole || '0'}${fraction ? `.${fraction}` : ''}`, digits);
  } catch (e) {
    if (e instanceof DecimalError) return { reason: e.message };
    throw e;
  }
}
