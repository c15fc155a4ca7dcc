import type { Pool } from 'pg';
import {
  AT_LIVE_URL,
  AT_SANDBOX_URL,
  ConfigError,
  LOCAL_DEV_AT_CALLBACK_SECRET,
  loadConfig as loadConfigOf,
} from '../../../lib/config';
import { AfricasTalkingOperator } from '../../../lib/telco/africastalking';
import { createTelco } from '../../../lib/telco/factory';

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

const KEY = 'atsk_0123456789abcdef0123456789abcdef';
/** What production needs besides Africa's Talking's own settings. */
const PRODUCTION = {
  APP_ENV: 'production',
  CHAIN_SIGNER_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
  WALLET_MNEMONIC: 'test test test test test test test test test test test junk',
  USSD_WEBHOOK_SECRET: 'prod-ussd-secret-0123456789',
  SMS_WEBHOOK_SECRET: 'prod-sms-secret-0123456789',
};

test('Africa’s Talking anywhere in the routing needs its API key, and the message never shows a value', () => {
  for (const env of [
    { SMS_ADAPTER: 'africastalking' },
    { TELCO_ADAPTER: 'africastalking' },
    { TELCO_OPERATOR_ADAPTERS: 'airtel-ke=africastalking' },
  ]) {
    expect(() => loadConfig(env)).toThrow('AT_API_KEY is required when an adapter is africastalking');
  }
  let error: unknown;
  try {
    loadConfig({ SMS_ADAPTER: 'africastalking', AT_API_KEY: 'short key' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toContain('value hidden');
  expect((error as Error).message).not.toContain('short key');
});

test('the host follows AT_ENVIRONMENT unless AT_BASE_URL overrides it', () => {
  const at = (env: Record<string, string>) =>
    loadConfig({ SMS_ADAPTER: 'africastalking', AT_API_KEY: KEY, ...env }).telco.africastalking;
  expect(at({})).toMatchObject({ username: 'sandbox', environment: 'sandbox', baseUrl: AT_SANDBOX_URL });
  expect(at({ AT_ENVIRONMENT: 'live', AT_USERNAME: 'txtc' })).toMatchObject({ username: 'txtc', baseUrl: AT_LIVE_URL });
  expect(at({ AT_BASE_URL: 'http://127.0.0.1:9999' }).baseUrl).toBe('http://127.0.0.1:9999');
  expect(() => at({ AT_ENVIRONMENT: 'staging' })).toThrow(/AT_ENVIRONMENT/);
  expect(() => at({ AT_SENDER_ID: 'A sender id far too long' })).toThrow(/AT_SENDER_ID/);
});

test('one credit attempt (HTTP call plus the wait for the status callback) must fit an operator call’s 30 s', () => {
  expect(() =>
    loadConfig({
      SMS_ADAPTER: 'africastalking',
      AT_API_KEY: KEY,
      AT_HTTP_TIMEOUT_MS: '15000',
      AT_STATUS_WAIT_MS: '15000',
    }),
  ).toThrow('AT_STATUS_WAIT_MS plus AT_HTTP_TIMEOUT_MS must not exceed 25000');
});

test('production with Africa’s Talking needs its own callback secret; without AT nobody holds one', () => {
  const withAt = { ...PRODUCTION, SMS_ADAPTER: 'africastalking', AT_API_KEY: KEY };
  expect(() => loadConfig(withAt)).toThrow('AT_CALLBACK_SECRET is required when APP_ENV=production');
  expect(() => loadConfig({ ...withAt, AT_CALLBACK_SECRET: LOCAL_DEV_AT_CALLBACK_SECRET })).toThrow(
    'AT_CALLBACK_SECRET must not be the local development secret',
  );
  const secret = 'prod-at-callback-secret-0123';
  expect(loadConfig({ ...withAt, AT_CALLBACK_SECRET: secret }).webhooks.atCallbackSecret).toBe(secret);

  expect(() => loadConfig({ ...withAt, AT_CALLBACK_SECRET: secret, AT_BASE_URL: 'http://at.example' })).toThrow(
    'AT_BASE_URL must be https when APP_ENV=production',
  );

  const withoutAt = loadConfig(PRODUCTION).webhooks.atCallbackSecret;
  expect(withoutAt).not.toBe(LOCAL_DEV_AT_CALLBACK_SECRET);
  expect(withoutAt).not.toBe(loadConfig(PRODUCTION).webhooks.atCallbackSecret);
  expect(loadConfig({}).webhooks.atCallbackSecret).toBe(LOCAL_DEV_AT_CALLBACK_SECRET);
});

test('the factory builds one Africa’s Talking adapter for SMS and the operators routed to it', () => {
  const config = loadConfig({
    SMS_ADAPTER: 'africastalking',
    TELCO_OPERATOR_ADAPTERS: 'airtel-ke=africastalking,telkom-ke=africastalking',
    AT_API_KEY: KEY,
  });
  const { airtime, messaging } = createTelco(config, {} as Pool);
  expect(messaging).toBeInstanceOf(AfricasTalkingOperator);
  expect(airtime.adapterFor('airtel-ke')).toBe(messaging);
  expect(airtime.adapterFor('telkom-ke')).toBe(messaging);
  expect(airtime.adapterFor('safaricom-ke').name).toBe('simulated');
  // No same-operator transfer: airtime between two AT-served numbers goes as a debit and a credit.
  expect(airtime.supportsTransfer('airtel-ke')).toBe(false);
});
