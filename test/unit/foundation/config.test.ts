import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  ConfigError,
  LOCAL_DEV_SIGNER_KEY,
  LOCAL_DEV_WALLET_MNEMONIC,
  loadConfig as loadConfigOf,
} from '../../../lib/config';

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

const ROOT = resolve(__dirname, '..', '..', '..');

describe('configuration', () => {
  test('defaults match the design: fee 2%, limits $1-$100, orchestrator port 8082', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8082);
    expect(config.fees.platformFeeBps).toBe(200n);
    expect(config.limits.minUsdCents).toBe(100n);
    expect(config.limits.maxUsdCents).toBe(10000n);
    expect(config.ussd.shortcode).toBe('*123*456#');
    expect(config.rates.fixedTxtcPerUsd).toBe(100n * 10n ** 18n);
  });

  test.each([
    ['PLATFORM_FEE_PERCENT', 'two'],
    ['PLATFORM_FEE_PERCENT', '150'],
    ['PORT', '99999'],
    ['DATABASE_URL', 'mysql://x'],
    ['MAX_AIRTIME_AMOUNT', '-5'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['USSD_SHORTCODE', '123'],
    ['SIM_TELCO_ERROR_RATE', '2'],
  ])('a bad %s (%s) is a ConfigError naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  test('APP_ENV unset is production: it refuses the dev phrase, and starts only with an allowlist or an explicit any', () => {
    const prod = {
      CHAIN_SIGNER_PRIVATE_KEY: '0x' + '11'.repeat(32),
      WALLET_MNEMONIC: 'test test test test test test test test test test test junk',
      USSD_WEBHOOK_SECRET: 'u'.repeat(32),
      SMS_WEBHOOK_SECRET: 's'.repeat(32),
      PIN_PEPPER: 'p'.repeat(32),
    };
    expect(() => loadConfigOf(prod)).toThrow(/WEBHOOK_IP_ALLOWLIST is required when APP_ENV=production/);
    expect(() => loadConfigOf({ ...prod, WEBHOOK_IP_ALLOWLIST: 'any', PIN_PEPPER: undefined })).toThrow(
      /PIN_PEPPER is required when APP_ENV=production/,
    );
    expect(() =>
      loadConfigOf({ ...prod, WEBHOOK_IP_ALLOWLIST: 'any', PIN_PEPPER: 'local-dev-pin-pepper-not-a-secret' }),
    ).toThrow(/PIN_PEPPER must not be the local development pepper/);
    expect(loadConfigOf({ ...prod, WEBHOOK_IP_ALLOWLIST: 'any' })).toMatchObject({
      appEnv: 'production',
      host: '0.0.0.0',
      webhooks: { ipAllowlist: [] },
    });
    expect(loadConfigOf({ ...prod, WEBHOOK_IP_ALLOWLIST: '196.201.214.0/24' }).webhooks.ipAllowlist).toEqual([
      '196.201.214.0/24',
    ]);
    expect(() =>
      loadConfigOf({ ...prod, WEBHOOK_IP_ALLOWLIST: 'any', WALLET_MNEMONIC: LOCAL_DEV_WALLET_MNEMONIC }),
    ).toThrow(/WALLET_MNEMONIC must not be the local development phrase/);
    expect(() =>
      loadConfigOf({ ...prod, WEBHOOK_IP_ALLOWLIST: 'any', CHAIN_SIGNER_PRIVATE_KEY: LOCAL_DEV_SIGNER_KEY }),
    ).toThrow(/CHAIN_SIGNER_PRIVATE_KEY/);
    // Local mode listens on loopback unless told otherwise.
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  test('a malformed secret is named but never echoed', () => {
    const key = '0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef00';
    expect(() => loadConfig({ CHAIN_SIGNER_PRIVATE_KEY: key })).toThrow(
      /^Invalid configuration: CHAIN_SIGNER_PRIVATE_KEY .*\(value hidden\)$/,
    );
    try {
      loadConfig({ CHAIN_SIGNER_PRIVATE_KEY: key });
    } catch (e) {
      expect((e as Error).message).not.toContain('deadbeef');
    }
  });

  test('production refuses to run on the development signer key', () => {
    expect(() => loadConfig({ APP_ENV: 'production' })).toThrow(/CHAIN_SIGNER_PRIVATE_KEY is required/);
  });

  test('production refuses to start without each webhook secret, or with the development one', () => {
    const production = {
      APP_ENV: 'production',
      CHAIN_SIGNER_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
      WALLET_MNEMONIC: 'test test test test test test test test test test test junk',
      USSD_WEBHOOK_SECRET: 'ussd-secret-of-production',
      SMS_WEBHOOK_SECRET: 'sms-secret-of-production',
    };
    expect(loadConfig(production).webhooks).toMatchObject({ ussdSecret: 'ussd-secret-of-production' });
    expect(() => loadConfig({ ...production, USSD_WEBHOOK_SECRET: '' })).toThrow(/USSD_WEBHOOK_SECRET is required/);
    expect(() => loadConfig({ ...production, SMS_WEBHOOK_SECRET: '' })).toThrow(/SMS_WEBHOOK_SECRET is required/);
    expect(() => loadConfig({ ...production, SMS_WEBHOOK_SECRET: 'local-dev-sms-webhook-secret' })).toThrow(
      /SMS_WEBHOOK_SECRET must not be the local development secret/,
    );
    // Local mode has development secrets: the webhooks still require them.
    expect(loadConfig({}).webhooks.ussdSecret).toBe('local-dev-ussd-webhook-secret');
  });

  test('a short webhook secret is named but never echoed; a bad allowlist entry is named', () => {
    expect(() => loadConfig({ USSD_WEBHOOK_SECRET: 'short-s3cret' })).toThrow(
      /^Invalid configuration: USSD_WEBHOOK_SECRET .*\(value hidden\)$/,
    );
    expect(() => loadConfig({ USSD_WEBHOOK_SECRET: 'short-s3cret' })).not.toThrow(/short-s3cret/);
    expect(loadConfig({ WEBHOOK_IP_ALLOWLIST: ' 10.0.0.0/8, 2001:db8::/32,192.0.2.7 ' }).webhooks.ipAllowlist).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
      '192.0.2.7',
    ]);
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '::/129'])
      expect(() => loadConfig({ WEBHOOK_IP_ALLOWLIST: bad })).toThrow(/^Invalid configuration: WEBHOOK_IP_ALLOWLIST /);
  });

  test('a bad value stops a process at start-up with one line naming the variable', () => {
    const result = spawnSync(resolve(ROOT, 'node_modules/.bin/tsx'), ['api/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PLATFORM_FEE_PERCENT: 'lots' },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: PLATFORM_FEE_PERCENT /);
  });
});
