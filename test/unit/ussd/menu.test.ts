import { isResumable, render, resume, SECRET_PROMPTS, startSession, step, type MenuNode } from '../../../lib/ussd/menu';
import { en, sw } from '../../../lib/ussd/messages';
import type { EffectResult, MenuState, Profile, SecretOutcome, MenuStep } from '../../../lib/ussd/types';

const KES: Profile = {
  phoneNumber: '+254712345678',
  operator: 'safaricom-ke',
  currency: 'KES',
  minorDigits: 2,
  language: 'en',
  registered: true,
  pinResetRequired: false,
  pinLocked: false,
  minAirtimeMinor: '12900', // KES 129.00 = 1 USD
  maxAirtimeMinor: '1290000', // KES 12,900.00 = 100 USD
  shortcode: '*123*456#',
};

const UGX: Profile = {
  ...KES,
  phoneNumber: '+256772123456',
  operator: 'mtn-ug',
  currency: 'UGX',
  minorDigits: 0,
  language: 'sw',
  minAirtimeMinor: '3700',
  maxAirtimeMinor: '370000',
};

const NGN: Profile = {
  ...KES,
  phoneNumber: '+2348031234567',
  operator: 'mtn-ng',
  currency: 'NGN',
  minAirtimeMinor: '160000', // NGN 1,600.00
  maxAirtimeMinor: '16000000', // NGN 160,000.00
};

const PROFILES = { KES, UGX, NGN };

const FIRST_DIAL: Profile = { ...KES, language: undefined, registered: false };

const QUOTE_BUY: EffectResult = {
  type: 'quote',
  ok: true,
  lines: { airtime: 'KES 1,290.00', txtc: '980', fee: '20' },
};

const pin = (result: 'ok' | 'locked'): SecretOutcome => ({ kind: 'pin', result });
const wrongPin = (attemptsLeft: number): SecretOutcome => ({ kind: 'pin', result: 'wrong', attemptsLeft });
const newPin = (result: 'accepted' | 'invalid'): SecretOutcome => ({ kind: 'new-pin', result });
const confirmPin = (result: 'match' | 'mismatch'): SecretOutcome => ({ kind: 'confirm-pin', result });

/** What every MenuStep must be, whatever the flow: checked on every hop the tests make. */
function checked(s: MenuStep, profile: Profile): MenuStep {
  expect(!!s.screen !== !!s.effect).toBe(true);
  // JSON-safe state with strings only in data (it lives in workflow history)
  expect(JSON.parse(JSON.stringify(s.state))).toEqual(s.state);
  for (const value of Object.values(s.state.data)) expect(typeof value).toBe('string');
  if (s.screen) {
    expect(Buffer.byteLength(`${s.screen.kind} ${s.screen.text}`, 'utf8')).toBeLessThanOrEqual(160);
    expect(render(s.state, profile)).toEqual(s.screen);
    expect(s.expect).toBe(SECRET_PROMPTS[s.state.node as MenuNode]);
  } else {
    expect(s.expect).toBeUndefined();
  }
  return s;
}

/** One USSD session as the workflow drives it: a hop's input, or the answer to the effect asked for. */
class Session {
  last: MenuStep;
  constructor(
    readonly profile: Profile,
    resumable?: MenuState,
  ) {
    this.last = checked(startSession(profile, resumable), profile);
  }
  type(text: string): this {
    expect(this.last.effect).toBeUndefined();
    this.last = checked(step(this.last.state, { text }, this.profile), this.profile);
    return this;
  }
  secret(outcome: SecretOutcome): this {
    expect(this.last.expect).toBe(outcome.kind);
    this.last = checked(step(this.last.state, { secret: outcome }, this.profile), this.profile);
    return this;
  }
  answer(result: EffectResult): this {
    expect(this.last.effect).toBeDefined();
    this.last = checked(resume(this.last.state, result, this.profile), this.profile);
    return this;
  }
  get node(): string {
    return this.last.state.node;
  }
  get kind(): 'CON' | 'END' | undefined {
    return this.last.screen?.kind;
  }
  get text(): string {
    return this.last.screen?.text ?? '';
  }
  get effect() {
    return this.last.effect;
  }
}

const registered = (profile: Profile = KES) => new Session(profile);

