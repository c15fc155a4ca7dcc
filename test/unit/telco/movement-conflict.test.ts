/** An operator movement found under our reference is ours only when its kind, number and amount match. */
import { movementConflict } from '../../../lib/telco/types';

const asked = { kind: 'debit' as const, phoneNumber: '+254712345678', amountMinor: 64500n };
const found = (recorded?: Parameters<typeof movementConflict>[0]['recorded']) => ({
  reference: 'conversion:api:k:debit',
  status: 'committed' as const,
  ...(recorded ? { recorded } : {}),
});

test('the same kind, number and amount is ours', () => {
  expect(movementConflict(found({ kind: 'debit', phoneNumber: '+254712345678', amountMinor: 64500n }), asked)).toBe(
    undefined,
  );
});

test('an operator that tells nothing about it is taken at its word (the reference is ours)', () => {
  expect(movementConflict(found(), asked)).toBe(undefined);
  expect(movementConflict(found({ amountMinor: 64500n }), asked)).toBe(undefined);
});

test('another kind, number or amount is a conflict, never a payment', () => {
  expect(movementConflict(found({ kind: 'transfer' }), asked)).toMatch(/transfer, not a debit/);
  expect(movementConflict(found({ phoneNumber: '+254700000000' }), asked)).toMatch(/another number/);
  expect(movementConflict(found({ amountMinor: 263266n }), asked)).toMatch(/another amount/);
});
