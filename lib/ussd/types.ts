/**
 * The contract between the USSD menu (lib/ussd/menu.ts, pure: state + input -> next state + screen) and
 * the session workflow that runs it (workflows/ussd.ts). The menu never does I/O: when it needs data or
 * must act (a balance, a quote, starting a transfer) it returns an Effect; the workflow runs it through
 * an activity and hands the result back with `resume`. Secrets (PINs) never reach the menu or the
 * workflow: the API checks or hashes them and passes only the outcome (`SecretOutcome`).
 * Everything here is JSON-safe (it lives in workflow state and history): amounts are decimal strings.
 */

export type Language = 'en' | 'sw';

/** What the next input is, when it is a secret the API must handle before the workflow sees it. */
export type SecretKind = 'pin' | 'new-pin' | 'confirm-pin';

export type SecretOutcome =
  | { kind: 'pin'; result: 'ok' }
  | { kind: 'pin'; result: 'wrong'; attemptsLeft: number }
  | { kind: 'pin'; result: 'locked' }
  | { kind: 'new-pin'; result: 'accepted' | 'invalid' }
  | { kind: 'confirm-pin'; result: 'match' | 'mismatch' };

/** One hop's input as the workflow receives it: the newest text typed, or a secret's outcome. */
export type HopInput = { text: string } | { secret: SecretOutcome };

/** What the menu knows of the person, loaded by an activity when the session starts. */
export interface Profile {
  phoneNumber: string;
  operator: string;
  /** the operator's currency and its minor digits, e.g. KES and 2 */
  currency: string;
  minorDigits: number;
  /** undefined on a first dial (no language chosen yet) */
  language?: Language;
  /** language, terms and a PIN are all set */
  registered: boolean;
  /** ops reset the PIN: a new one must be set before anything else */
  pinResetRequired: boolean;
  /** three wrong PINs: money movement is locked until ops reset the PIN */
  pinLocked: boolean;
  /** the per-transaction range in the person's currency (minor units), as the buy screen shows it */
  minAirtimeMinor: string;
  maxAirtimeMinor: string;
  /** the USSD code, for texts that say how to dial */
  shortcode: string;
  /** a REST request waiting for this person's approval (issue 23): offered first when they dial */
  consent?: { workflowId: string; action: string };
}

/** A screen as the gateway gets it: CON keeps the session open, END closes it. Text without the prefix. */
export interface Screen {
  kind: 'CON' | 'END';
  text: string;
}

/** Where the menu is and what it has collected; JSON only (workflow state). */
export interface MenuState {
  node: string;
  language: Language;
  /** collected values (amounts as entered, normalised phone numbers, a page number, a quote to confirm) */
  data: Record<string, string>;
}

/** Side effects and lookups the menu asks the workflow to run, each answered through `resume`. */
export type Effect =
  /** quote a purchase of `amountMinor` airtime: answered with EffectResult 'quote' */
  | { type: 'quoteBuy'; amountMinor: string }
  /** quote sending `amountMinor` airtime (2) or TXTC worth `amountMinor` of the person's currency (5) */
  | { type: 'quoteTransfer'; kind: 'airtime' | 'hybrid'; toPhone: string; amountMinor: string }
  | { type: 'balance' }
  /** the last movements, 5 a page, page 0 first */
  /** in `language`: the words of each line ("Buy 980 TXTC" / "Nunua 980 TXTC") */
  | { type: 'history'; page: number; language?: Language }
  | { type: 'walletAddress' }
  /** start the money workflow; its id is derived from the session, so a repeat starts nothing new */
  | { type: 'startBuy'; amountMinor: string }
  | { type: 'startTransfer'; kind: 'airtime' | 'hybrid'; toPhone: string; amountMinor: string }
  | { type: 'saveLanguage'; language: Language }
  /** language chosen, terms accepted, PIN set (the API stored its hash): the number is registered */
  | { type: 'completeRegistration'; language: Language }
  /** the payer's answer to a request waiting for their consent (approve only after the right PIN) */
  | { type: 'answerConsent'; workflowId: string; answer: 'approve' | 'refuse' | 'locked' }
  /** the tenants (partners) this number lets read its balance and history */
  | { type: 'tenants' }
  /** stop one of them reading it */
  | { type: 'revokeTenant'; tenant: string };

export type EffectResult =
  | { type: 'quote'; ok: true; lines: QuoteLines }
  /** code: a limit the menu words in the person's language (value: the limit); else `reason` is shown */
  | { type: 'quote'; ok: false; reason: string; code?: 'below' | 'above' | 'tooSmall'; value?: string }
  | { type: 'balance'; airtime: string; txtc: string }
  | { type: 'history'; lines: string[]; more: boolean }
  | { type: 'walletAddress'; address: string | null }
  | { type: 'started'; id: string }
  | { type: 'saved' }
  /** delivered: the request still waited for the answer (false: it had ended, nothing was answered) */
  | { type: 'answered'; delivered: boolean }
  | { type: 'tenants'; tenants: string[] };

/** What a confirm screen shows (MONEY.md): display strings, computed by the activity. */
export interface QuoteLines {
  /** e.g. "KES 1,290.00" debited */
  airtime: string;
  /** e.g. "980" TXTC received or sent */
  txtc?: string;
  /** e.g. "20" TXTC platform fee */
  fee?: string;
  /** a normalised receiver */
  toPhone?: string;
  /** not shown: the TXTC base units a Send TXTC confirm promises, used when it is started */
  txtcBaseUnits?: string;
}

/** The menu's answer to a hop: the next state and either a screen or an effect to run first. */
export interface MenuStep {
  state: MenuState;
  screen?: Screen;
  effect?: Effect;
  /** the next input is a secret: the API checks or hashes it and sends only the outcome */
  expect?: SecretKind;
}