describe('registration on the first dial', () => {
  test('a first dial asks for the language, in both languages', () => {
    const s = new Session(FIRST_DIAL);
    expect(s.node).toBe('lang');
    expect(s.text).toBe('Choose language / Chagua lugha\n1 English\n2 Kiswahili');
    expect(s.last.expect).toBeUndefined();
  });

  test('choosing Kiswahili sets the state language and shows the terms in Swahili', () => {
    const s = new Session(FIRST_DIAL).type('2');
    expect(s.last.state.language).toBe('sw');
    expect(s.node).toBe('terms');
    expect(s.text).toContain('Unakubali masharti ya TXTC?');
    expect(s.text).toContain('1 Ndiyo\n2 Hapana');
  });

  test('refusing the terms ends politely, saying they must accept and can dial again', () => {
    const s = new Session(FIRST_DIAL).type('1').type('2');
    expect(s.kind).toBe('END');
    expect(s.text).toBe('You must accept the terms to use TXTC. Dial *123*456# again any time.');
    expect(isResumable(s.last.state)).toBe(false);
  });

  test('accepting the terms asks for a new PIN, then to confirm it; matching PINs complete the registration', () => {
    const s = new Session(FIRST_DIAL).type('2').type('1');
    expect(s.node).toBe('reg-pin');
    expect(s.last.expect).toBe('new-pin');
    expect(s.text).toContain('Weka PIN ya tarakimu 4');
    s.secret(newPin('accepted'));
    expect(s.node).toBe('reg-confirm');
    expect(s.last.expect).toBe('confirm-pin');
    s.secret(confirmPin('match'));
    expect(s.effect).toEqual({ type: 'completeRegistration', language: 'sw' });
    s.answer({ type: 'saved' });
    expect(s.node).toBe('menu');
    expect(s.text).toBe(`${sw.notes.welcome}\n${sw.mainMenu}`);
    expect(s.last.state.language).toBe('sw');
  });

  test('a PIN that is not 4 digits is asked for again', () => {
    const s = new Session(FIRST_DIAL).type('1').type('1').secret(newPin('invalid'));
    expect(s.node).toBe('reg-pin');
    expect(s.last.expect).toBe('new-pin');
    expect(s.text.split('\n')[0]).toBe('PIN must be 4 digits.');
  });

  test('PINs that do not match go back to a new PIN, saying so, and create nothing', () => {
    const s = new Session(FIRST_DIAL).type('1').type('1').secret(newPin('accepted')).secret(confirmPin('mismatch'));
    expect(s.node).toBe('reg-pin');
    expect(s.last.expect).toBe('new-pin');
    expect(s.effect).toBeUndefined();
    expect(s.text.split('\n')[0]).toBe('PINs did not match.');
    s.secret(newPin('accepted')).secret(confirmPin('match'));
    expect(s.effect).toEqual({ type: 'completeRegistration', language: 'en' });
  });

  test('0 goes back one screen and 00 restarts registration', () => {
    const s = new Session(FIRST_DIAL).type('1').type('1').secret(newPin('accepted'));
    s.type('0');
    expect(s.node).toBe('reg-pin');
    s.type('0');
    expect(s.node).toBe('terms');
    s.type('1').type('00');
    expect(s.node).toBe('lang');
    s.type('0');
    expect(s.node).toBe('lang');
  });

  test('invalid input during registration re-prompts the same screen', () => {
    const s = new Session(FIRST_DIAL).type('3');
    expect(s.node).toBe('lang');
    expect(s.text.split('\n')[0]).toBe('Invalid choice.');
    s.type('1').type('yes');
    expect(s.node).toBe('terms');
    expect(s.text.split('\n')[0]).toBe('Invalid choice.');
  });

  test('a number that chose a language but never registered starts at the terms, in that language', () => {
    const s = new Session({ ...KES, language: 'sw', registered: false });
    expect(s.node).toBe('terms');
    expect(s.text).toContain('Unakubali');
    s.type('1').type('00');
    expect(s.node).toBe('terms');
  });
});

describe('the start of a session', () => {
  test('a registered person gets the main menu in their language', () => {
    expect(registered(KES).text).toBe(en.mainMenu);
    expect(registered(UGX).text).toBe(sw.mainMenu);
    expect(en.mainMenu).toBe(
      '1 Buy TXTC\n2 Transfer airtime\n3 Check balance\n4 Transaction history\n5 Send TXTC\n6 My account',
    );
  });

  test('a PIN reset by ops asks for a new PIN before anything else', () => {
    const s = new Session({ ...KES, pinResetRequired: true });
    expect(s.node).toBe('reset-pin');
    expect(s.last.expect).toBe('new-pin');
    s.type('00');
    expect(s.node).toBe('reset-pin');
    s.type('0');
    expect(s.node).toBe('reset-pin');
    s.secret(newPin('accepted'));
    expect(s.node).toBe('reset-confirm');
    s.secret(confirmPin('mismatch'));
    expect(s.node).toBe('reset-pin');
    s.secret(newPin('accepted')).secret(confirmPin('match'));
    expect(s.node).toBe('menu');
    expect(s.text).toBe(`New PIN set.\n${en.mainMenu}`);
  });

  test('registration comes before a PIN reset', () => {
    expect(new Session({ ...FIRST_DIAL, pinResetRequired: true }).node).toBe('lang');
  });
});

