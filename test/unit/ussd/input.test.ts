import { isSecretInput, navigationOf } from '../../../lib/ussd/input';

test('0 is back, 00 is home, with spaces around them too; anything else is an answer', () => {
  expect(navigationOf('0')).toBe('back');
  expect(navigationOf(' 00 ')).toBe('home');
  for (const typed of ['000', '1', '', '0 0', '7391']) expect(navigationOf(typed)).toBeUndefined();
});

test('at a PIN prompt, what is not navigation nor empty is the secret (the API takes it out before the workflow)', () => {
  expect(isSecretInput('7391')).toBe(true);
  expect(isSecretInput('000')).toBe(true); // a PIN may start with zeros
  for (const typed of ['0', '00', '', '  ']) expect(isSecretInput(typed)).toBe(false);
});
