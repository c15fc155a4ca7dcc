/**
 * The USSD menu as a pure state machine (contract: ./types.ts). The session workflow calls
 * `startSession` on the first hop, `step` on every input, and `resume` with the answer to an Effect;
 * no I/O, clocks or randomness here, so it runs inside workflow code.
 *
 * Every Step with a screen satisfies `screen = render(step.state)`, so a state can be shown again as it
 * was. A Step with an effect carries the state to resume from: the node where the input was typed, with
 * `data.await` naming the effect (the workflow passes it back to `resume` untouched).
 *
 * `data` keys: amountMinor (integer string, the person's currency), toPhone (E.164), quoteAirtime,
 * quoteTxtc, quoteFee (a quote's display lines), quoteTxtcBaseUnits (the TXTC a Send TXTC confirm
 * promises: also on the state that carries startTransfer, and after a resume), balanceAirtime,
 * balanceTxtc, page, lines (history, one
 * line per "\n"), more ('yes'|'no'), address, end ('requested'|'locked'|'terms'), resumable (a dropped
 * session's MenuState as JSON, on the resume node), note and noteValue (the reason shown on top), await,
 * consentId and consentAction (a request waiting for the person's approval), answer ('approve'|'refuse'|
 * 'locked', on its way to that request), tenants (the partners that read the person's balance, one a line).
 */
import { parseDecimal } from '../money/decimal';
import { navigationOf } from './input';
import { formatAirtime } from '../money/format';
import { detectOperator, normalizePhone, PhoneNumberError } from '../telco/detect';
import { messages, type AmountRange, type ConfirmValues, type Messages, type Notes } from './messages';
import type {
  Effect,
  EffectResult,
  HopInput,
  Language,
  MenuState,
  Profile,
  Screen,
  SecretKind,
  SecretOutcome,
  Step,
} from './types';

export const NODES = [
  'resume',
  // a REST request waiting for the person's approval, offered first
  'consent',
  'consent-pin',
  // registration (first dial)
  'lang',
  'terms',
  'reg-pin',
  'reg-confirm',
  // a PIN reset by ops: a new PIN before anything else
  'reset-pin',
  'reset-confirm',
  'menu',
  'buy-amount',
  'buy-confirm',
  'transfer-phone',
  'transfer-amount',
  'transfer-confirm',
  'send-phone',
  'send-amount',
  'send-confirm',
  'balance',
  'history',
  'account',
  'wallet',
  'account-language',
  'partners',
  'pin-current',
  'pin-new',
  'pin-confirm',
  'end',
] as const;
export type MenuNode = (typeof NODES)[number];

/** A reason shown on top of a screen: a catalogue note, or a quote's refusal as the activity wrote it. */
export type NoteKey = keyof Notes | 'refused';

/** The prompts whose next input is a secret, and which. */
export const SECRET_PROMPTS: Partial<Record<MenuNode, SecretKind>> = {
  'reg-pin': 'new-pin',
  'reg-confirm': 'confirm-pin',
  'reset-pin': 'new-pin',
  'reset-confirm': 'confirm-pin',
  'buy-confirm': 'pin',
  'transfer-confirm': 'pin',
  'send-confirm': 'pin',
  'consent-pin': 'pin',
  'pin-current': 'pin',
  'pin-new': 'new-pin',
  'pin-confirm': 'confirm-pin',
};

/** An amount or a number entered, or a confirm screen: worth offering on a redial. */
const RESUMABLE = new Set<MenuNode>([
  'transfer-amount',
  'send-amount',
  'buy-confirm',
  'transfer-confirm',
  'send-confirm',
]);
const REGISTRATION = new Set<MenuNode>(['lang', 'terms', 'reg-pin', 'reg-confirm']);
const PIN_RESET = new Set<MenuNode>(['reset-pin', 'reset-confirm']);