describe('the main menu', () => {
  test.each([
    ['1', 'buy-amount', undefined],
    ['2', 'transfer-phone', undefined],
    ['3', 'menu', { type: 'balance' }],
    ['4', 'menu', { type: 'history', page: 0, language: 'en' }],
    ['5', 'send-phone', undefined],
    ['6', 'account', undefined],
  ])('%s leads to %s', (choice, node, effect) => {
    const s = registered().type(choice);
    expect(s.node).toBe(node);
    expect(s.effect).toEqual(effect);
  });

  test.each(['7', '', 'abc', '98', '1 '])('"%s" re-prompts the menu with a short reason', (input) => {
    const s = registered().type(input);
    if (input === '1 ') {
      expect(s.node).toBe('buy-amount'); // typed text is trimmed
      return;
    }
    expect(s.node).toBe('menu');
    expect(s.text).toBe(`Invalid choice.\n${en.mainMenu}`);
  });

  test('0 and 00 on the main menu show it again', () => {
    expect(registered().type('0').text).toBe(en.mainMenu);
    expect(registered().type('00').text).toBe(en.mainMenu);
  });

  test('a secret outcome where no secret was asked is an invalid choice', () => {
    const s = registered();
    s.last = checked(step(s.last.state, { secret: pin('ok') }, KES), KES);
    expect(s.text).toBe(`Invalid choice.\n${en.mainMenu}`);
  });

  test.each([['1'], ['2'], ['5']])('with money movement locked, %s ends saying so', (choice) => {
    const s = registered({ ...KES, pinLocked: true }).type(choice);
    expect(s.kind).toBe('END');
    expect(s.text).toBe(en.locked);
  });

  test('with money movement locked, balance and history still work', () => {
    expect(registered({ ...KES, pinLocked: true }).type('3').effect).toEqual({ type: 'balance' });
    expect(registered({ ...KES, pinLocked: true }).type('4').effect).toEqual({
      type: 'history',
      page: 0,
      language: 'en',
    });
  });
});

describe('1 Buy TXTC', () => {
  test.each([
    ['KES', 'Buy TXTC\nEnter amount in KES (129.00-12,900.00)\n0 Back'],
    ['UGX', 'Nunua TXTC\nWeka kiasi kwa UGX (3,700-370,000)\n0 Rudi'],
    ['NGN', 'Buy TXTC\nEnter amount in NGN (1,600.00-160,000.00)\n0 Back'],
  ] as const)('%s: the amount prompt shows the range in the person’s currency', (currency, text) => {
    expect(registered(PROFILES[currency]).type('1').text).toBe(text);
  });

  test.each([
    ['KES', '1290', '129000'],
    ['KES', '129', '12900'],
    ['KES', '12900', '1290000'],
    ['KES', '1290.5', '129050'],
    ['KES', '500.25', '50025'],
    ['UGX', '3700', '3700'],
    ['UGX', '370000', '370000'],
    ['NGN', '160000.00', '16000000'],
  ] as const)('%s: "%s" asks for a quote of %s minor units', (currency, typed, minor) => {
    const s = registered(PROFILES[currency]).type('1').type(typed);
    expect(s.effect).toEqual({ type: 'quoteBuy', amountMinor: minor });
  });

  test.each([
    ['KES', 'abc', 'Not a valid amount.'],
    ['KES', '12,000', 'Not a valid amount.'],
    ['KES', '-500', 'Not a valid amount.'],
    ['KES', '1e3', 'Not a valid amount.'],
    ['KES', '.5', 'Not a valid amount.'],
    ['KES', '500.123', 'Use at most 2 decimals.'],
    ['KES', '128.99', 'Amount too low.'],
    ['KES', '000', 'Amount too low.'],
    ['KES', '12900.01', 'Amount too high.'],
    ['KES', '99999999999999999999999', 'Amount too high.'],
    ['UGX', '3700.5', 'Tumia namba kamili.'],
    ['UGX', '3699', 'Kiasi ni kidogo mno.'],
    ['UGX', '370001', 'Kiasi ni kikubwa mno.'],
    ['UGX', 'elfu', 'Kiasi si sahihi.'],
  ] as const)('%s: "%s" re-prompts the amount: %s', (currency, typed, reason) => {
    const s = registered(PROFILES[currency]).type('1').type(typed);
    expect(s.effect).toBeUndefined();
    expect(s.node).toBe('buy-amount');
    expect(s.text.split('\n')[0]).toBe(reason);
    expect(s.text).toContain(currency);
  });

  test('a refused quote shows its reason and asks for the amount again', () => {
    const s = registered().type('1').type('5000').answer({ type: 'quote', ok: false, reason: 'Max $100.00' });
    expect(s.node).toBe('buy-amount');
    expect(s.text).toBe('Max $100.00\nBuy TXTC\nEnter amount in KES (129.00-12,900.00)\n0 Back');
    s.type('1290');
    expect(s.effect).toEqual({ type: 'quoteBuy', amountMinor: '129000' });
  });

  test('a limit refusal is worded in the person’s language', () => {
    const refusal = { type: 'quote', ok: false, reason: 'Min $1.00', code: 'below', value: '$1.00' } as const;
    expect(registered().type('1').type('129').answer(refusal).text.split('\n')[0]).toBe('Minimum $1.00.');
    expect(registered(UGX).type('1').type('3700').answer(refusal).text.split('\n')[0]).toBe('Kiwango cha chini $1.00.');
    const tooSmall = { type: 'quote', ok: false, reason: 'Amount too small', code: 'tooSmall' } as const;
    expect(registered(UGX).type('1').type('3700').answer(tooSmall).text.split('\n')[0]).toBe('Kiasi ni kidogo mno.');
  });

  test('a quote’s long reason is cut to fit the screen', () => {
    const s = registered()
      .type('1')
      .type('5000')
      .answer({ type: 'quote', ok: false, reason: 'x'.repeat(300) });
    expect(s.text.split('\n')[0]).toBe('x'.repeat(40));
  });

  test('the confirm screen shows airtime debited, TXTC received and the fee; a right PIN starts the purchase', () => {
    const s = registered().type('1').type('1290').answer(QUOTE_BUY);
    expect(s.node).toBe('buy-confirm');
    expect(s.last.expect).toBe('pin');
    expect(s.text).toBe('Pay KES 1,290.00 airtime\nGet 980 TXTC\nFee 20 TXTC\nEnter PIN to confirm\n0 Back');
    s.secret(pin('ok'));
    expect(s.effect).toEqual({ type: 'startBuy', amountMinor: '129000' });
    s.answer({ type: 'started', id: 'conversion:ussd:s1:3' });
    expect(s.kind).toBe('END');
    expect(s.text).toBe('Request received. You will get an SMS.');
  });

  test('a wrong PIN re-prompts with the attempts left; then a right one still starts the purchase', () => {
    const s = registered().type('1').type('1290').answer(QUOTE_BUY).secret(wrongPin(2));
    expect(s.node).toBe('buy-confirm');
    expect(s.last.expect).toBe('pin');
    expect(s.text).toBe(
      'Wrong PIN. 2 tries left.\nPay KES 1,290.00 airtime\nGet 980 TXTC\nFee 20 TXTC\nEnter PIN to confirm\n0 Back',
    );
    s.secret(wrongPin(1));
    expect(s.text.split('\n')[0]).toBe('Wrong PIN. 1 try left.');
    s.secret(pin('ok'));
    expect(s.effect).toEqual({ type: 'startBuy', amountMinor: '129000' });
  });

  test('too many wrong PINs end the session: money movement is locked, contact support', () => {
    const s = registered().type('1').type('1290').answer(QUOTE_BUY).secret(pin('locked'));
    expect(s.kind).toBe('END');
    expect(s.text).toBe('Too many wrong PINs: buying and sending are locked. Please contact support.');
    expect(s.last.expect).toBeUndefined();
  });

  test('0 at the PIN prompt goes back to the amount; 00 goes home', () => {
    const s = registered().type('1').type('1290').answer(QUOTE_BUY).type('0');
    expect(s.node).toBe('buy-amount');
    expect(s.last.expect).toBeUndefined();
    expect(s.last.state.data).toEqual({});
    s.type('1290').answer(QUOTE_BUY).type('00');
    expect(s.node).toBe('menu');
    expect(s.last.state.data).toEqual({});
  });

  test('other text at the PIN prompt is refused and the prompt still expects a PIN', () => {
    const s = registered().type('1').type('1290').answer(QUOTE_BUY).type('9');
    expect(s.node).toBe('buy-confirm');
    expect(s.last.expect).toBe('pin');
    expect(s.text.split('\n')[0]).toBe('Invalid choice.');
  });

  test('a secret of another kind at the PIN prompt is refused', () => {
    const s = registered().type('1').type('1290').answer(QUOTE_BUY);
    s.last = checked(step(s.last.state, { secret: newPin('accepted') }, KES), KES);
    expect(s.node).toBe('buy-confirm');
    expect(s.text.split('\n')[0]).toBe('Invalid choice.');
  });

  test('0 at the amount goes back to the menu', () => {
    expect(registered().type('1').type('0').node).toBe('menu');
  });
});

