/**
 * How a reply fits into SMS. Pure (no I/O, no Node imports): workflows may import it. A text of GSM-7
 * characters fits one SMS in 160 septets (the extension table's characters take two); a text with any other
 * character goes as UCS-2 and fits in 70 UTF-16 units. A longer reply is sent as several SMS, each one whole
 * message on its own (no concatenation header), cut between words, at a line or sentence end when one is
 * near.
 */

export const GSM7_SEPTETS_PER_SMS = 160;
export const UCS2_UNITS_PER_SMS = 70;

/** GSM 03.38 default alphabet (one septet each); the escape code itself is not a character. */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** The extension table: an escape and the character, two septets each. */
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

/** Septets one character takes in GSM-7; undefined when it has none (the text goes as UCS-2). */
function septetsOf(ch: string): 1 | 2 | undefined {
  if (GSM7_BASIC.has(ch)) return 1;
  if (GSM7_EXTENSION.has(ch)) return 2;
  return undefined;
}

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export function isGsm7(text: string): boolean {
  for (const ch of text) if (septetsOf(ch) === undefined) return false;
  return true;
}

/** Septets the text takes in GSM-7; undefined when it is not GSM-7. */
export function gsm7Septets(text: string): number | undefined {
  let septets = 0;
  for (const ch of text) {
    const n = septetsOf(ch);
    if (n === undefined) return undefined;
    septets += n;
  }
  return septets;
}

export function smsEncoding(text: string): SmsEncoding {
  return isGsm7(text) ? 'GSM-7' : 'UCS-2';
}

export function fitsOneSms(text: string): boolean {
  const septets = gsm7Septets(text);
  return septets === undefined ? text.length <= UCS2_UNITS_PER_SMS : septets <= GSM7_SEPTETS_PER_SMS;
}

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);

/**
 * The end (exclusive) of the longest prefix of text[start..] that fits one SMS, at a character boundary
 * (never inside a surrogate pair). Whether a prefix fits only gets worse as it grows, so one pass finds it.
 */
function longestFit(text: string, start: number): number {
  let septets = 0;
  let gsm = true;
  let end = start;
  while (end < text.length) {
    const ch = String.fromCodePoint(text.codePointAt(end)!);
    const n = septetsOf(ch);
    if (n === undefined) gsm = false;
    else septets += n;
    const units = end + ch.length - start;
    if (gsm ? septets > GSM7_SEPTETS_PER_SMS : units > UCS2_UNITS_PER_SMS) break;
    end += ch.length;
  }
  return end;
}

/**
 * What a cut at the whitespace starting at `i` costs the reader: nothing after a line, little after a
 * sentence, more after a clause, more still between two words, most just before a number ("KES | 3,710").
 */
function breakCost(text: string, i: number): number {
  let j = i;
  for (; isSpace(text[j]); j++) if (text[j] === '\n' || text[j] === '\r') return 0;
  const before = text[i - 1] ?? '';
  if (/[.!?]/.test(before)) return 10;
  if (/[;:,|]/.test(before)) return 20;
  return /[0-9]/.test(text[j] ?? '') ? 40 : 30;
}

/** The word (whitespace to whitespace) holding the character at `i`. */
function wordAround(text: string, i: number): string {
  let from = i;
  let to = i;
  while (from > 0 && !isSpace(text[from - 1])) from--;
  while (to < text.length && !isSpace(text[to])) to++;
  return text.slice(from, to);
}

/** A word longer than a part (and only such a word) is cut where the room ends. */
const CUT_INSIDE_A_WORD = 200;

/** A line or sentence end is worth preferring when it leaves less than this share of a part unused. */
const NEAR = 0.5;

interface Plan {
  parts: number;
  cost: number;
  /** where the previous part started, and where it ended */
  from: number;
  end: number;
}

const better = (a: Plan, b: Plan | undefined) => !b || a.parts < b.parts || (a.parts === b.parts && a.cost <= b.cost);

/**
 * The SMS to send for a reply: the text itself when it fits one SMS; otherwise as few SMS as it can be cut
 * into, each fitting one, cut between words and, among the ways to cut it into that many, at the breaks
 * that read best (a line or sentence end when one is near the end of a part). Parts are in order and lose
 * nothing but the whitespace at each cut (and at the text's ends).
 */
export function smsParts(text: string): string[] {
  if (fitsOneSms(text)) return [text];
  const body = text.trim();
  if (fitsOneSms(body)) return [body];

  // Best plan reaching each position a part can start at; the positions only ever grow.
  const plans = new Map<number, Plan>([[0, { parts: 0, cost: 0, from: -1, end: -1 }]]);
  let last: { from: number; plan: Plan } | undefined;
  for (let start = 0; start < body.length; start++) {
    const plan = plans.get(start);
    if (!plan) continue;
    const room = longestFit(body, start);
    if (room === body.length) {
      const done = { ...plan, parts: plan.parts + 1 };
      if (better(done, last?.plan)) last = { from: start, plan: done };
      continue;
    }
    const reach = (end: number, next: number, cost: number) => {
      const candidate = { parts: plan.parts + 1, cost: plan.cost + cost, from: start, end };
      if (better(candidate, plans.get(next))) plans.set(next, candidate);
    };
    for (let i = start + 1; i <= room; i++) {
      if (!isSpace(body[i]) || isSpace(body[i - 1])) continue;
      let next = i;
      while (isSpace(body[next])) next++;
      const near = i - start >= (room - start) * NEAR;
      const cost = Math.max(breakCost(body, i), near ? 0 : 30) + Math.round((9 * (room - i)) / (room - start));
      reach(i, next, cost);
    }
    if (!isSpace(body[room]) && !fitsOneSms(wordAround(body, room))) reach(room, room, CUT_INSIDE_A_WORD);
  }

  const parts = [body.slice(last!.from)];
  for (let at = last!.from; at > 0; ) {
    const { from, end } = plans.get(at)!;
    parts.unshift(body.slice(from, end));
    at = from;
  }
  return parts;
}