/** Longest texts shown as given by activities: history lines and a quote's refusal. */
export const HISTORY_LINE_MAX = 23;
export const REASON_MAX = 40;
/** What a waiting request asks for, as shown on the consent screen; partners listed, and their names. */
export const CONSENT_ACTION_MAX = 90;
export const PARTNERS_SHOWN = 4;
export const PARTNER_NAME_MAX = 18;

type Flow = 'transfer' | 'send';
const FLOW_KIND = { transfer: 'airtime', send: 'hybrid' } as const;
type Data = Record<string, string>;

// ---------------------------------------------------------------------------------------------------
// The entry points (the contract in ./types.ts)

export function startSession(profile: Profile, resumable?: MenuState): Step {
  const language = profile.language ?? 'en';
  // A request waiting for this person's YES comes first: it expires in minutes.
  if (profile.consent && canAct(profile)) {
    const { workflowId, action } = profile.consent;
    return show(at('consent', language, { consentId: workflowId, consentAction: action }), profile);
  }
  if (resumable && canResume(profile, resumable)) {
    const { await: _, ...data } = resumable.data;
    return show(at('resume', language, { resumable: JSON.stringify({ ...resumable, data }) }), profile);
  }
  return show(entry(profile, language), profile);
}

export function step(state: MenuState, input: HopInput, profile: Profile): Step {
  const node = nodeOf(state);
  const s = settle(state);
  if (node === 'end') return show(state, profile);
  if ('secret' in input) {
    return SECRET_PROMPTS[node] ? onSecret(node, s, input.secret, profile) : again(s, profile, 'invalidChoice');
  }
  const text = input.text.trim();
  const navigation = navigationOf(text);
  if (navigation === 'home') return home(node, s, profile);
  if (navigation === 'back') return back(node, s, profile);
  // The API never forwards a secret as text; anything else typed at a PIN prompt is not a choice.
  if (SECRET_PROMPTS[node]) return again(s, profile, 'invalidChoice');
  return onText(node, s, text, profile);
}

export function resume(state: MenuState, result: EffectResult, profile: Profile): Step {
  const s = settle(state);
  const { language, data: d } = s;
  switch (state.data.await) {
    case 'completeRegistration':
      if (result.type === 'saved') return show(at('menu', language, note('welcome')), profile);
      break;
    case 'quoteBuy':
    case 'quoteTransfer': {
      if (result.type !== 'quote') break;
      const flow = s.node === 'buy-amount' ? 'buy' : s.node === 'send-amount' ? 'send' : 'transfer';
      const to: Data = flow === 'buy' ? {} : { toPhone: d.toPhone ?? '' };
      if (!result.ok) {
        const why =
          result.code === 'below'
            ? note('amountMin', result.value ?? '')
            : result.code === 'above'
              ? note('amountMax', result.value ?? '')
              : result.code === 'tooSmall'
                ? note('amountLow')
                : note('refused', result.reason);
        return show(at(`${flow}-amount`, language, { ...to, ...why }), profile);
      }
      const { airtime, txtc, fee, txtcBaseUnits } = result.lines;
      return show(
        at(`${flow}-confirm`, language, {
          ...to,
          amountMinor: d.amountMinor ?? '',
          quoteAirtime: airtime,
          ...(txtc === undefined ? {} : { quoteTxtc: txtc }),
          ...(fee === undefined ? {} : { quoteFee: fee }),
          ...(txtcBaseUnits === undefined ? {} : { quoteTxtcBaseUnits: txtcBaseUnits }),
        }),
        profile,
      );
    }
    case 'startBuy':
    case 'startTransfer':
      if (result.type === 'started') return show(ended(language, 'requested'), profile);
      break;
    case 'balance':
      if (result.type === 'balance') {
        return show(at('balance', language, { balanceAirtime: result.airtime, balanceTxtc: result.txtc }), profile);
      }
      break;
    case 'history':
      if (result.type === 'history') {
        const lines = result.lines.join('\n');
        return show(at('history', language, { page: d.page ?? '0', lines, more: result.more ? 'yes' : 'no' }), profile);
      }
      break;
    case 'walletAddress':
      if (result.type === 'walletAddress')
        return show(at('wallet', language, { address: result.address ?? '' }), profile);
      break;
    case 'saveLanguage':
      if (result.type === 'saved') return show(at('menu', language), profile);
      break;
    case 'answerConsent':
      if (result.type === 'answered') {
        if (!result.delivered) return show(ended(language, 'gone'), profile);
        const why = d.answer === 'approve' ? 'approved' : d.answer === 'refuse' ? 'refused' : 'locked';
        return show(ended(language, why), profile);
      }
      break;
    case 'tenants':
      if (result.type === 'tenants')
        return show(at('partners', language, { tenants: result.tenants.join('\n') }), profile);
      break;
    case 'revokeTenant':
      if (result.type === 'saved') return show(at('account', language, note('partnerStopped')), profile);
      break;
  }
  // An answer the menu did not ask for: show where the person is again rather than fail the session.
  return show(s, profile);
}