describe('2 Transfer airtime', () => {
  test.each([
    ['0798765432', '+254798765432'],
    ['798765432', '+254798765432'],
    ['254798765432', '+254798765432'],
    ['+254798765432', '+254798765432'],
    ['0733 123 456', '+254733123456'],
  ])('"%s" is read in the sender’s country as %s', (typed, e164) => {
    const s = registered().type('2').type(typed);
    expect(s.node).toBe('transfer-amount');
    expect(s.last.state.data.toPhone).toBe(e164);
    expect(s.text).toBe(`Airtime to ${e164}\nEnter amount in KES (129.00-12,900.00)\n0 Back`);
  });

  test('a Ugandan sender’s local number is read as Ugandan', () => {
    const s = registered(UGX).type('2').type('0701234567');
    expect(s.last.state.data.toPhone).toBe('+256701234567');
  });

  test.each([
    ['12345', 'Invalid phone number.'],
    ['hello', 'Invalid phone number.'],
    ['+14155550100', 'Country not supported.'],
    ['+447911123456', 'Country not supported.'],
    ['0712345678', 'That is your own number.'],
    ['+254712345678', 'That is your own number.'],
    ['+254201234567', 'Network not supported.'],
    ['+256772123456', 'Airtime goes only to numbers in your country. Use Send TXTC.'],
  ])('"%s" re-prompts the number: %s', (typed, reason) => {
    const s = registered().type('2').type(typed);
    expect(s.node).toBe('transfer-phone');
    expect(s.text).toBe(`${reason}\nTransfer airtime\nEnter phone number:\n0 Back`);
  });

  test('amount, quote, confirm with the receiver, PIN, start, END', () => {
    const s = registered().type('2').type('0798765432').type('500');
    expect(s.effect).toEqual({
      type: 'quoteTransfer',
      kind: 'airtime',
      toPhone: '+254798765432',
      amountMinor: '50000',
    });
    s.answer({ type: 'quote', ok: true, lines: { airtime: 'KES 500.00', toPhone: '+254798765432' } });
    expect(s.node).toBe('transfer-confirm');
    expect(s.last.expect).toBe('pin');
    expect(s.text).toBe('Send KES 500.00 airtime to +254798765432\nEnter PIN to confirm\n0 Back');
    s.secret(pin('ok'));
    expect(s.effect).toEqual({
      type: 'startTransfer',
      kind: 'airtime',
      toPhone: '+254798765432',
      amountMinor: '50000',
    });
    s.answer({ type: 'started', id: 'transfer:ussd:s1:4' });
    expect(s.kind).toBe('END');
    expect(s.text).toBe(en.requested);
  });

  test('amounts are validated as for a purchase; a refused quote keeps the receiver', () => {
    const s = registered().type('2').type('0798765432').type('1.234');
    expect(s.text.split('\n')[0]).toBe('Use at most 2 decimals.');
    s.type('500').answer({ type: 'quote', ok: false, reason: 'Min $1.00' });
    expect(s.node).toBe('transfer-amount');
    expect(s.text).toBe('Min $1.00\nAirtime to +254798765432\nEnter amount in KES (129.00-12,900.00)\n0 Back');
  });

  test('0 walks back: confirm -> amount (same receiver) -> number -> menu', () => {
    const s = registered().type('2').type('0798765432').type('500');
    s.answer({ type: 'quote', ok: true, lines: { airtime: 'KES 500.00' } });
    s.type('0');
    expect(s.node).toBe('transfer-amount');
    expect(s.last.state.data).toEqual({ toPhone: '+254798765432' });
    s.type('0');
    expect(s.node).toBe('transfer-phone');
    s.type('0');
    expect(s.node).toBe('menu');
  });

  test('wrong PIN and locked, as for a purchase', () => {
    const confirm = () =>
      registered()
        .type('2')
        .type('0798765432')
        .type('500')
        .answer({ type: 'quote', ok: true, lines: { airtime: 'KES 500.00' } });
    expect(confirm().secret(wrongPin(2)).text.split('\n')[0]).toBe('Wrong PIN. 2 tries left.');
    expect(confirm().secret(pin('locked')).text).toBe(en.locked);
  });
});

