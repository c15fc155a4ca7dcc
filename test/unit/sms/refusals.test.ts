/**
 * The refusal SMS (a purchase, a transfer or a swap refused before anything moved), rendered for every failure
 * type from the refusals the workflows' own limit checks throw: English says the failure's sentence as it
 * always did; Swahili words the same reason itself, with the same limit, and no English in it.
 */
import { ApplicationFailure } from '@temporalio/common';
import { en, refusalSms, sw, type Refusal, type SmsTexts } from '../../../lib/messages/sms';
import { AmountTooSmallError, quoteWithRates, type OperatorRate } from '../../../lib/money/conversion';
import type { LimitUnit } from '../../../lib/money/format';
import { toWire } from '../../../lib/money/wire';
import { isGsm7, smsParts } from '../../../lib/sms/segments';
import { checkLimits } from '../../../workflows/conversion';
import { checkUsdLimits, refusalOf } from '../../../workflows/shared/steps';

const E18 = 10n ** 18n;
const KES = { operator: 'safaricom-ke', currency: 'KES', minorDigits: 2, minorUnitsPerUsd: 12900n, operatorFeeBps: 0n };
/** The longest figures: shillings without decimals, a six-digit limit in USD. */
const UGX: OperatorRate = { ...KES, operator: 'mtn-ug', currency: 'UGX', minorDigits: 0, minorUnitsPerUsd: 3700n };
const TXTC_RATE = { numerator: 100n * E18, denominator: 1n, source: 'fixed' };
const FEES = { platformFeeBps: 200n, gasFeeTxtc: 0n };
const LIMITS = { minUsdCents: '100', maxUsdCents: '10000', dailyUsdCents: '50000' };
const WIDE = { minUsdCents: '999999', maxUsdCents: '9999999', dailyUsdCents: '9999999' };

/** What a limit check threw, as the SMS gets it. */
function refused(check: () => void): Refusal {
  try {
    check();
  } catch (err) {
    return refusalOf(err);
  }
  throw new Error('not refused');
}

/** A purchase of `minor` airtime with `usedUsd` dollars already moved today, typed in `typed`. */
function purchase(
  rate: OperatorRate,
  minor: bigint,
  typed: 'usd' | 'local' | 'txtc',
  limits = LIMITS,
  usedUsd = 0n,
): Refusal {
  const quote = toWire(quoteWithRates(minor, rate, TXTC_RATE, FEES));
  return refused(() => checkLimits(quote, { ...limits, usedTodayUsdMicros: `${usedUsd * 1_000_000n}` }, typed));
}

/** A transfer or swap worth `usd` dollars with `usedUsd` already moved today, told in `unit`. */
function movement(noun: string, usd: bigint, unit: LimitUnit, limits = LIMITS, usedUsd = 0n): Refusal {
  const wire = { ...limits, usedTodayUsdMicros: `${usedUsd * 1_000_000n}` };
  return refused(() => checkUsdLimits(usd * 1_000_000n, wire, noun, unit));
}

/** A refusal an activity threw (its English sentence as the activity writes it), as the workflow sees it. */
const thrown = (type: string, message: string): Refusal => refusalOf(ApplicationFailure.nonRetryable(message, type));

const txtc: LimitUnit = { unit: 'txtc', txtcPerUsd: 100n * E18 };
const kes: LimitUnit = { unit: 'local', currency: 'KES', minorDigits: 2, minorUnitsPerUsd: 12900n };
const ugx: LimitUnit = { unit: 'local', currency: 'UGX', minorDigits: 0, minorUnitsPerUsd: 3700n };

/** Each limit broken in each unit a person may type, then what the activities refuse. */
function limitRefusals(
  noun: string,
  units: LimitUnit[],
  over: (unit: LimitUnit, usd: bigint, limits?: typeof LIMITS, usedUsd?: bigint) => Refusal,
): Refusal[] {
  return units.flatMap((unit) => [
    over(unit, 0n),
    over(unit, 101n),
    over(unit, 60n, LIMITS, 450n),
    over(unit, 1n, WIDE),
    over(unit, 100_000n, WIDE),
    over(unit, 50_000n, WIDE, 50_000n),
  ]);
}