export function render(state: MenuState, profile: Profile): Screen {
  const m = messages[state.language] ?? messages.en;
  const d = state.data;
  const con = (body: string, nav?: string): Screen => ({ kind: 'CON', text: compose(noteText(m, d), body, nav) });
  switch (nodeOf(state)) {
    case 'resume':
      return con(m.resume);
    case 'consent':
      return con(m.consentAsk((d.consentAction ?? '').slice(0, CONSENT_ACTION_MAX)));
    case 'consent-pin':
      return con(m.consentPin, m.back);
    case 'lang':
      return con(m.chooseLanguage);
    case 'terms':
      return con(m.terms, m.back);
    case 'reg-pin':
      return con(m.regNewPin, m.back);
    case 'reg-confirm':
      return con(m.confirmPin, m.back);
    case 'reset-pin':
      return con(m.resetNewPin);
    case 'reset-confirm':
      return con(m.confirmPin, m.back);
    case 'menu':
      return con(m.mainMenu);
    case 'buy-amount':
      return con(m.buyAmount(amountRange(profile)), m.back);
    case 'buy-confirm':
      return con(m.buyConfirm(confirmValues(d)), m.back);
    case 'transfer-phone':
      return con(m.transferPhone, m.back);
    case 'transfer-amount':
      return con(m.transferAmount(d.toPhone ?? '', amountRange(profile)), m.back);
    case 'transfer-confirm':
      return con(m.transferConfirm(confirmValues(d)), m.back);
    case 'send-phone':
      return con(m.sendPhone, m.back);
    case 'send-amount':
      return con(m.sendAmount(d.toPhone ?? '', amountRange(profile)), m.back);
    case 'send-confirm':
      return con(m.sendConfirm(confirmValues(d)), m.back);
    case 'balance':
      return con(m.balance(d.balanceAirtime ?? '', d.balanceTxtc ?? ''), m.backHome);
    case 'history': {
      const lines = (d.lines ?? '')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.slice(0, HISTORY_LINE_MAX));
      return con(lines.length ? lines.join('\n') : m.noHistory, d.more === 'yes' ? `${m.more}\n${m.back}` : m.back);
    }
    case 'account':
      return con(m.account, m.back);
    case 'wallet':
      return con(d.address ? m.wallet(d.address) : m.noWallet, m.backHome);
    case 'account-language':
      return con(m.accountLanguage, m.back);
    case 'partners': {
      const names = partnersOf(d);
      if (names.length === 0) return con(m.noPartners, m.back);
      return con(m.partners(names.map((name, i) => `${i + 1} ${name.slice(0, PARTNER_NAME_MAX)}`).join('\n')), m.back);
    }
    case 'pin-current':
      return con(m.currentPin, m.back);
    case 'pin-new':
      return con(m.changeNewPin, m.back);
    case 'pin-confirm':
      return con(m.confirmPin, m.back);
    case 'end': {
      const texts: Record<EndReason, string> = {
        requested: m.requested,
        locked: m.locked,
        terms: m.termsRefused(profile.shortcode),
        approved: m.consentApproved,
        refused: m.consentRefused,
        gone: m.consentGone,
      };
      return { kind: 'END', text: texts[d.end as EndReason] ?? m.requested };
    }
  }
}