describe('5 Send TXTC', () => {
  test('a number in another country is fine: TXTC crosses currencies', () => {
    const s = registered().type('5').type('+256772123456');
    expect(s.node).toBe('send-amount');
    expect(s.text).toBe('TXTC to +256772123456\nEnter value in KES (129.00-12,900.00)\n0 Back');
  });

  test('own number and bad numbers are refused', () => {
    expect(registered().type('5').type('0712345678').text.split('\n')[0]).toBe('That is your own number.');
    expect(registered().type('5').type('+14155550100').text.split('\n')[0]).toBe('Country not supported.');
  });

  test('amount in the person’s currency, hybrid quote, confirm with TXTC and airtime value, PIN, start', () => {
    const s = registered().type('5').type('0733123456').type('1290');
    expect(s.effect).toEqual({
      type: 'quoteTransfer',
      kind: 'hybrid',
      toPhone: '+254733123456',
      amountMinor: '129000',
    });
    s.answer({ type: 'quote', ok: true, lines: { airtime: 'KES 1,290.00', txtc: '980', toPhone: '+254733123456' } });
    expect(s.node).toBe('send-confirm');
    expect(s.text).toBe(
      'Send 980 TXTC (KES 1,290.00) to +254733123456\nAirtime covers TXTC you lack\nEnter PIN to confirm\n0 Back',
    );
    s.secret(pin('ok'));
    expect(s.effect).toEqual({
      type: 'startTransfer',
      kind: 'hybrid',
      toPhone: '+254733123456',
      amountMinor: '129000',
    });
    s.answer({ type: 'started', id: 'transfer:ussd:s1:4' });
    expect(s.text).toBe(en.requested);
  });

  test('the TXTC the confirm screen promised travels with startTransfer, also after a resume', () => {
    const lines = { airtime: 'KES 1,290.00', txtc: '980', txtcBaseUnits: '980000000000000000000' };
    const s = registered().type('5').type('0733123456').type('1290').answer({ type: 'quote', ok: true, lines });
    expect(s.last.state.data.quoteTxtcBaseUnits).toBe('980000000000000000000');
    expect(s.text).not.toContain('980000000000000000000');
    const again = new Session(KES, s.last.state).type('1').secret(pin('ok'));
    expect(again.effect).toMatchObject({ type: 'startTransfer', kind: 'hybrid', amountMinor: '129000' });
    expect(again.last.state.data.quoteTxtcBaseUnits).toBe('980000000000000000000');
  });

  test('in Swahili with whole shillings', () => {
    const s = registered(UGX).type('5').type('0701234567').type('37000');
    expect(s.effect).toMatchObject({ kind: 'hybrid', amountMinor: '37000' });
    s.answer({ type: 'quote', ok: true, lines: { airtime: 'UGX 37,000', txtc: '980' } });
    expect(s.text).toBe(
      'Tuma TXTC 980 (UGX 37,000) kwa +256701234567\nMuda wa maongezi utalipia upungufu\nWeka PIN uthibitishe\n0 Rudi',
    );
  });
});

