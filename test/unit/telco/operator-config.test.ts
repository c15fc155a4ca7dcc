import { loadConfig as loadConfigOf } from '../../../lib/config';
import { createTelco } from '../../../lib/telco/factory';
import { MomoOperator } from '../../../lib/telco/momo';
import { AirtelOperator } from '../../../lib/telco/airtel';
import type { Pool } from 'pg';

/** The configuration as an environment gives it; these tests mean local mode unless they say production
 * (which needs its webhook allowlist). */
const loadConfig = (env: NodeJS.ProcessEnv = {}) =>
  loadConfigOf({
    APP_ENV: 'local',
    ...(env.APP_ENV === 'production'
      ? { WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8', PIN_PEPPER: 'a-production-pepper-0123456789' }
      : {}),
    ...env,
  });

const MOMO = {
  MOMO_COLLECTION_KEY: 'coll-key-0123456789',
  MOMO_DISBURSEMENT_KEY: 'disb-key-0123456789',
  MOMO_API_USER: 'c72025f5-5cd1-4630-99e4-8ba4722fad56',
  MOMO_API_KEY: 'api-key-secret-0123456789',
};

test('MoMo serving an operator needs its keys, named one at a time', () => {
  expect(() => loadConfig({ TELCO_OPERATOR_ADAPTERS: 'mtn-ug=momo' })).toThrow(
    'MOMO_COLLECTION_KEY is required when an adapter is momo',
  );
  expect(() => loadConfig({ TELCO_OPERATOR_ADAPTERS: 'mtn-ug=momo', ...MOMO, MOMO_API_KEY: '' })).toThrow(
    'MOMO_API_KEY is required when an adapter is momo',
  );
});

test('with its keys, MoMo is configured, disbursement falls back to the collection user, and only mtn-ug goes to it', () => {
  const config = loadConfig({ TELCO_OPERATOR_ADAPTERS: 'mtn-ug=momo', ...MOMO, MOMO_CURRENCY: 'UGX' });
  expect(config.telco.momo).toMatchObject({
    currency: 'UGX',
    targetEnvironment: 'sandbox',
    disbursement: { subscriptionKey: MOMO.MOMO_DISBURSEMENT_KEY, apiUser: MOMO.MOMO_API_USER },
    approvalTimeoutMs: 240_000,
  });
  const { airtime, messaging } = createTelco(config, {} as Pool);
  expect(airtime.adapterFor('mtn-ug')).toBeInstanceOf(MomoOperator);
  expect(airtime.adapterFor('safaricom-ke').name).toBe('simulated');
  expect(messaging.name).toBe('simulated');
  expect(airtime.supportsTransfer('mtn-ug')).toBe(false);
});

test('an adapter that moves money only cannot send SMS', () => {
  expect(() => loadConfig({ SMS_ADAPTER: 'momo' })).toThrow(/SMS_ADAPTER must be an adapter that sends SMS/);
});

test('a bad operator secret is refused without echoing it', () => {
  let message = '';
  try {
    loadConfig({ ...MOMO, MOMO_API_KEY: 'has a space secret-value' });
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toContain('MOMO_API_KEY');
  expect(message).toContain('value hidden');
  expect(message).not.toContain('secret-value');
});

test('production refuses a real operator over plain http', () => {
  const production = {
    APP_ENV: 'production',
    CHAIN_SIGNER_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
    WALLET_MNEMONIC: 'test test test test test test test test test test test junk',
    USSD_WEBHOOK_SECRET: 'ussd-secret-0123456789',
    SMS_WEBHOOK_SECRET: 'sms-secret-0123456789',
    TELCO_OPERATOR_ADAPTERS: 'mtn-ug=momo',
    ...MOMO,
  };
  expect(() => loadConfig({ ...production, MOMO_BASE_URL: 'http://momo.internal' })).toThrow(
    'MOMO_BASE_URL must be https when APP_ENV=production',
  );
  expect(() => loadConfig({ ...production, MOMO_COLLECTION_KEY: '' })).toThrow(/MOMO_COLLECTION_KEY is required/);
});

test('the operator limits come from the environment', () => {
  expect(
    loadConfig({ OPERATOR_BREAKER_FAILURES: '3', OPERATOR_BREAKER_COOLDOWN_SECONDS: '12' }).telco.operatorLimits,
  ).toEqual({ timeoutMs: 15000, maxConcurrent: 16, ratePerSecond: 20, breakerThreshold: 3, breakerCoolDownMs: 12000 });
});

test('Airtel Money needs its client credentials, and then serves the operators configured for it', () => {
  expect(() => loadConfig({ TELCO_OPERATOR_ADAPTERS: 'airtel-ug=airtel' })).toThrow(
    'AIRTEL_CLIENT_ID is required when an adapter is airtel',
  );
  const config = loadConfig({
    TELCO_OPERATOR_ADAPTERS: 'airtel-ug=airtel,mtn-ug=momo',
    ...MOMO,
    AIRTEL_CLIENT_ID: 'client-id',
    AIRTEL_CLIENT_SECRET: 'client-secret',
  });
  expect(config.telco.airtel).toMatchObject({
    country: 'UG',
    currency: 'UGX',
    baseUrl: 'https://openapiuat.airtel.africa',
  });
  const { airtime } = createTelco(config, {} as Pool);
  expect(airtime.adapterFor('airtel-ug')).toBeInstanceOf(AirtelOperator);
  expect(airtime.adapterFor('mtn-ug')).toBeInstanceOf(MomoOperator);
});

test('MoMo callbacks: MOMO_CALLBACK_URL turns them on with the secret for its path; production wants its own secret and https', () => {
  const local = loadConfig({
    TELCO_OPERATOR_ADAPTERS: 'mtn-ug=momo',
    ...MOMO,
    MOMO_CALLBACK_URL: 'http://bridge.test/momo/callback',
  });
  expect(local.telco.momo).toMatchObject({
    callbackUrl: 'http://bridge.test/momo/callback',
    callbackSecret: local.webhooks.momoCallbackSecret,
  });
  expect(loadConfig({ TELCO_OPERATOR_ADAPTERS: 'mtn-ug=momo', ...MOMO }).telco.momo?.callbackSecret).toBeUndefined();

  const production = {
    APP_ENV: 'production',
    CHAIN_SIGNER_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
    WALLET_MNEMONIC: 'test test test test test test test test test test test junk',
    USSD_WEBHOOK_SECRET: 'ussd-secret-0123456789',
    SMS_WEBHOOK_SECRET: 'sms-secret-0123456789',
    TELCO_OPERATOR_ADAPTERS: 'mtn-ug=momo',
    ...MOMO,
    MOMO_CALLBACK_URL: 'https://bridge.example/momo/callback',
  };
  expect(() => loadConfig(production)).toThrow(
    'MOMO_CALLBACK_SECRET is required when APP_ENV=production and MOMO_CALLBACK_URL is set',
  );
  expect(() => loadConfig({ ...production, MOMO_CALLBACK_SECRET: local.webhooks.momoCallbackSecret })).toThrow(
    'MOMO_CALLBACK_SECRET must not be the local development secret',
  );
  const secret = 'momo-callback-secret-0123456789';
  expect(() =>
    loadConfig({ ...production, MOMO_CALLBACK_SECRET: secret, MOMO_CALLBACK_URL: 'http://bridge.example/cb' }),
  ).toThrow('MOMO_CALLBACK_URL must be https when APP_ENV=production');
  expect(loadConfig({ ...production, MOMO_CALLBACK_SECRET: secret }).webhooks.momoCallbackSecret).toBe(secret);
});

test('a callback secret goes in a URL path: anything not URL-safe is refused without echoing it', () => {
  let message = '';
  try {
    loadConfig({ MOMO_CALLBACK_SECRET: 'with/a/slash-secret-value' });
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toContain('MOMO_CALLBACK_SECRET');
  expect(message).toContain('value hidden');
  expect(message).not.toContain('secret-value');
});

test('Airtel callbacks: AIRTEL_CALLBACK_SECRET turns on the wait’s look at them; the route has a secret either way', () => {
  const airtel = {
    TELCO_OPERATOR_ADAPTERS: 'airtel-ug=airtel',
    AIRTEL_CLIENT_ID: 'id',
    AIRTEL_CLIENT_SECRET: 'secret',
  };
  expect(loadConfig(airtel).telco.airtel?.callbacks).toBe(false);
  const on = loadConfig({ ...airtel, AIRTEL_CALLBACK_SECRET: 'airtel-callback-secret-0123' });
  expect(on.telco.airtel?.callbacks).toBe(true);
  expect(on.webhooks.airtelCallbackSecret).toBe('airtel-callback-secret-0123');
});