export function isResumable(state: MenuState): boolean {
  // Once a PIN has started money moving, showing the confirm screen again could start it twice.
  const starting = state.data.await === 'startBuy' || state.data.await === 'startTransfer';
  return RESUMABLE.has(state.node as MenuNode) && !starting;
}

// ---------------------------------------------------------------------------------------------------
// Transitions

function onText(node: MenuNode, s: MenuState, text: string, profile: Profile): Step {
  const { language, data: d } = s;
  switch (node) {
    case 'resume': {
      if (text === '1') return show(resumed(s), profile);
      if (text === '2') return show(at('menu', language), profile);
      break;
    }
    case 'consent':
      if (text === '1') return show(at('consent-pin', language, d), profile);
      if (text === '2') return answerConsent(s, 'refuse');
      break;
    case 'lang': {
      const chosen = languageOf(text);
      if (chosen) return show(at('terms', chosen), profile);
      break;
    }
    case 'terms':
      if (text === '1') return show(at('reg-pin', language), profile);
      if (text === '2') return show(ended(language, 'terms'), profile);
      break;
    case 'menu':
      switch (text) {
        case '1':
          return whenUnlocked(profile, language, () => show(at('buy-amount', language), profile));
        case '2':
          return whenUnlocked(profile, language, () => show(at('transfer-phone', language), profile));
        case '3':
          return ask(at('menu', language, { await: 'balance' }), { type: 'balance' });
        case '4':
          return ask(at('menu', language, { page: '0', await: 'history' }), { type: 'history', page: 0, language });
        case '5':
          return whenUnlocked(profile, language, () => show(at('send-phone', language), profile));
        case '6':
          return show(at('account', language), profile);
      }
      break;
    case 'buy-amount': {
      const amount = parseAmount(text, profile);
      if ('note' in amount) return again(s, profile, amount.note, amount.value);
      return ask(at('buy-amount', language, { amountMinor: amount.minor, await: 'quoteBuy' }), {
        type: 'quoteBuy',
        amountMinor: amount.minor,
      });
    }
    case 'transfer-phone':
    case 'send-phone': {
      const flow = flowOf(node);
      const receiver = parseReceiver(text, profile, FLOW_KIND[flow]);
      if ('note' in receiver) return again(s, profile, receiver.note);
      return show(at(`${flow}-amount`, language, { toPhone: receiver.phoneNumber }), profile);
    }
    case 'transfer-amount':
    case 'send-amount': {
      const amount = parseAmount(text, profile);
      if ('note' in amount) return again(s, profile, amount.note, amount.value);
      const toPhone = d.toPhone ?? '';
      return ask(at(node, language, { toPhone, amountMinor: amount.minor, await: 'quoteTransfer' }), {
        type: 'quoteTransfer',
        kind: FLOW_KIND[flowOf(node)],
        toPhone,
        amountMinor: amount.minor,
      });
    }
    case 'history':
      if (text === '98' && d.more === 'yes') {
        const page = Number(d.page ?? '0') + 1;
        return ask(at('history', language, { ...d, page: String(page), await: 'history' }), {
          type: 'history',
          page,
          language,
        });
      }
      break;
    case 'account':
      if (text === '1') return ask(at('account', language, { await: 'walletAddress' }), { type: 'walletAddress' });
      if (text === '2') return show(at('account-language', language), profile);
      if (text === '3') return whenUnlocked(profile, language, () => show(at('pin-current', language), profile));
      if (text === '4') return ask(at('account', language, { await: 'tenants' }), { type: 'tenants' });
      break;
    case 'partners': {
      const tenant = partnersOf(d)[Number(text) - 1];
      if (/^\d$/.test(text) && tenant)
        return ask(at('partners', language, { ...d, await: 'revokeTenant' }), { type: 'revokeTenant', tenant });
      break;
    }
    case 'account-language': {
      const chosen = languageOf(text);
      if (chosen) {
        return ask(at('account-language', chosen, { await: 'saveLanguage' }), {
          type: 'saveLanguage',
          language: chosen,
        });
      }
      break;
    }
    default:
      break;
  }
  return again(s, profile, 'invalidChoice');
}