describe('3 Check balance', () => {
  test('shows airtime and TXTC with back and home', () => {
    const s = registered().type('3').answer({ type: 'balance', airtime: 'KES 5,000.00', txtc: '980' });
    expect(s.node).toBe('balance');
    expect(s.text).toBe('Airtime: KES 5,000.00\nTXTC: 980\n0 Back 00 Home');
    expect(s.type('1').text.split('\n')[0]).toBe('Invalid choice.');
    expect(s.type('0').node).toBe('menu');
  });

  test('00 goes home', () => {
    const s = registered(UGX).type('3').answer({ type: 'balance', airtime: 'UGX 200,000', txtc: '0' });
    expect(s.text).toBe('Muda wa maongezi: UGX 200,000\nTXTC: 0\n0 Rudi 00 Mwanzo');
    expect(s.type('00').node).toBe('menu');
  });
});

describe('4 Transaction history', () => {
  const page = (n: number) => Array.from({ length: 5 }, (_, i) => `-KES ${n}${i}.00 airtime`);

  test('5 lines a page, 98 for more, 0 back a page, then the menu', () => {
    const s = registered()
      .type('4')
      .answer({ type: 'history', lines: page(0), more: true });
    expect(s.node).toBe('history');
    expect(s.text).toBe(`${page(0).join('\n')}\n98 More\n0 Back`);
    s.type('98');
    expect(s.effect).toEqual({ type: 'history', page: 1, language: 'en' });
    s.answer({ type: 'history', lines: page(1).slice(0, 2), more: false });
    expect(s.text).toBe(`${page(1).slice(0, 2).join('\n')}\n0 Back`);
    s.type('98');
    expect(s.text.split('\n')[0]).toBe('Invalid choice.');
    s.type('0');
    expect(s.effect).toEqual({ type: 'history', page: 0, language: 'en' });
    s.answer({ type: 'history', lines: page(0), more: true });
    expect(s.last.state.data.page).toBe('0');
    s.type('0');
    expect(s.node).toBe('menu');
  });

  test('no movements yet', () => {
    const s = registered(UGX).type('4').answer({ type: 'history', lines: [], more: false });
    expect(s.text).toBe('Hakuna miamala bado.\n0 Rudi');
  });

  test('00 goes home from any page', () => {
    const s = registered()
      .type('4')
      .answer({ type: 'history', lines: page(0), more: true })
      .type('98');
    s.answer({ type: 'history', lines: page(1), more: true }).type('00');
    expect(s.node).toBe('menu');
  });
});

describe('6 My account', () => {
  test('1 shows the wallet address, or that there is none yet', () => {
    const address = '0x71907c2e8a1b4c5d6e7f8091a2b3c4d5e6f7c0ff';
    const s = registered().type('6').type('1');
    expect(s.effect).toEqual({ type: 'walletAddress' });
    s.answer({ type: 'walletAddress', address });
    expect(s.text).toBe(`Your TXTC wallet:\n${address}\n0 Back 00 Home`);
    expect(s.type('0').node).toBe('account');
    const none = registered().type('6').type('1').answer({ type: 'walletAddress', address: null });
    expect(none.text).toBe('No wallet yet. Buy TXTC to get one.\n0 Back 00 Home');
  });

  test('2 switches the language: saved, then every screen in Swahili', () => {
    const s = registered().type('6').type('2');
    expect(s.text).toBe('Language\n1 English\n2 Kiswahili\n0 Back');
    s.type('2');
    expect(s.effect).toEqual({ type: 'saveLanguage', language: 'sw' });
    s.answer({ type: 'saved' });
    expect(s.node).toBe('menu');
    expect(s.text).toBe(sw.mainMenu);
    s.type('1');
    expect(s.text).toBe('Nunua TXTC\nWeka kiasi kwa KES (129.00-12,900.00)\n0 Rudi');
    s.type('x');
    expect(s.text.split('\n')[0]).toBe('Kiasi si sahihi.');
    s.type('00').type('6').type('2').type('1').answer({ type: 'saved' });
    expect(s.text).toBe(en.mainMenu);
  });

  test('3 changes the PIN: current PIN, new PIN, confirm, "PIN changed" and the menu', () => {
    const s = registered().type('6').type('3');
    expect(s.node).toBe('pin-current');
    expect(s.last.expect).toBe('pin');
    s.secret(pin('ok'));
    expect(s.node).toBe('pin-new');
    expect(s.last.expect).toBe('new-pin');
    s.secret(newPin('invalid'));
    expect(s.text).toBe('PIN must be 4 digits.\nEnter a new 4-digit PIN:\n0 Back');
    s.secret(newPin('accepted'));
    expect(s.node).toBe('pin-confirm');
    expect(s.last.expect).toBe('confirm-pin');
    s.secret(confirmPin('mismatch'));
    expect(s.node).toBe('pin-new');
    expect(s.text.split('\n')[0]).toBe('PINs did not match.');
    s.secret(newPin('accepted')).secret(confirmPin('match'));
    expect(s.effect).toBeUndefined();
    expect(s.node).toBe('menu');
    expect(s.text).toBe(`PIN changed.\n${en.mainMenu}`);
  });

  test('a wrong current PIN shows the attempts left; locked ends', () => {
    const s = registered().type('6').type('3').secret(wrongPin(1));
    expect(s.text).toBe('Wrong PIN. 1 try left.\nEnter your current PIN:\n0 Back');
    s.secret(pin('locked'));
    expect(s.kind).toBe('END');
    expect(s.text).toBe(en.locked);
  });

  test('0 walks back through the change of PIN; 00 goes home', () => {
    const s = registered().type('6').type('3').secret(pin('ok')).secret(newPin('accepted'));
    s.type('0');
    expect(s.node).toBe('pin-new');
    s.type('0');
    expect(s.node).toBe('pin-current');
    s.type('0');
    expect(s.node).toBe('account');
    s.type('3').type('00');
    expect(s.node).toBe('menu');
  });

  test('with money movement locked, changing the PIN ends saying so', () => {
    expect(
      registered({ ...KES, pinLocked: true })
        .type('6')
        .type('3').text,
    ).toBe(en.locked);
  });

  test('invalid choices and 0', () => {
    const s = registered().type('6').type('5');
    expect(s.text).toBe(`Invalid choice.\n${en.account}\n0 Back`);
    expect(s.type('0').node).toBe('menu');
    expect(registered().type('6').type('2').type('3').text.split('\n')[0]).toBe('Invalid choice.');
    expect(registered().type('6').type('2').type('0').node).toBe('account');
  });
});

