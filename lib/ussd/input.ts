/**
 * The USSD input rule, in one place: what a person types on a hop is navigation (0 back, 00 home) or an answer;
 * at a PIN prompt anything but navigation is the secret. The API (which takes the PIN out before the workflow
 * sees the hop), the session workflow's validator and the menu all ask here. Pure: workflows import it.
 */

/** 0: one screen back; 00: the main menu (or the start of a flow that must come first). */
export type Navigation = 'back' | 'home';

export function navigationOf(typed: string): Navigation | undefined {
  const text = typed.trim();
  return text === '00' ? 'home' : text === '0' ? 'back' : undefined;
}

/** At a prompt that expects a secret, this input is the secret (not navigation, not an empty resend). */
export function isSecretInput(typed: string): boolean {
  return typed.trim() !== '' && navigationOf(typed) === undefined;
}