const TOO_SMALL = thrown('AmountTooSmall', new AmountTooSmallError(1n, 2n).message);

const CASES: { flow: string; texts: (t: SmsTexts, r: Refusal) => string; en: (reason: string) => string }[] = [
  {
    flow: 'purchase',
    texts: (t, r) => refusalSms(t, 'buy', r, 'KES 129.00'),
    en: (reason) => `TXTC purchase failed: ${reason}. Nothing was charged.`,
  },
  {
    flow: 'transfer',
    texts: (t, r) => refusalSms(t, 'transfer', r, 'KES 645.00 ($5.00)'),
    en: (reason) => `Transfer failed: ${reason}. Nothing was sent.`,
  },
  {
    flow: 'swap',
    texts: (t, r) => refusalSms(t, 'swap', r, '100 TXTC'),
    en: (reason) => `Swap failed: ${reason}. Nothing was taken.`,
  },
];

const REFUSALS: Record<string, Refusal[]> = {
  purchase: [
    ...(['usd', 'local', 'txtc'] as const).flatMap((typed) => [
      purchase(KES, 100n, typed),
      purchase(KES, 2_000_000n, typed),
      purchase(KES, 129_000n, typed, LIMITS, 495n),
    ]),
    purchase(UGX, 100n, 'local', WIDE),
    purchase(UGX, 99_999_999_999n, 'local', WIDE),
    purchase(UGX, 37_000_000n, 'local', WIDE, 99_990n),
    TOO_SMALL,
  ],
  transfer: [
    ...limitRefusals('transfer', [{ unit: 'usd' }, kes, ugx, txtc], (unit, usd, limits, used) =>
      movement('transfer', usd, unit, limits, used),
    ),
    thrown('SelfTransfer', 'you cannot send to your own number'),
    thrown('UnsupportedTransfer', 'airtime can be sent only within one currency (KES to UGX); send TXTC instead'),
    TOO_SMALL,
  ],
  swap: [
    ...limitRefusals('swap', [{ unit: 'usd' }, txtc], (unit, usd, limits, used) =>
      movement('swap', usd, unit, limits, used),
    ),
    TOO_SMALL,
    thrown('InvalidRequest', 'a swap names exactly one amount'),
    thrown('InvalidRequest', 'amount must be more than zero'),
  ],
};

/** Words only an English sentence has (none is Swahili, a currency or TXTC). */
const ENGLISH =
  /\b(the|your|is|this|would|pass|daily|limit|smallest|largest|you|cannot|own|number|only|one|currency|instead|amount|too|small|fees|request|failed|nothing|was)\b/i;

/** No sentence of `english` in `swahili`, and no English word. */
function expectNoEnglish(swahili: string, english: string): void {
  for (const sentence of english.split(/(?<=[.:;])\s+/)) expect(swahili).not.toContain(sentence);
  expect({ swahili, english: swahili.match(ENGLISH)?.[0] }).toEqual({ swahili, english: undefined });
}

describe.each(CASES)('a refused $flow', ({ flow, texts, en: english }) => {
  const refusals = REFUSALS[flow]!;

  test('every failure type it can refuse with is covered', () => {
    const types = new Set(refusals.map((r) => r.type));
    const expected = {
      purchase: ['AmountBelowMinimum', 'AmountAboveMaximum', 'DailyLimitExceeded', 'AmountTooSmall'],
      transfer: [
        'AmountBelowMinimum',
        'AmountAboveMaximum',
        'DailyLimitExceeded',
        'SelfTransfer',
        'UnsupportedTransfer',
        'AmountTooSmall',
      ],
      swap: ['AmountBelowMinimum', 'AmountAboveMaximum', 'DailyLimitExceeded', 'AmountTooSmall', 'InvalidRequest'],
    }[flow]!;
    expect([...types].sort()).toEqual([...expected].sort());
  });

  test('English says the failure’s own sentence, as before', () => {
    for (const r of refusals) expect(texts(en, r)).toBe(english(r.message));
  });

  test('Swahili says the same reason in Swahili, with the limit English names', () => {
    for (const r of refusals) {
      const [english, swahili] = [texts(en, r), texts(sw, r)];
      if (r.limit !== undefined) {
        expect(english).toContain(r.limit);
        expect(swahili).toContain(r.limit);
      }
      expectNoEnglish(swahili, english);
    }
  });

  test('each is GSM-7 and fits one SMS, in either language', () => {
    for (const r of refusals) {
      for (const text of [texts(en, r), texts(sw, r)]) {
        expect({ text, gsm7: isGsm7(text), parts: smsParts(text).length }).toEqual({ text, gsm7: true, parts: 1 });
      }
    }
  });
});