describe('a request waiting for the payer, offered first (issue 23)', () => {
  const consent = {
    workflowId: 'transfer:api:acme~order-0001',
    action: 'send KES 645.00 to +2547..98 (asked by acme)',
  };
  const asked = (profile: Profile = { ...KES, consent }, resumable?: MenuState) => new Session(profile, resumable);

  test('the dial shows what is asked, before a dropped session and before the menu', () => {
    const dropped = registered().type('2').type('0733123456').last.state;
    const s = asked({ ...KES, consent }, dropped);
    expect(s.node).toBe('consent');
    expect(s.text).toBe(`Approve this request?\n${consent.action}\n1 Approve\n2 Refuse`);
    expect(asked({ ...UGX, consent }).text).toBe(`Idhinisha ombi hili?\n${consent.action}\n1 Idhinisha\n2 Kataa`);
  });

  test('approving takes the PIN first; only the right PIN answers the request', () => {
    const s = asked().type('1');
    expect(s.text).toBe('Enter your PIN to approve:\n0 Back');
    s.secret(wrongPin(2));
    expect(s.effect).toBeUndefined();
    expect(s.text).toBe('Wrong PIN. 2 tries left.\nEnter your PIN to approve:\n0 Back');
    s.secret(pin('ok'));
    expect(s.effect).toEqual({ type: 'answerConsent', workflowId: consent.workflowId, answer: 'approve' });
    s.answer({ type: 'answered', delivered: true });
    expect([s.kind, s.text]).toEqual(['END', en.consentApproved]);
  });

  test('refusing needs no PIN; a lock at the PIN tells the request too', () => {
    const refused = asked().type('2');
    expect(refused.effect).toEqual({ type: 'answerConsent', workflowId: consent.workflowId, answer: 'refuse' });
    expect(refused.answer({ type: 'answered', delivered: true }).text).toBe(en.consentRefused);
    const locked = asked().type('1').secret(pin('locked'));
    expect(locked.effect).toEqual({ type: 'answerConsent', workflowId: consent.workflowId, answer: 'locked' });
    expect(locked.answer({ type: 'answered', delivered: true }).text).toBe(en.locked);
  });

  test('a request that stopped waiting is said so; 0 leaves it waiting and shows the menu', () => {
    const gone = asked().type('1').secret(pin('ok')).answer({ type: 'answered', delivered: false });
    expect([gone.kind, gone.text]).toEqual(['END', en.consentGone]);
    const skipped = asked().type('0');
    expect(skipped.node).toBe('menu');
    expect(skipped.effect).toBeUndefined();
    expect(asked().type('1').type('0').node).toBe('consent');
    expect(asked().type('3').text.split('\n')[0]).toBe('Invalid choice.');
  });

  test('not offered to someone who cannot answer with a PIN', () => {
    expect(asked({ ...KES, consent, pinLocked: true }).node).toBe('menu');
    expect(asked({ ...KES, consent, pinResetRequired: true }).node).toBe('reset-pin');
    expect(asked({ ...FIRST_DIAL, consent }).node).toBe('lang');
  });
});

describe('My account: partners that read the balance (issue 23)', () => {
  test('lists them and stops the one chosen', () => {
    const s = registered().type('6').type('4');
    expect(s.effect).toEqual({ type: 'tenants' });
    s.answer({ type: 'tenants', tenants: ['acme', 'beta-pay'] });
    expect(s.text).toBe('Who sees your balance:\n1 acme\n2 beta-pay\nChoose one to stop it\n0 Back');
    expect(s.type('3').text.split('\n')[0]).toBe('Invalid choice.');
    s.type('2');
    expect(s.effect).toEqual({ type: 'revokeTenant', tenant: 'beta-pay' });
    s.answer({ type: 'saved' });
    expect(s.node).toBe('account');
    expect(s.text.split('\n')[0]).toBe('Partner stopped.');
  });

  test('none is said so; 0 goes back to My account', () => {
    const s = registered().type('6').type('4').answer({ type: 'tenants', tenants: [] });
    expect(s.text).toBe(`${en.noPartners}\n0 Back`);
    expect(s.type('0').node).toBe('account');
  });
});

