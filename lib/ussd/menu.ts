/**
 * The USSD menu as a pure state machine (contract: ./types.ts). The session workflow calls
 * `startSession` on the first hop, `step` on every input, and `resume` with the answer to an Effect;
 * no I/O, clocks or randomness here, so it runs inside workflow code.
 *
 * The menu is a table of nodes, one record per node (./nodes/kit.ts says what a record holds: its screen,
 * what typed text or a secret does there, where 0 and 00 go, whether it is offered again on a redial), kept
 * by domain in ./nodes/: session (resume, menu, end), consent, registration, buy, transfer (Send airtime and
 * Send TXTC), history (and balance), account. Each domain also says what the answers to its effects do. This
 * file is the engine: it reads the input, asks the node, and turns where the node goes into a MenuStep.
 *
 * Every MenuStep with a screen satisfies `screen = render(step.state)`, so a state can be shown again as it
 * was. A MenuStep with an effect carries the state to resume from: the node where the input was typed, with
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
import { navigationOf } from './input';
import { messages, type Messages, type Notes } from './messages';
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
  MenuStep,
} from './types';
import { ACCOUNT } from './nodes/account';
import { BUY } from './nodes/buy';
import { CONSENT } from './nodes/consent';
import { HISTORY } from './nodes/history';
import { at, note, type Answer, type Data, type Go, type MenuNodeSpec } from './nodes/kit';
import { REGISTRATION, registrationStart } from './nodes/registration';
import { SESSION } from './nodes/session';
import { TRANSFER } from './nodes/transfer';

export { CONSENT_ACTION_MAX } from './nodes/consent';
export { HISTORY_LINE_MAX } from './nodes/history';
export { PARTNERS_SHOWN, PARTNER_NAME_MAX } from './nodes/account';

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

/** The domains, each with its nodes and the answers to the effects they ask for (a unit test checks each node is in one). */
export const NODE_GROUPS = [SESSION, CONSENT, REGISTRATION, BUY, TRANSFER, HISTORY, ACCOUNT] as const;

/** The table: every node, once. */
const TABLE: Record<MenuNode, MenuNodeSpec> = {
  ...SESSION.nodes,
  ...CONSENT.nodes,
  ...REGISTRATION.nodes,
  ...BUY.nodes,
  ...TRANSFER.nodes,
  ...HISTORY.nodes,
  ...ACCOUNT.nodes,
};

/** What the answer to each effect does, by the effect named in `data.await`. */
const ANSWERS: Record<Effect['type'], Answer> = {
  ...SESSION.answers,
  ...CONSENT.answers,
  ...REGISTRATION.answers,
  ...BUY.answers,
  ...TRANSFER.answers,
  ...HISTORY.answers,
  ...ACCOUNT.answers,
};

/** The prompts whose next input is a secret, and which. */
export const SECRET_PROMPTS: Partial<Record<MenuNode, SecretKind>> = Object.fromEntries(
  NODES.flatMap((node) => {
    const kind = TABLE[node].secret?.kind;
    return kind ? [[node, kind]] : [];
  }),
);

/** An amount or a number entered, or a confirm screen: worth offering on a redial. */
const RESUMABLE = new Set<MenuNode>(NODES.filter((node) => TABLE[node].resumable));

/** Longest text shown as given by activities: a quote's refusal (history lines: HISTORY_LINE_MAX). */
export const REASON_MAX = 40;

// ---------------------------------------------------------------------------------------------------
// The entry points (the contract in ./types.ts)

export function startSession(profile: Profile, resumable?: MenuState): MenuStep {
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

export function step(state: MenuState, input: HopInput, profile: Profile): MenuStep {
  const node = TABLE[nodeOf(state)];
  const s = settle(state);
  if (node.final) return show(state, profile);
  if ('secret' in input) {
    if (!node.secret || input.secret.kind !== node.secret.kind) return again(s, profile, 'invalidChoice');
    // The kinds match: the outcome is the one this prompt's handler takes.
    const on = node.secret.on as (outcome: SecretOutcome, s: MenuState, profile: Profile) => Go;
    return go(on(input.secret, s, profile), s, profile);
  }
  const text = input.text.trim();
  const navigation = navigationOf(text);
  // 00: the main menu; during registration or a required PIN reset, that flow from its start.
  if (navigation === 'home') return show(node.home?.(s, profile) ?? at('menu', s.language), profile);
  // 0: one screen back; where there is none, the same screen.
  if (navigation === 'back') {
    const back = node.back ?? 'menu';
    return go(typeof back === 'function' ? back(s) : { show: at(back, s.language) }, s, profile);
  }
  // The API never forwards a secret as text; anything else typed at a PIN prompt is not a choice.
  if (node.secret) return again(s, profile, 'invalidChoice');
  return go(node.text?.(text, s, profile) ?? { again: 'invalidChoice' }, s, profile);
}

export function resume(state: MenuState, result: EffectResult, profile: Profile): MenuStep {
  const s = settle(state);
  const asked = state.data.await;
  const answer = asked !== undefined && Object.hasOwn(ANSWERS, asked) ? ANSWERS[asked as Effect['type']] : undefined;
  // An answer the menu did not ask for: show where the person is again rather than fail the session.
  if (!answer || answer.result !== result.type) return show(s, profile);
  // The types match: the result is the one this answer takes.
  const take = answer.go as (result: EffectResult, s: MenuState) => Go;
  return go(take(result, s), s, profile);
}

export function render(state: MenuState, profile: Profile): Screen {
  const m = messages[state.language] ?? messages.en;
  const d = state.data;
  const con = (body: string, nav?: string): Screen => ({ kind: 'CON', text: compose(noteText(m, d), body, nav) });
  return TABLE[nodeOf(state)].render({ m, d, profile, con });
}

export function isResumable(state: MenuState): boolean {
  // Once a PIN has started money moving, showing the confirm screen again could start it twice.
  const starting = state.data.await === 'startBuy' || state.data.await === 'startTransfer';
  return RESUMABLE.has(state.node as MenuNode) && !starting;
}

// ---------------------------------------------------------------------------------------------------
// Where a session starts

/** The first screen without a dropped session: language, registration, a required PIN reset, the menu. */
function entry(profile: Profile, language: Language): MenuState {
  if (!profile.language || !profile.registered) return registrationStart(profile, language);
  if (profile.pinResetRequired) return at('reset-pin', language);
  return at('menu', language);
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

// ---------------------------------------------------------------------------------------------------
// States, steps and screens

function nodeOf(state: MenuState): MenuNode {
  return (NODES as readonly string[]).includes(state.node) ? (state.node as MenuNode) : 'menu';
}

/** The state without its note and pending effect: what a transition starts from. */
function settle(state: MenuState): MenuState {
  const { note: _n, noteValue: _v, await: _a, ...data } = state.data;
  return { node: state.node, language: state.language, data };
}

/** Where a node's handler goes, as a MenuStep; `s` is the state the input came to. */
function go(to: Go, s: MenuState, profile: Profile): MenuStep {
  if ('show' in to) return show(to.show, profile);
  if ('ask' in to) return { state: to.ask, effect: to.effect };
  return again(s, profile, to.again, to.value);
}

function show(state: MenuState, profile: Profile): MenuStep {
  const { await: _, ...data } = state.data;
  const shown = { ...state, data };
  const expect = SECRET_PROMPTS[nodeOf(shown)];
  return { state: shown, screen: render(shown, profile), ...(expect ? { expect } : {}) };
}

function again(s: MenuState, profile: Profile, key: NoteKey, value?: string): MenuStep {
  return show({ ...s, data: { ...s.data, ...note(key, value) } }, profile);
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