function onSecret(node: MenuNode, s: MenuState, outcome: SecretOutcome, profile: Profile): Step {
  const { language, data: d } = s;
  if (outcome.kind !== SECRET_PROMPTS[node]) return again(s, profile, 'invalidChoice');
  switch (outcome.kind) {
    case 'pin':
      // The waiting request hears of a lock too: it ends at once, nothing moved.
      if (node === 'consent-pin' && outcome.result !== 'wrong')
        return answerConsent(s, outcome.result === 'ok' ? 'approve' : 'locked');
      if (outcome.result === 'locked') return show(ended(language, 'locked'), profile);
      if (outcome.result === 'wrong') return again(s, profile, 'wrongPin', String(outcome.attemptsLeft));
      if (node === 'pin-current') return show(at('pin-new', language), profile);
      if (node === 'buy-confirm') {
        const amountMinor = d.amountMinor ?? '';
        return ask(at(node, language, { ...d, await: 'startBuy' }), { type: 'startBuy', amountMinor });
      }
      return ask(at(node, language, { ...d, await: 'startTransfer' }), {
        type: 'startTransfer',
        kind: node === 'send-confirm' ? 'hybrid' : 'airtime',
        toPhone: d.toPhone ?? '',
        amountMinor: d.amountMinor ?? '',
      });
    case 'new-pin': {
      if (outcome.result === 'invalid') return again(s, profile, 'pinFormat');
      const confirm = node === 'reg-pin' ? 'reg-confirm' : node === 'reset-pin' ? 'reset-confirm' : 'pin-confirm';
      return show(at(confirm, language), profile);
    }
    case 'confirm-pin': {
      const newPin = node === 'reg-confirm' ? 'reg-pin' : node === 'reset-confirm' ? 'reset-pin' : 'pin-new';
      if (outcome.result === 'mismatch') return show(at(newPin, language, note('pinMismatch')), profile);
      if (node === 'reg-confirm') {
        return ask(at(node, language, { await: 'completeRegistration' }), { type: 'completeRegistration', language });
      }
      return show(at('menu', language, note(node === 'reset-confirm' ? 'pinSet' : 'pinChanged')), profile);
    }
  }
}

/** 00: the main menu; during registration or a required PIN reset, that flow from its start. */
function home(node: MenuNode, s: MenuState, profile: Profile): Step {
  if (REGISTRATION.has(node)) return show(registrationStart(profile, s.language), profile);
  if (PIN_RESET.has(node)) return show(at('reset-pin', s.language), profile);
  return show(at('menu', s.language), profile);
}

/** 0: one screen back; where there is none, the same screen. */
function back(node: MenuNode, s: MenuState, profile: Profile): Step {
  const { language, data: d } = s;
  const to = (n: MenuNode, data: Data = {}) => show(at(n, language, data), profile);
  switch (node) {
    case 'resume':
      return again(s, profile, 'invalidChoice');
    case 'lang':
    case 'menu':
    case 'reset-pin':
      return show(s, profile);
    case 'terms':
      return to('lang');
    case 'reg-pin':
      return to('terms');
    case 'reg-confirm':
      return to('reg-pin');
    case 'reset-confirm':
      return to('reset-pin');
    case 'buy-confirm':
      return to('buy-amount');
    case 'transfer-amount':
    case 'send-amount':
      return to(`${flowOf(node)}-phone`);
    case 'transfer-confirm':
    case 'send-confirm':
      return to(`${flowOf(node)}-amount`, { toPhone: d.toPhone ?? '' });
    case 'history': {
      const page = Number(d.page ?? '0');
      if (page === 0) return to('menu');
      return ask(at('history', language, { ...d, page: String(page - 1), await: 'history' }), {
        type: 'history',
        page: page - 1,
        language,
      });
    }
    case 'consent-pin':
      return to('consent', { consentId: d.consentId ?? '', consentAction: d.consentAction ?? '' });
    case 'wallet':
    case 'account-language':
    case 'partners':
    case 'pin-current':
      return to('account');
    case 'pin-new':
      return to('pin-current');
    case 'pin-confirm':
      return to('pin-new');
    default:
      return to('menu');
  }
}