describe('a dropped session, resumed on a redial', () => {
  const confirmState = () => registered().type('5').type('0733123456').type('1290').answer(QUOTE_BUY).last.state;

  test('"1 Yes" shows the screen exactly as it was, still expecting the PIN', () => {
    const dropped = registered().type('5').type('0733123456').type('1290');
    dropped.answer({ type: 'quote', ok: true, lines: { airtime: 'KES 1,290.00', txtc: '980' } }).secret(wrongPin(2));
    const before = dropped.last;
    const s = new Session(KES, before.state);
    expect(s.node).toBe('resume');
    expect(s.text).toBe('Continue where you left off?\n1 Yes\n2 No');
    s.type('1');
    expect(s.last).toEqual(before);
    s.secret(pin('ok'));
    expect(s.effect).toEqual({
      type: 'startTransfer',
      kind: 'hybrid',
      toPhone: '+254733123456',
      amountMinor: '129000',
    });
  });

  test('"1 Yes" at an amount keeps the number entered', () => {
    const before = registered().type('2').type('0798765432').last;
    const s = new Session(KES, before.state).type('1');
    expect(s.last).toEqual(before);
    expect(s.type('500').effect).toMatchObject({ toPhone: '+254798765432', amountMinor: '50000' });
  });

  test('"2 No" goes to the main menu; anything else re-prompts', () => {
    const s = new Session(KES, confirmState());
    s.type('3');
    expect(s.text).toBe('Invalid choice.\nContinue where you left off?\n1 Yes\n2 No');
    s.type('2');
    expect(s.node).toBe('menu');
    expect(s.text).toBe(en.mainMenu);
  });

  test('in Swahili', () => {
    const state = registered(UGX).type('2').type('0701234567').last.state;
    expect(new Session(UGX, state).text).toBe('Endelea ulipoishia?\n1 Ndiyo\n2 Hapana');
  });

  test('not offered for a state that is not resumable, nor to someone who must register, reset or is locked', () => {
    expect(new Session(KES, { node: 'menu', language: 'en', data: {} }).node).toBe('menu');
    expect(new Session({ ...FIRST_DIAL }, confirmState()).node).toBe('lang');
    expect(new Session({ ...KES, pinResetRequired: true }, confirmState()).node).toBe('reset-pin');
    expect(new Session({ ...KES, pinLocked: true }, confirmState()).node).toBe('menu');
  });

  test.each<[string, boolean, () => MenuState]>([
    ['the main menu', false, () => registered().last.state],
    ['the language choice', false, () => new Session(FIRST_DIAL).last.state],
    ['the terms', false, () => new Session(FIRST_DIAL).type('1').last.state],
    ['a new PIN at registration', false, () => new Session(FIRST_DIAL).type('1').type('1').last.state],
    ['the buy amount prompt', false, () => registered().type('1').last.state],
    ['the number prompt', false, () => registered().type('2').last.state],
    ['an amount after a number', true, () => registered().type('2').type('0798765432').last.state],
    ['an amount after a number (TXTC)', true, () => registered().type('5').type('0798765432').last.state],
    ['a buy confirm screen', true, () => registered().type('1').type('1290').answer(QUOTE_BUY).last.state],
    ['a send confirm screen', true, confirmState],
    [
      'a confirm screen whose PIN started the money moving',
      false,
      () => registered().type('1').type('1290').answer(QUOTE_BUY).secret(pin('ok')).last.state,
    ],
    [
      'the balance',
      false,
      () => registered().type('3').answer({ type: 'balance', airtime: 'KES 1.00', txtc: '0' }).last.state,
    ],
    ['a change of PIN', false, () => registered().type('6').type('3').secret(pin('ok')).last.state],
    [
      'an ended session',
      false,
      () => registered().type('1').type('1290').answer(QUOTE_BUY).secret(pin('locked')).last.state,
    ],
  ])('isResumable: %s -> %s', (_name, resumable, state) => {
    expect(isResumable(state())).toBe(resumable);
  });
});

describe('what the menu keeps', () => {
  test('effects are answered through the state they came with, and an unexpected answer re-shows the screen', () => {
    const s = registered().type('1');
    s.last = checked(resume(s.last.state, { type: 'saved' }, KES), KES);
    expect(s.node).toBe('buy-amount');
    expect(s.text).toBe(render({ node: 'buy-amount', language: 'en', data: {} }, KES).text);
  });

  test('an ended session stays ended', () => {
    const s = registered().type('1').type('1290').answer(QUOTE_BUY).secret(pin('locked')).type('1');
    expect(s.kind).toBe('END');
    expect(s.text).toBe(en.locked);
  });

  test('no PIN or outcome of a secret is kept in the state', () => {
    const s = registered().type('6').type('3').secret(pin('ok')).secret(newPin('accepted'));
    expect(s.last.state).toEqual({ node: 'pin-confirm', language: 'en', data: {} });
  });
});
