/** The windows a reconciliation covers: the schedule's aligned hours, and the times the command accepts. */
import { windowBefore } from '../../../lib/definitions/reconcile';
import { parseWhen } from '../../../lib/reconcile/window';

test('run at 10:15 (or late, at 10:59) the hourly schedule reconciles 09:00-10:00; at 10:14 still 08:00-09:00', () => {
  const iso = (w: { since: Date; until: Date }) => [w.since.toISOString(), w.until.toISOString()];
  expect(iso(windowBefore(new Date('2025-01-01T10:15:00Z')))).toEqual([
    '2025-01-01T09:00:00.000Z',
    '2025-01-01T10:00:00.000Z',
  ]);
  expect(iso(windowBefore(new Date('2025-01-01T10:59:59Z')))).toEqual([
    '2025-01-01T09:00:00.000Z',
    '2025-01-01T10:00:00.000Z',
  ]);
  expect(iso(windowBefore(new Date('2025-01-01T10:14:59Z')))).toEqual([
    '2025-01-01T08:00:00.000Z',
    '2025-01-01T09:00:00.000Z',
  ]);
  expect(iso(windowBefore(new Date('2025-01-01T10:20:00Z'), 10, 5))).toEqual([
    '2025-01-01T10:00:00.000Z',
    '2025-01-01T10:10:00.000Z',
  ]);
});

test('--since takes an ISO time or a span before now', () => {
  const now = new Date('2025-01-01T12:00:00Z');
  expect(parseWhen('2h', now).toISOString()).toBe('2025-01-01T10:00:00.000Z');
  expect(parseWhen('30m', now).toISOString()).toBe('2025-01-01T11:30:00.000Z');
  expect(parseWhen('1d', now).toISOString()).toBe('2024-12-31T12:00:00.000Z');
  expect(parseWhen('2025-01-01T08:00:00Z', now).toISOString()).toBe('2025-01-01T08:00:00.000Z');
  expect(() => parseWhen('yesterday', now)).toThrow('not a time');
  expect(() => parseWhen('2025-13-45', now)).toThrow('not a time');
});