/** The first screen without a dropped session: language, registration, a required PIN reset, the menu. */
function entry(profile: Profile, language: Language): MenuState {
  if (!profile.language || !profile.registered) return registrationStart(profile, language);
  if (profile.pinResetRequired) return at('reset-pin', language);
  return at('menu', language);
}

function registrationStart(profile: Profile, language: Language): MenuState {
  return profile.language ? at('terms', language) : at('lang', language);
}

/**
 * Offered only to someone who could go on from there: registered, no PIN reset pending (it must come
 * first), not locked (every resumable flow ends at a PIN).
 */
function canResume(profile: Profile, resumable: MenuState): boolean {
  return isResumable(resumable) && canAct(profile);
}

/** Registered, no PIN reset pending (it must come first), not locked: someone who can confirm with a PIN. */
function canAct(profile: Profile): boolean {
  return !!profile.language && profile.registered && !profile.pinResetRequired && !profile.pinLocked;
}

/** The person's answer, sent to the request waiting for it (the PIN was checked by the API). */
function answerConsent(s: MenuState, answer: 'approve' | 'refuse' | 'locked'): Step {
  return ask(at('consent', s.language, { ...s.data, answer, await: 'answerConsent' }), {
    type: 'answerConsent',
    workflowId: s.data.consentId ?? '',
    answer,
  });
}

function partnersOf(d: Data): string[] {
  return (d.tenants ?? '')
    .split('\n')
    .filter((name) => name !== '')
    .slice(0, PARTNERS_SHOWN);
}

function resumed(s: MenuState): MenuState {
  try {
    const parsed = JSON.parse(s.data.resumable ?? '') as Partial<MenuState>;
    if (typeof parsed.node === 'string' && parsed.data && typeof parsed.data === 'object') {
      return { node: parsed.node, language: s.language, data: parsed.data };
    }
  } catch {
    // a resume state this module did not write: the menu
  }
  return at('menu', s.language);
}

function whenUnlocked(profile: Profile, language: Language, go: () => Step): Step {
  return profile.pinLocked ? show(ended(language, 'locked'), profile) : go();
}

// ---------------------------------------------------------------------------------------------------
// What people type

/** An amount in the person's currency within the range, or the reason it is not. */
function parseAmount(text: string, profile: Profile): { minor: string } | { note: NoteKey; value?: string } {
  const match = /^\d+(?:\.(\d+))?$/.exec(text);
  if (!match) return { note: 'amountInvalid' };
  if ((match[1] ?? '').length > profile.minorDigits) {
    return { note: 'amountDecimals', value: String(profile.minorDigits) };
  }
  const minor = parseDecimal(text, profile.minorDigits);
  if (minor < BigInt(profile.minAirtimeMinor)) return { note: 'amountLow' };
  if (minor > BigInt(profile.maxAirtimeMinor)) return { note: 'amountHigh' };
  return { minor: minor.toString() };
}

/** A receiver's number in E.164, read in the sender's country, or the reason it cannot receive. */
function parseReceiver(
  text: string,
  profile: Profile,
  kind: 'airtime' | 'hybrid',
): { phoneNumber: string } | { note: NoteKey } {
  const own = ownNumber(profile);
  let receiver: { phoneNumber: string; country: string };
  try {
    receiver = normalizePhone(text, own?.country);
  } catch (e) {
    return { note: e instanceof PhoneNumberError && e.code === 'UnsupportedCountry' ? 'phoneCountry' : 'phoneInvalid' };
  }
  if (receiver.phoneNumber === (own?.phoneNumber ?? profile.phoneNumber)) return { note: 'phoneOwn' };
  try {
    detectOperator(receiver.phoneNumber, receiver.country);
  } catch {
    return { note: 'phoneNetwork' };
  }
  // Airtime stays in one currency (the transfer workflow refuses KES to UGX): say so before the amount.
  if (kind === 'airtime' && own && receiver.country !== own.country) return { note: 'phoneAbroad' };
  return { phoneNumber: receiver.phoneNumber };
}