test('the limit checks pass the limit they name, formatted as English shows it', () => {
  expect(purchase(KES, 100n, 'local')).toEqual({
    type: 'AmountBelowMinimum',
    message: 'the smallest purchase is KES 129.00 ($1.00)',
    limit: 'KES 129.00 ($1.00)',
  });
  expect(movement('swap', 101n, txtc)).toEqual({
    type: 'AmountAboveMaximum',
    message: 'the largest swap is 10000 TXTC ($100.00)',
    limit: '10000 TXTC ($100.00)',
  });
  expect(movement('transfer', 60n, { unit: 'usd' }, LIMITS, 450n)).toEqual({
    type: 'DailyLimitExceeded',
    message: 'this would pass your daily limit of $500.00',
    limit: '$500.00',
  });
  expect(thrown('SelfTransfer', 'you cannot send to your own number')).toEqual({
    type: 'SelfTransfer',
    message: 'you cannot send to your own number',
  });
});

test('each reason has its own Swahili wording', () => {
  const limit = '$1.00';
  const texts = [
    sw.reason({ type: 'AmountBelowMinimum', message: '', limit }),
    sw.reason({ type: 'AmountAboveMaximum', message: '', limit }),
    sw.reason({ type: 'DailyLimitExceeded', message: '', limit }),
    sw.reason({ type: 'SelfTransfer', message: '' }),
    sw.reason({ type: 'UnsupportedTransfer', message: '' }),
    sw.reason({ type: 'AmountTooSmall', message: '' }),
    sw.reason({ type: 'InvalidRequest', message: '' }),
  ];
  expect(new Set(texts).size).toBe(texts.length);
  expect(texts.slice(0, 3)).toEqual([
    'kiwango cha chini ni $1.00',
    'kiwango cha juu ni $1.00',
    'kiasi hiki kingezidi kikomo chako cha siku cha $1.00',
  ]);
  expect(
    sw.refusals.buy.refused({ type: 'AmountBelowMinimum', message: 'the smallest purchase is $1.00', limit }),
  ).toBe('Ununuzi wa TXTC haukufanikiwa: kiwango cha chini ni $1.00. Hukutozwa chochote.');
});

test('a limit refusal without its figure (as an older history throws it) still says which limit', () => {
  for (const type of ['AmountBelowMinimum', 'AmountAboveMaximum', 'DailyLimitExceeded']) {
    const r = { type, message: 'the smallest purchase is $1.00' };
    expectNoEnglish(sw.refusals.buy.refused(r), en.refusals.buy.refused(r));
    expect(sw.reason(r)).not.toBe(sw.reason({ type: 'InvalidRequest', message: '' }));
  }
});

test('a refusal before the quote names the amount in the person’s language, never "the amount" in Swahili', () => {
  const types = ['HoldRejected', 'HoldExpired', 'InsufficientAirtime', 'InsufficientTxtc'];
  for (const movement of ['buy', 'transfer', 'swap'] as const) {
    for (const type of types) {
      const r = { type, message: 'refused' };
      const english = refusalSms(en, movement, r, undefined);
      const swahili = refusalSms(sw, movement, r, undefined);
      if (english.includes('the amount')) expect(swahili).toContain('kiasi hicho');
      expect(swahili).not.toMatch(/the amount/i);
      expectNoEnglish(swahili, english);
    }
  }
  expect(refusalSms(en, 'buy', { type: 'HoldRejected', message: '' }, undefined)).toBe(
    'Your request of the amount was not approved. Nothing was taken.',
  );
});
