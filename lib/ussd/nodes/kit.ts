/**
 * What a node of the USSD menu is made of (the table itself is in ../menu.ts), what its handlers return, and
 * the small helpers every group of nodes shares. Handlers never build a MenuStep: they say where to go (`Go`) and
 * the engine shows it, so a node names other nodes without importing them. Pure, like the menu.
 */
import type { MenuNode, NoteKey } from '../menu';
import type { Messages } from '../messages';
import type { Effect, EffectResult, Language, MenuState, Profile, Screen, SecretKind, SecretOutcome } from '../types';

export type Data = Record<string, string>;

/** Where a handler goes: a state to show, an effect to run first (from `ask`), or this screen again with a note. */
export type Go = { show: MenuState } | { ask: MenuState; effect: Effect } | { again: NoteKey; value?: string };

/** What a screen is drawn from: the person's catalogue, the state's data, and `con` (a CON screen, note on top). */
export interface View {
  m: Messages;
  d: Data;
  profile: Profile;
  con: (body: string, nav?: string) => Screen;
}

/** A prompt whose next input is a secret of `kind` (the API checked or hashed it), and what its outcome does. */
export type Secret = {
  [K in SecretKind]: {
    kind: K;
    on: (outcome: Extract<SecretOutcome, { kind: K }>, s: MenuState, profile: Profile) => Go;
  };
}[SecretKind];

/** One node, read in one place. `s` is the state the input was typed at, without its note. */
export interface MenuNodeSpec {
  /** the screen shown at this node */
  render: (view: View) => Screen;
  /** what a typed answer does; undefined: not a choice here (the screen again, "invalid choice") */
  text?: (typed: string, s: MenuState, profile: Profile) => Go | undefined;
  /** a PIN prompt: its next input is this secret (typed text that is not navigation is not a choice) */
  secret?: Secret;
  /** 0: a node shown with no data, or a transition of its own; none: the main menu */
  back?: MenuNode | ((s: MenuState) => Go);
  /** 00: where this flow starts again, when it must come first; none: the main menu */
  home?: (s: MenuState, profile: Profile) => MenuState;
  /** an amount or a number entered, or a confirm screen: offered again on a redial */
  resumable?: true;
  /** the session is over: whatever comes, the same screen */
  final?: true;
}

/** What the answer to an effect does, when it is the answer expected (any other: the screen again). */
export type Answer = {
  [T in EffectResult['type']]: { result: T; go: (result: Extract<EffectResult, { type: T }>, s: MenuState) => Go };
}[EffectResult['type']];

/** A domain's nodes, and what the answers to the effects they ask for do. */
export interface Group<N extends MenuNode, E extends Effect['type'] = never> {
  nodes: Record<N, MenuNodeSpec>;
  answers: Record<E, Answer>;
}

export function at(node: MenuNode, language: Language, data: Data = {}): MenuState {
  return { node, language, data };
}

export function note(key: NoteKey, value?: string): Data {
  return value === undefined ? { note: key } : { note: key, noteValue: value };
}

export type EndReason = 'requested' | 'locked' | 'terms' | 'approved' | 'refused' | 'gone';

export function ended(language: Language, why: EndReason): MenuState {
  return at('end', language, { end: why });
}

/** 0 on a screen that has none before it: the same screen. */
export const stay = (s: MenuState): Go => ({ show: s });

/** Money moves only for someone not locked out (three wrong PINs); the locked hear so at once. */
export function unlocked(profile: Profile, s: MenuState, go: Go): Go {
  return profile.pinLocked ? { show: ended(s.language, 'locked') } : go;
}

/** A PIN prompt: a lock ends the session, a wrong PIN says how many tries are left, the right one goes on. */
export function pin(ok: (s: MenuState) => Go): Secret {
  return {
    kind: 'pin',
    on: (outcome, s) => {
      if (outcome.result === 'locked') return { show: ended(s.language, 'locked') };
      if (outcome.result === 'wrong') return { again: 'wrongPin', value: String(outcome.attemptsLeft) };
      return ok(s);
    },
  };
}

/** A new PIN prompt: one of the wrong form is asked again, an accepted one is confirmed at `confirm`. */
export function newPin(confirm: MenuNode): Secret {
  return {
    kind: 'new-pin',
    on: (outcome, s) => (outcome.result === 'invalid' ? { again: 'pinFormat' } : { show: at(confirm, s.language) }),
  };
}

/** A PIN confirmation: a mismatch starts again at the new PIN prompt `retry`, a match goes on. */
export function confirmPin(retry: MenuNode, matched: (s: MenuState) => Go): Secret {
  return {
    kind: 'confirm-pin',
    on: (outcome, s) =>
      outcome.result === 'mismatch' ? { show: at(retry, s.language, note('pinMismatch')) } : matched(s),
  };
}
