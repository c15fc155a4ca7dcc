/**
 * Logs never carry a whole phone number or a credential (issue 12): numbers are masked wherever they sit in a
 * line (a field, a nested report, the message, an error's text), and credential headers are redacted.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../../lib/log';

function capture() {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger('info', 'test', { destination }), raw };
}

test('a number is masked in a top-level field, a nested report, the message and an error text', () => {
  const { log, raw } = capture();
  log.info({ phoneNumber: '+254712345678' }, 'top level');
  log.warn(
    {
      first: [
        {
          reference: 'conversion:api:x:debit',
          found: 'debit of 12345 for +254712345678',
          counterparty: '+256772123456',
        },
      ],
    },
    'reconciliation found mismatches',
  );
  log.info('SMS to +2348031234567 not sent');
  log.error({ err: new Error('no account for +233241234567') }, 'operator call failed');
  const text = raw.join('\n');
  for (const national of ['712345678', '772123456', '8031234567', '241234567']) expect(text).not.toContain(national);
  expect(text).toContain('debit of 12345 for +2547*****678');
  expect(text).toContain('SMS to +2348******567 not sent');
  expect(raw.map((l) => JSON.parse(l) as unknown)).toHaveLength(4); // still JSON lines
});

test('long digit runs that are not numbers in E.164 (times, amounts, hashes) are left alone', () => {
  const { log, raw } = capture();
  log.info({ amount: '1470000000000000000000', at: 1795528104330, txHash: '0x7e8999967af8d0850dc1a903915d7642' }, 'x');
  const line = JSON.parse(raw[0]!) as Record<string, unknown>;
  expect(line).toMatchObject({ amount: '1470000000000000000000', at: 1795528104330 });
});

test('credential headers are redacted wherever a line carries them', () => {
  const { log, raw } = capture();
  const headers = {
    authorization: 'Bearer txtc_secret1',
    'x-api-key': 'txtc_secret2',
    'x-webhook-secret': 'hook-secret-3',
  };
  log.info({ headers, 'x-api-key': 'txtc_secret4' }, 'request');
  const text = raw.join('\n');
  for (const secret of ['txtc_secret1', 'txtc_secret2', 'hook-secret-3', 'txtc_secret4'])
    expect(text).not.toContain(secret);
  expect(text).toContain('[redacted]');
});

test('credentials are redacted by key name at any depth, whatever the case (apiKey, pin, secret, token)', () => {
  const { log, raw } = capture();
  log.info(
    {
      request: { body: { apiKey: 'txtc_deep1', pin: '2468', nested: [{ clientSecret: 'deep-secret-2' }] } },
      config: { momo: { collection: { API_KEY: 'deep-key-3' } }, at: { accessToken: 'deep-token-4' } },
      pinLocked: true,
    },
    'request',
  );
  const text = raw.join('\n');
  for (const secret of ['txtc_deep1', '2468', 'deep-secret-2', 'deep-key-3', 'deep-token-4'])
    expect(text).not.toContain(secret);
  expect(JSON.parse(raw[0]!)).toMatchObject({
    request: { body: { apiKey: '[redacted]', pin: '[redacted]' } },
    pinLocked: true,
  });
});

test('numbers written without the + (254..., 07...) are masked in fields and in text alike', () => {
  const { log, raw } = capture();
  log.info({ msisdn: '254712345678', note: 'payer 254712345678, local 0712345678' }, 'paid 256772123456');
  const text = raw.join('\n');
  for (const number of ['254712345678', '0712345678', '256772123456']) expect(text).not.toContain(number);
});