function ownNumber(profile: Profile): { phoneNumber: string; country: string } | undefined {
  try {
    return normalizePhone(profile.phoneNumber);
  } catch {
    return undefined;
  }
}

function languageOf(text: string): Language | undefined {
  return text === '1' ? 'en' : text === '2' ? 'sw' : undefined;
}

// ---------------------------------------------------------------------------------------------------
// States, steps and screens

function nodeOf(state: MenuState): MenuNode {
  return (NODES as readonly string[]).includes(state.node) ? (state.node as MenuNode) : 'menu';
}

function at(node: MenuNode, language: Language, data: Data = {}): MenuState {
  return { node, language, data };
}

/** The state without its note and pending effect: what a transition starts from. */
function settle(state: MenuState): MenuState {
  const { note: _n, noteValue: _v, await: _a, ...data } = state.data;
  return { node: state.node, language: state.language, data };
}

function note(key: NoteKey, value?: string): Data {
  return value === undefined ? { note: key } : { note: key, noteValue: value };
}

type EndReason = 'requested' | 'locked' | 'terms' | 'approved' | 'refused' | 'gone';

function ended(language: Language, why: EndReason): MenuState {
  return at('end', language, { end: why });
}

function show(state: MenuState, profile: Profile): Step {
  const { await: _, ...data } = state.data;
  const shown = { ...state, data };
  const expect = SECRET_PROMPTS[nodeOf(shown)];
  return { state: shown, screen: render(shown, profile), ...(expect ? { expect } : {}) };
}

function again(s: MenuState, profile: Profile, key: NoteKey, value?: string): Step {
  return show({ ...s, data: { ...s.data, ...note(key, value) } }, profile);
}

function ask(state: MenuState, effect: Effect): Step {
  return { state, effect };
}

function flowOf(node: MenuNode): Flow {
  return node.startsWith('send') ? 'send' : 'transfer';
}

function compose(noteLine: string | undefined, body: string, nav: string | undefined): string {
  return [noteLine, body, nav].filter((part) => part !== undefined && part !== '').join('\n');
}

function noteText(m: Messages, d: Data): string | undefined {
  const key = d.note as NoteKey | undefined;
  switch (key) {
    case undefined:
      return undefined;
    case 'refused':
      return (d.noteValue ?? '').slice(0, REASON_MAX);
    case 'wrongPin':
      return m.notes.wrongPin(Number(d.noteValue ?? '0'));
    case 'amountDecimals':
      return m.notes.amountDecimals(Number(d.noteValue ?? '0'));
    case 'amountMin':
      return m.notes.amountMin((d.noteValue ?? '').slice(0, REASON_MAX));
    case 'amountMax':
      return m.notes.amountMax((d.noteValue ?? '').slice(0, REASON_MAX));
    default: {
      const text = m.notes[key] as Notes[keyof Notes] | undefined;
      return typeof text === 'string' ? text : undefined;
    }
  }
}

function amountRange(profile: Profile): AmountRange {
  // formatAirtime groups thousands; the prompt names the currency once, so the ends go without it.
  const bare = (minor: string) =>
    formatAirtime(BigInt(minor), profile.currency, profile.minorDigits).slice(profile.currency.length + 1);
  return { currency: profile.currency, min: bare(profile.minAirtimeMinor), max: bare(profile.maxAirtimeMinor) };
}

function confirmValues(d: Data): ConfirmValues {
  return {
    airtime: d.quoteAirtime ?? '',
    txtc: d.quoteTxtc ?? '0',
    fee: d.quoteFee ?? '0',
    toPhone: d.toPhone ?? '',
  };
}
