/**
 * The one typed configuration of txtc-bridge, read from environment variables and validated at start.
 * A bad value stops start-up with one line naming the variable (see ConfigError).
 * `.env.example` documents every variable listed here.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDecimal } from './money/decimal';
import type { OperatorHttpLimits } from './telco/http';

/** Africa's Talking's API hosts (AT_ENVIRONMENT); AT_BASE_URL overrides them (tests, a proxy). */
export const AT_SANDBOX_URL = 'https://api.sandbox.africastalking.com';
export const AT_LIVE_URL = 'https://api.africastalking.com';
import type { FraudRules } from './fraud/rules';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Hardhat's first well-known development account: public knowledge, never valid outside local mode. */
export const LOCAL_DEV_SIGNER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
/** Development-only seed for custodial wallets; production must set WALLET_MNEMONIC. */
export const LOCAL_DEV_WALLET_MNEMONIC = 'rude shadow pair churn service mammal border infant quiz neglect success sad';

/** Development-only webhook secrets: local mode still requires them on every webhook; production must set its own. */
export const LOCAL_DEV_USSD_WEBHOOK_SECRET = 'local-dev-ussd-webhook-secret';
export const LOCAL_DEV_SMS_WEBHOOK_SECRET = 'local-dev-sms-webhook-secret';
export const LOCAL_DEV_AT_CALLBACK_SECRET = 'local-dev-at-callback-secret';
export const LOCAL_DEV_MOMO_CALLBACK_SECRET = 'local-dev-momo-callback-secret';
export const LOCAL_DEV_AIRTEL_CALLBACK_SECRET = 'local-dev-airtel-callback-secret';
/** Development-only PIN pepper: local mode's PINs are keyed with it; production must set its own. */
export const LOCAL_DEV_PIN_PEPPER = 'local-dev-pin-pepper-not-a-secret';

/** Telco adapters this build has; real operators' adapters join this list. */
export const TELCO_ADAPTERS = ['simulated', 'africastalking', 'momo', 'airtel'] as const;
/** Adapters that move money only: never the SMS adapter. */
const MONEY_ONLY_ADAPTERS: readonly string[] = ['momo', 'airtel'];
export type TelcoAdapterName = (typeof TELCO_ADAPTERS)[number];

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const port = z.coerce.number().int().min(1).max(65535);
const nonNegativeInt = z.coerce.number().int().min(0);
const rate = z.coerce.number().min(0).max(1);
/** A webhook secret: long enough that guessing is hopeless, printable so it fits a header. */
const webhookSecret = z
  .string()
  .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16-256 printable characters without spaces')
  .optional();
/** A secret that rides in a callback URL's path (MoMo and Airtel send no header of ours): URL-safe. */
const pathSecret = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 letters, digits, "-" or "_" (it goes in a URL path)')
  .optional();
/** An IPv4 or IPv6 address, alone or with a /prefix. */
function isCidr(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
/** A decimal written by a person (USD amounts, percents), held as an integer of `digits` places. */
const decimal = (digits: number) =>
  z.string().transform((value, ctx) => {
    try {
      return parseDecimal(value, digits);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a plain decimal number with at most ${digits} decimals` });
      return z.NEVER;
    }
  });

/** An operator credential: printable, no spaces. */
const operatorSecret = z
  .string()
  .regex(/^[\x21-\x7e]{1,512}$/, 'must be printable characters without spaces')
  .optional();
const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter currency code such as UGX');
/** How long a debit waits for the person's approval on the handset (the approvalCall preset allows 6 minutes). */
const approvalSeconds = z.coerce.number().int().min(5).max(300).default(240);

/** A comma-separated list of addresses or CIDRs ('any' for WEBHOOK_IP_ALLOWLIST's explicit opt-out: empty). */
const cidrList = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const entries = text
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    // 'any': an explicit opt-out (logged at start), which production needs when it sets no list.
    if (entries.length === 1 && entries[0]!.toLowerCase() === 'any') return [];
    const bad = entries.find((e) => !isCidr(e));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `has "${bad}", which is not an IP address or CIDR` });
      return z.NEVER;
    }
    return entries;
  });

/** E.164 numbers, comma-separated (the on-call numbers alerts are SMSed to) */
const phoneList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  )
  .pipe(z.array(z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be E.164 numbers such as +254712345678, comma-separated')));

const schema = z.object({
  // Production unless told otherwise: `npm start`, the tests, the benchmarks and the chaos run set local.
  APP_ENV: z.enum(['local', 'production']).default('production'),
  /** the address the API and the metrics endpoints listen on (local: loopback; production: every interface) */
  HOST: z.string().min(1).max(255).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port.default(8082),
  DATA_DIR: z.string().min(1).default('data'),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/txtc_bridge'),

  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('txtc-bridge'),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).max(255).optional(),
  TEMPORAL_API_KEY: z.string().min(8).max(4096).optional(),
  START_LOCAL_TEMPORAL: bool.default(true),

  CHAIN_RPC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8545'),
  START_LOCAL_CHAIN: bool.default(true),
  CHAIN_BLOCK_TIME_MS: nonNegativeInt.default(0),
  CHAIN_SIGNER_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex key')
    .optional(),
  CHAIN_RECEIPT_TIMEOUT_MS: nonNegativeInt.default(60000),
  /** mints and relayed sends written in batches by the chain writer workflow (off: one transaction each) */
  CHAIN_BATCHING: bool.default(true),
  /**
   * entries per batch transaction. With timed blocks it bounds throughput: one batch per block, so 300 entries
   * on 12 s blocks is 25 conversions/s (100 was 8.3/s, under bench:conversion's 20/s). A mint entry costs about
   * 38k gas (bench:conversion), so 300 mints are about 11.5M, 14M with the writer's 1.2x margin; a relayed send
   * costs more (its signature check). Keep entries x gas under the chain's block gas limit (30M on local nodes,
   * 60M on Sepolia).
   */
  CHAIN_BATCH_MAX_ENTRIES: z.coerce.number().int().min(1).max(500).default(300),
  CHAIN_BATCH_DELAY_MS: nonNegativeInt.default(200),
  /** a batch transaction unmined this long is replaced with a higher fee (default: 3 blocks, at least 30 s) */
  CHAIN_BATCH_STUCK_MS: nonNegativeInt.optional(),
  TXTC_ADDRESS: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed address')
    .optional(),
  TXTC_DEPLOY_BLOCK: nonNegativeInt.default(0),
  RATE_PAIR_ADDRESS: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed address')
    .optional(),
  WALLET_MNEMONIC: z.string().optional(),

  PLATFORM_FEE_PERCENT: decimal(2).refine((bps) => bps <= 10000n, 'must be between 0 and 100'),
  GAS_FEE_TXTC: decimal(18),
  MIN_AIRTIME_AMOUNT: decimal(2),
  MAX_AIRTIME_AMOUNT: decimal(2),
  DAILY_LIMIT_USD: decimal(2),
  RATE_SOURCE: z.enum(['uniswap', 'fixed']).default('uniswap'),
  TXTC_PER_USD: decimal(18).refine((v) => v > 0n, 'must be greater than 0'),
  RATE_FALLBACK_TO_FIXED: bool.default(true),
  RATES_CACHE_TTL_MS: nonNegativeInt.default(60000),
  PRICE_TWAP_WINDOW: z.coerce.number().int().min(60).max(86400).default(1800),
  PRICE_MAX_DEVIATION: decimal(2),
  PRICE_STALE_SECONDS: z.coerce.number().int().min(60).max(86400).default(600),
  /** a float reading older than this refuses no payout (the schedule reads every minute) */
  FLOAT_STALE_SECONDS: z.coerce.number().int().min(60).max(86400).default(600),

  USSD_SHORTCODE: z
    .string()
    .regex(/^\*[\d*]+#$/, 'must look like *123*456#')
    .default('*123*456#'),
  USSD_SESSION_TIMEOUT: z.coerce.number().int().min(10).max(3600).default(180),
  USSD_IDLE_TIMEOUT: z.coerce.number().int().min(2).max(600).default(60),
  USSD_RESUME_WINDOW: z.coerce.number().int().min(0).max(600).default(60),
  SMS_CONFIRM_ABOVE_USD: decimal(2),
  SMS_CONFIRM_TIMEOUT: z.coerce.number().int().min(10).max(3600).default(300),
  VOUCHER_MAX_USD: decimal(2),
  VOUCHER_HOLD_ABOVE_USD: decimal(2),
  VOUCHER_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  PAYER_CONSENT_TIMEOUT: z.coerce.number().int().min(5).max(3600).default(300),

  FRAUD_VELOCITY_MAX_MOVEMENTS: nonNegativeInt.default(10),
  FRAUD_VELOCITY_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  FRAUD_MAX_RECEIVERS_PER_HOUR: nonNegativeInt.default(5),
  FRAUD_HOLD_ABOVE_USD: decimal(2),
  FRAUD_NEW_NUMBER_HOLD_ABOVE_USD: decimal(2),
  FRAUD_HOLD_SENDERS_PER_RECEIVER: nonNegativeInt.default(10),
  FRAUD_HOLD_TIMEOUT: z.coerce.number().int().min(1).max(2_592_000).default(86400),

  TELCO_ADAPTER: z.enum(TELCO_ADAPTERS).default('simulated'),
  TELCO_OPERATOR_ADAPTERS: z
    .string()
    .regex(
      /^(\s*[a-z0-9-]+=[a-z-]+\s*(,\s*[a-z0-9-]+=[a-z-]+\s*)*)?$/,
      'must look like "mtn-ug=simulated,airtel-ke=simulated"',
    )
    .default('')
    .transform((text, ctx) => {
      const out: Record<string, TelcoAdapterName> = {};
      for (const pair of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [operator, adapter] = pair.split('=') as [string, string];
        if (!(TELCO_ADAPTERS as readonly string[]).includes(adapter)) {
          ctx.addIssue({
            code: 'custom',
            message: `names an unknown adapter "${adapter}" (known: ${TELCO_ADAPTERS.join(', ')})`,
          });
          return z.NEVER;
        }
        out[operator] = adapter as TelcoAdapterName;
      }
      return out;
    }),
  SMS_ADAPTER: z
    .enum(TELCO_ADAPTERS)
    .default('simulated')
    .refine((a) => !MONEY_ONLY_ADAPTERS.includes(a), 'must be an adapter that sends SMS (simulated, africastalking)'),
  SIM_TELCO_LATENCY_MS: nonNegativeInt.default(0),
  SIM_TELCO_ERROR_RATE: rate.default(0),
  SIM_TELCO_TIMEOUT_AFTER_COMMIT_RATE: rate.default(0),
  AT_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be an Africa’s Talking application username')
    .default('sandbox'),
  AT_API_KEY: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16-256 printable characters without spaces')
    .optional(),
  /** unset: the SDK's rule, the username `sandbox` is the sandbox and any other the live API */
  AT_ENVIRONMENT: z.enum(['sandbox', 'live']).optional(),
  AT_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  AT_SENDER_ID: z
    .string()
    .regex(/^([A-Za-z0-9 ._-]{1,11}|\d{3,15})$/, 'must be an alphanumeric sender id (1-11) or a short code')
    .optional(),
  AT_CALLBACK_SECRET: webhookSecret,
  AT_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(25000).default(10000),
  AT_STATUS_WAIT_MS: z.coerce.number().int().min(0).max(25000).default(15000),
  // MTN MoMo (one market): collection (debits) and disbursement (credits) subscriptions
  MOMO_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://sandbox.momodeveloper.mtn.com'),
  MOMO_TARGET_ENVIRONMENT: z
    .string()
    .regex(/^[a-z0-9]{2,40}$/, 'must be "sandbox" or a market such as "mtnuganda"')
    .default('sandbox'),
  MOMO_CURRENCY: currencyCode.default('EUR'),
  MOMO_COLLECTION_KEY: operatorSecret,
  MOMO_DISBURSEMENT_KEY: operatorSecret,
  MOMO_API_USER: operatorSecret,
  MOMO_API_KEY: operatorSecret,
  MOMO_DISBURSEMENT_API_USER: operatorSecret,
  MOMO_DISBURSEMENT_API_KEY: operatorSecret,
  MOMO_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
  MOMO_CALLBACK_SECRET: pathSecret,
  MOMO_APPROVAL_TIMEOUT: approvalSeconds,
  // Airtel Money (one country): collection (debits) and disbursement (credits)
  AIRTEL_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://openapiuat.airtel.africa'),
  AIRTEL_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as UG')
    .default('UG'),
  AIRTEL_CURRENCY: currencyCode.default('UGX'),
  AIRTEL_CLIENT_ID: operatorSecret,
  AIRTEL_CLIENT_SECRET: operatorSecret,
  AIRTEL_DISBURSEMENT_PIN: operatorSecret,
  AIRTEL_APPROVAL_TIMEOUT: approvalSeconds,
  AIRTEL_CALLBACK_SECRET: pathSecret,
  /** Airtel's RSA public key (PEM file) for message signing: collections then go signed to /merchant/v2/payments/ */
  AIRTEL_SIGNING_PUBLIC_KEY_PATH: z.string().min(1).optional(),
  // Every real operator API's limits and circuit breaker (lib/telco/http.ts), each operator its own
  OPERATOR_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(25000).default(15000),
  OPERATOR_MAX_CONCURRENT: z.coerce.number().int().min(1).max(1000).default(16),
  OPERATOR_RATE_PER_SECOND: nonNegativeInt.default(20),
  OPERATOR_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  OPERATOR_BREAKER_COOLDOWN_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),

  PIN_PEPPER: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
  USSD_WEBHOOK_SECRET: webhookSecret,
  SMS_WEBHOOK_SECRET: webhookSecret,
  WEBHOOK_IP_ALLOWLIST: cidrList,
  /** who Alertmanager's alerts are SMSed to, and at most how many alert SMS each gets an hour */
  ONCALL_NUMBERS: phoneList,
  ONCALL_SMS_PER_HOUR: z.coerce.number().int().min(1).max(100).default(6),
  API_KEYS_REQUIRED: bool.optional(),
  TRUSTED_PROXIES: cidrList,
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(65536),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86400).default(60),
  RATE_LIMIT_PER_IP: nonNegativeInt.default(1200),
  RATE_LIMIT_PER_PHONE: nonNegativeInt.default(60),
  RATE_LIMIT_PER_KEY: nonNegativeInt.default(600),

  METRICS_CACHE_TTL_MS: nonNegativeInt.default(10000),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  TEMPORAL_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
});

/** Never echoed in an error: keys, seeds, and URLs that may carry a password. */
const SECRET_VARIABLES = new Set([
  'PIN_PEPPER',
  'TEMPORAL_API_KEY',
  'CHAIN_SIGNER_PRIVATE_KEY',
  'WALLET_MNEMONIC',
  'DATABASE_URL',
  'CHAIN_RPC_URL',
  'USSD_WEBHOOK_SECRET',
  'SMS_WEBHOOK_SECRET',
  'AT_API_KEY',
  'AT_CALLBACK_SECRET',
  'AT_BASE_URL',
  'MOMO_COLLECTION_KEY',
  'MOMO_DISBURSEMENT_KEY',
  'MOMO_API_KEY',
  'MOMO_DISBURSEMENT_API_KEY',
  'MOMO_CALLBACK_SECRET',
  'AIRTEL_CLIENT_SECRET',
  'AIRTEL_DISBURSEMENT_PIN',
  'AIRTEL_CALLBACK_SECRET',
]);

/** Every variable the configuration reads (each documented in .env.example). */
export const CONFIG_VARIABLES = (): string[] => Object.keys(schema.shape);

/** Defaults of the decimal variables, as a person would write them. */
const decimalDefaults: Record<string, string> = {
  PLATFORM_FEE_PERCENT: '2',
  GAS_FEE_TXTC: '0',
  MIN_AIRTIME_AMOUNT: '1',
  MAX_AIRTIME_AMOUNT: '100',
  DAILY_LIMIT_USD: '500',
  TXTC_PER_USD: '100',
  SMS_CONFIRM_ABOVE_USD: '20',
  VOUCHER_MAX_USD: '100',
  PRICE_MAX_DEVIATION: '5',
  VOUCHER_HOLD_ABOVE_USD: '50',
  FRAUD_HOLD_ABOVE_USD: '50',
  FRAUD_NEW_NUMBER_HOLD_ABOVE_USD: '20',
};

export interface Config {
  appEnv: 'local' | 'production';
  /** the server-side key PINs are HMAC'd with before scrypt (never stored with them) */
  pinPepper: string;
  /** where the API and the metrics endpoints listen: HOST, else loopback in local mode, every interface in production */
  host: string;
  logLevel: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiPort: number;
    cliPath?: string;
    startLocal: boolean;
    /** how the worker, the API and every script reach the server: TLS (server CA, mTLS pair) and/or an API key */
    tls?: { caPath?: string; certPath?: string; keyPath?: string; serverName?: string };
    apiKey?: string;
  };
  chain: {
    rpcUrl: string;
    startLocal: boolean;
    blockTimeMs: number;
    signerPrivateKey: string;
    receiptTimeoutMs: number;
    batching: boolean;
    batch: { maxEntries: number; delayMs: number; stuckAfterMs: number };
    txtcAddress?: string;
    /** first block to search for TXTC events when TXTC_ADDRESS is given */
    txtcDeployBlock: number;
    ratePairAddress?: string;
  };
  walletMnemonic: string;
  fees: {
    /** basis points of gross TXTC */
    platformFeeBps: bigint;
    /** TXTC base units charged per conversion */
    gasFeeTxtc: bigint;
  };
  limits: {
    minUsdCents: bigint;
    maxUsdCents: bigint;
    dailyUsdCents: bigint;
  };
  rates: {
    source: 'uniswap' | 'fixed';
    /** TXTC base units per 1 USD for the fixed source */
    fixedTxtcPerUsd: bigint;
    fallbackToFixed: boolean;
    /** the pool's spot is quoted only within maxDeviationBps of its average over windowSeconds (lib/money/price-guard.ts) */
    guard: { windowSeconds: number; maxDeviationBps: bigint; staleSeconds: number };
    cacheTtlMs: number;
  };
  /** operator floats (lib/floats.ts): a payout the latest reading younger than staleSeconds cannot cover is refused */
  floats: { staleSeconds: number };
  ussd: { shortcode: string; sessionTimeoutSeconds: number; idleTimeoutSeconds: number; resumeWindowSeconds: number };
  sms: {
    /** SMS money commands worth more than this wait for YES <pin> */
    confirmAboveUsdCents: bigint;
    confirmTimeoutSeconds: number;
  };
  /** seconds a REST debit by a key that is not trusted waits for the payer's YES <PIN> */
  payerConsentTimeoutSeconds: number;
  vouchers: {
    /** no voucher is issued worth more than this at the current rate */
    maxUsdCents: bigint;
    /** a redemption worth more waits for ops (approveHeld / rejectHeld) before it mints (0: off) */
    holdAboveUsdCents: bigint;
    /** a voucher issued without an expiry expires after this many days */
    expiryDays: number;
  };
  /** the fraud rules the money workflows apply before money moves (lib/fraud/rules.ts) */
  fraud: FraudRules;
  telco: {
    /** the adapter of every operator TELCO_OPERATOR_ADAPTERS does not name */
    adapter: TelcoAdapterName;
    operatorAdapters: Record<string, TelcoAdapterName>;
    smsAdapter: TelcoAdapterName;
    simulated: { latencyMs: number; errorRate: number; timeoutAfterCommitRate: number };
    /** Africa's Talking: airtime credits and SMS (apiKey is set whenever an adapter is africastalking) */
    africastalking: {
      username: string;
      apiKey?: string;
      environment: 'sandbox' | 'live';
      /** AT_BASE_URL, else the sandbox or live API */
      baseUrl: string;
      senderId?: string;
      httpTimeoutMs: number;
      /** how long one airtime credit attempt waits for AT's status callback before it answers "pending" */
      statusWaitMs: number;
    };
    /** MTN MoMo, when an adapter is momo */
    momo?: MomoSettings;
    /** Airtel Money, when an adapter is airtel */
    airtel?: AirtelSettings;
    /** each real operator API's timeout, concurrency, start rate and circuit breaker */
    operatorLimits: OperatorHttpLimits;
  };
  /** alerts that reach a person: Alertmanager posts to /api/ops/alerts; each change of state is SMSed once */
  oncall: { numbers: string[]; smsPerHour: number };
  webhooks: {
    /** what the USSD gateway sends on /ussd, /ussd/session and /ussd/end */
    ussdSecret: string;
    /** what the SMS gateway sends on /sms/inbound and /sms/delivery */
    smsSecret: string;
    /** what Africa's Talking sends on its airtime callbacks (/at/airtime/*) */
    atCallbackSecret: string;
    /** the secrets in MoMo's and Airtel's callback paths (/momo/callback/<secret>/…, /airtel/callback/<secret>) */
    momoCallbackSecret: string;
    airtelCallbackSecret: string;
    /** addresses or CIDRs the webhooks accept calls from; empty: any address (the secret still applies) */
    ipAllowlist: string[];
  };
  apiKeys: {
    /** /api/* needs a key with the route's scope (default on; production: always; `npm start` prints a dev key) */
    required: boolean;
  };
  http: {
    /** how many proxies in front of the API append to X-Forwarded-For (0: the socket's address is the client) */
    /** peers whose X-Forwarded-For is read (CIDRs); empty: the TCP peer is the client */
    trustedProxies: string[];
    /** the largest request body any route reads */
    maxBodyBytes: number;
  };
  rateLimits: {
    windowSeconds: number;
    /** requests per window per client address on /api and /dev (0: off) */
    perIp: number;
    /** USSD hops and inbound SMS per window per phone number (0: off) */
    perPhone: number;
    /** /api requests per window per API key (0: off) */
    perKey: number;
  };
  metrics: {
    /** how long the API's /metrics reuses one read of the records */
    cacheTtlMs: number;
    /** the worker's own /metrics port (0: off) */
    workerPort: number;
    /** the Temporal SDK's Prometheus exporter in the worker (0: off) */
    temporalWorkerPort: number;
  };
}

export interface MomoSettings {
  baseUrl: string;
  targetEnvironment: string;
  currency: string;
  collection: { subscriptionKey: string; apiUser: string; apiKey: string };
  disbursement: { subscriptionKey: string; apiUser: string; apiKey: string };
  /** our MoMo callback route's public address (…/momo/callback); unset, MoMo sends no callback */
  callbackUrl?: string;
  /** the secret in that route's path (MOMO_CALLBACK_SECRET; set whenever callbackUrl is) */
  callbackSecret?: string;
  approvalTimeoutMs: number;
}

export interface AirtelSettings {
  baseUrl: string;
  country: string;
  currency: string;
  clientId: string;
  clientSecret: string;
  /** the disbursement PIN, as Airtel's public key encrypted it (credits need it) */
  disbursementPin?: string;
  approvalTimeoutMs: number;
  /** AIRTEL_CALLBACK_SECRET is set: Airtel's portal posts callbacks to us, and a waiting debit looks for them */
  callbacks?: boolean;
  /** Airtel's RSA public key (PEM file): collections are signed (x-signature, x-key) and go to v2 */
  signingPublicKeyPath?: string;
}

/** Each named variable must be set when `adapter` serves anything; the first missing one stops start-up. */
function required<K extends string>(adapter: string, used: boolean, values: Record<K, string | undefined>) {
  if (!used) return undefined;
  for (const [variable, value] of Object.entries(values) as [K, string | undefined][]) {
    if (!value) throw new ConfigError(variable, `is required when an adapter is ${adapter}`);
  }
  return values as Record<K, string>;
}

/**
 * `role: 'api'`: the API process, which only reads (only the worker signs). It never loads the signer key
 * or the wallet mnemonic, whatever the environment holds, and production does not ask it for them: its
 * config carries '' for both, and the API's runtime has no signer (lib/runtime.ts createReadRuntime).
 */
export interface LoadOptions {
  role?: 'api';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  if (options.role === 'api') {
    env = { ...env };
    delete env.CHAIN_SIGNER_PRIVATE_KEY;
    delete env.WALLET_MNEMONIC;
  }
  const signs = options.role !== 'api';
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    input[key] = value === undefined || value === '' ? decimalDefaults[key] : value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const shown = SECRET_VARIABLES.has(variable) ? 'value hidden' : `got ${JSON.stringify(input[variable] ?? null)}`;
    throw new ConfigError(variable, `${issue.message} (${shown})`);
  }
  const e = parsed.data;
  const local = e.APP_ENV === 'local';
  if (signs && !local && !e.CHAIN_SIGNER_PRIVATE_KEY)
    throw new ConfigError('CHAIN_SIGNER_PRIVATE_KEY', 'is required when APP_ENV=production');
  if (!local && e.CHAIN_SIGNER_PRIVATE_KEY?.toLowerCase() === LOCAL_DEV_SIGNER_KEY)
    throw new ConfigError('CHAIN_SIGNER_PRIVATE_KEY', 'must not be the local development key (it is public)');
  if (signs && !local && !e.WALLET_MNEMONIC)
    throw new ConfigError('WALLET_MNEMONIC', 'is required when APP_ENV=production');
  if (!local && !e.PIN_PEPPER) throw new ConfigError('PIN_PEPPER', 'is required when APP_ENV=production');
  if (!local && e.PIN_PEPPER === LOCAL_DEV_PIN_PEPPER)
    throw new ConfigError('PIN_PEPPER', 'must not be the local development pepper');
  if (!local && e.WALLET_MNEMONIC?.trim().split(/\s+/).join(' ') === LOCAL_DEV_WALLET_MNEMONIC)
    throw new ConfigError('WALLET_MNEMONIC', 'must not be the local development phrase (it is public)');
  const anyAddress = input.WEBHOOK_IP_ALLOWLIST?.trim().toLowerCase() === 'any';
  if (!local && e.WEBHOOK_IP_ALLOWLIST.length === 0 && !anyAddress)
    throw new ConfigError(
      'WEBHOOK_IP_ALLOWLIST',
      "is required when APP_ENV=production: the gateways' addresses, or 'any' to accept every address (logged)",
    );
  for (const [variable, value, devDefault] of [
    ['USSD_WEBHOOK_SECRET', e.USSD_WEBHOOK_SECRET, LOCAL_DEV_USSD_WEBHOOK_SECRET],
    ['SMS_WEBHOOK_SECRET', e.SMS_WEBHOOK_SECRET, LOCAL_DEV_SMS_WEBHOOK_SECRET],
  ] as const) {
    if (!local && !value) throw new ConfigError(variable, 'is required when APP_ENV=production');
    if (!local && value === devDefault) throw new ConfigError(variable, 'must not be the local development secret');
  }
  const usesAt = [e.TELCO_ADAPTER, e.SMS_ADAPTER, ...Object.values(e.TELCO_OPERATOR_ADAPTERS)].includes(
    'africastalking',
  );
  if (usesAt && !e.AT_API_KEY) throw new ConfigError('AT_API_KEY', 'is required when an adapter is africastalking');
  if (usesAt && !local && !e.AT_CALLBACK_SECRET)
    throw new ConfigError('AT_CALLBACK_SECRET', 'is required when APP_ENV=production and an adapter is africastalking');
  if (!local && e.AT_CALLBACK_SECRET === LOCAL_DEV_AT_CALLBACK_SECRET)
    throw new ConfigError('AT_CALLBACK_SECRET', 'must not be the local development secret');
  if (e.AT_HTTP_TIMEOUT_MS + e.AT_STATUS_WAIT_MS > 25000)
    throw new ConfigError(
      'AT_STATUS_WAIT_MS',
      'plus AT_HTTP_TIMEOUT_MS must not exceed 25000 (an operator call has 30 s)',
    );
  if (usesAt && !local && e.AT_BASE_URL && !e.AT_BASE_URL.startsWith('https://'))
    throw new ConfigError('AT_BASE_URL', 'must be https when APP_ENV=production');
  const adaptersInUse = [e.TELCO_ADAPTER, ...Object.values(e.TELCO_OPERATOR_ADAPTERS)];
  const momo = required('momo', adaptersInUse.includes('momo'), {
    MOMO_COLLECTION_KEY: e.MOMO_COLLECTION_KEY,
    MOMO_DISBURSEMENT_KEY: e.MOMO_DISBURSEMENT_KEY,
    MOMO_API_USER: e.MOMO_API_USER,
    MOMO_API_KEY: e.MOMO_API_KEY,
  });
  const airtel = required('airtel', adaptersInUse.includes('airtel'), {
    AIRTEL_CLIENT_ID: e.AIRTEL_CLIENT_ID,
    AIRTEL_CLIENT_SECRET: e.AIRTEL_CLIENT_SECRET,
  });
  if (momo && e.MOMO_CALLBACK_URL && !local && !e.MOMO_CALLBACK_SECRET)
    throw new ConfigError('MOMO_CALLBACK_SECRET', 'is required when APP_ENV=production and MOMO_CALLBACK_URL is set');
  for (const [variable, value, devDefault] of [
    ['MOMO_CALLBACK_SECRET', e.MOMO_CALLBACK_SECRET, LOCAL_DEV_MOMO_CALLBACK_SECRET],
    ['AIRTEL_CALLBACK_SECRET', e.AIRTEL_CALLBACK_SECRET, LOCAL_DEV_AIRTEL_CALLBACK_SECRET],
  ] as const) {
    if (!local && value === devDefault) throw new ConfigError(variable, 'must not be the local development secret');
  }
  if (!local && (momo || airtel)) {
    for (const [variable, url] of [
      ['MOMO_BASE_URL', momo && e.MOMO_BASE_URL],
      ['AIRTEL_BASE_URL', airtel && e.AIRTEL_BASE_URL],
      ['MOMO_CALLBACK_URL', momo && e.MOMO_CALLBACK_URL],
    ] as const) {
      if (url && !url.startsWith('https://')) throw new ConfigError(variable, 'must be https when APP_ENV=production');
    }
  }
  if (!local && e.API_KEYS_REQUIRED === false)
    throw new ConfigError('API_KEYS_REQUIRED', 'must not be false when APP_ENV=production');
  if (!!e.TEMPORAL_TLS_CERT_PATH !== !!e.TEMPORAL_TLS_KEY_PATH)
    throw new ConfigError(
      e.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH',
      'is required with the other half of the mTLS client pair',
    );
  if (e.MIN_AIRTIME_AMOUNT > e.MAX_AIRTIME_AMOUNT) {
    throw new ConfigError('MIN_AIRTIME_AMOUNT', `must not exceed MAX_AIRTIME_AMOUNT`);
  }
  if (e.WALLET_MNEMONIC !== undefined && e.WALLET_MNEMONIC.trim().split(/\s+/).length < 12) {
    throw new ConfigError('WALLET_MNEMONIC', 'must be a BIP-39 phrase of at least 12 words');
  }
  // AT's own SDK rule: the username `sandbox` is the sandbox, any other the live API (unless told).
  const atEnvironment = e.AT_ENVIRONMENT ?? (e.AT_USERNAME === 'sandbox' ? 'sandbox' : 'live');
  return {
    appEnv: e.APP_ENV,
    host: e.HOST ?? (local ? '127.0.0.1' : '0.0.0.0'),
    pinPepper: e.PIN_PEPPER ?? LOCAL_DEV_PIN_PEPPER,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiPort: e.TEMPORAL_UI_PORT,
      cliPath: e.TEMPORAL_CLI_PATH,
      startLocal: e.START_LOCAL_TEMPORAL,
      ...(e.TEMPORAL_TLS || e.TEMPORAL_TLS_CA_PATH || e.TEMPORAL_TLS_CERT_PATH || e.TEMPORAL_API_KEY
        ? {
            tls: {
              ...(e.TEMPORAL_TLS_CA_PATH ? { caPath: e.TEMPORAL_TLS_CA_PATH } : {}),
              ...(e.TEMPORAL_TLS_CERT_PATH ? { certPath: e.TEMPORAL_TLS_CERT_PATH } : {}),
              ...(e.TEMPORAL_TLS_KEY_PATH ? { keyPath: e.TEMPORAL_TLS_KEY_PATH } : {}),
              ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
            },
          }
        : {}),
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
    },
    chain: {
      rpcUrl: e.CHAIN_RPC_URL,
      startLocal: e.START_LOCAL_CHAIN,
      blockTimeMs: e.CHAIN_BLOCK_TIME_MS,
      signerPrivateKey: signs ? (e.CHAIN_SIGNER_PRIVATE_KEY ?? LOCAL_DEV_SIGNER_KEY) : '',
      receiptTimeoutMs: e.CHAIN_RECEIPT_TIMEOUT_MS,
      batching: e.CHAIN_BATCHING,
      batch: {
        maxEntries: e.CHAIN_BATCH_MAX_ENTRIES,
        delayMs: e.CHAIN_BATCH_DELAY_MS,
        stuckAfterMs: e.CHAIN_BATCH_STUCK_MS ?? Math.max(30000, 3 * e.CHAIN_BLOCK_TIME_MS),
      },
      txtcAddress: e.TXTC_ADDRESS,
      txtcDeployBlock: e.TXTC_DEPLOY_BLOCK,
      ratePairAddress: e.RATE_PAIR_ADDRESS,
    },
    walletMnemonic: signs ? (e.WALLET_MNEMONIC ?? LOCAL_DEV_WALLET_MNEMONIC) : '',
    fees: { platformFeeBps: e.PLATFORM_FEE_PERCENT, gasFeeTxtc: e.GAS_FEE_TXTC },
    limits: { minUsdCents: e.MIN_AIRTIME_AMOUNT, maxUsdCents: e.MAX_AIRTIME_AMOUNT, dailyUsdCents: e.DAILY_LIMIT_USD },
    rates: {
      source: e.RATE_SOURCE,
      fixedTxtcPerUsd: e.TXTC_PER_USD,
      fallbackToFixed: e.RATE_FALLBACK_TO_FIXED,
      guard: {
        windowSeconds: e.PRICE_TWAP_WINDOW,
        maxDeviationBps: e.PRICE_MAX_DEVIATION,
        staleSeconds: e.PRICE_STALE_SECONDS,
      },
      cacheTtlMs: e.RATES_CACHE_TTL_MS,
    },
    floats: { staleSeconds: e.FLOAT_STALE_SECONDS },
    oncall: { numbers: e.ONCALL_NUMBERS, smsPerHour: e.ONCALL_SMS_PER_HOUR },
    ussd: {
      shortcode: e.USSD_SHORTCODE,
      sessionTimeoutSeconds: e.USSD_SESSION_TIMEOUT,
      idleTimeoutSeconds: e.USSD_IDLE_TIMEOUT,
      resumeWindowSeconds: e.USSD_RESUME_WINDOW,
    },
    sms: { confirmAboveUsdCents: e.SMS_CONFIRM_ABOVE_USD, confirmTimeoutSeconds: e.SMS_CONFIRM_TIMEOUT },
    payerConsentTimeoutSeconds: e.PAYER_CONSENT_TIMEOUT,
    vouchers: {
      maxUsdCents: e.VOUCHER_MAX_USD,
      holdAboveUsdCents: e.VOUCHER_HOLD_ABOVE_USD,
      expiryDays: e.VOUCHER_EXPIRY_DAYS,
    },
    fraud: {
      velocityMaxMovements: e.FRAUD_VELOCITY_MAX_MOVEMENTS,
      velocityWindowMinutes: e.FRAUD_VELOCITY_WINDOW_MINUTES,
      maxReceiversPerHour: e.FRAUD_MAX_RECEIVERS_PER_HOUR,
      holdAboveUsdCents: e.FRAUD_HOLD_ABOVE_USD,
      newNumberHoldAboveUsdCents: e.FRAUD_NEW_NUMBER_HOLD_ABOVE_USD,
      holdSendersPerReceiver: e.FRAUD_HOLD_SENDERS_PER_RECEIVER,
      holdTimeoutSeconds: e.FRAUD_HOLD_TIMEOUT,
    },
    telco: {
      adapter: e.TELCO_ADAPTER,
      operatorAdapters: e.TELCO_OPERATOR_ADAPTERS,
      smsAdapter: e.SMS_ADAPTER,
      simulated: {
        latencyMs: e.SIM_TELCO_LATENCY_MS,
        errorRate: e.SIM_TELCO_ERROR_RATE,
        timeoutAfterCommitRate: e.SIM_TELCO_TIMEOUT_AFTER_COMMIT_RATE,
      },
      africastalking: {
        username: e.AT_USERNAME,
        apiKey: e.AT_API_KEY,
        environment: atEnvironment,
        baseUrl: e.AT_BASE_URL ?? (atEnvironment === 'live' ? AT_LIVE_URL : AT_SANDBOX_URL),
        senderId: e.AT_SENDER_ID,
        httpTimeoutMs: e.AT_HTTP_TIMEOUT_MS,
        statusWaitMs: e.AT_STATUS_WAIT_MS,
      },
      momo: momo && {
        baseUrl: e.MOMO_BASE_URL,
        targetEnvironment: e.MOMO_TARGET_ENVIRONMENT,
        currency: e.MOMO_CURRENCY,
        collection: {
          subscriptionKey: momo.MOMO_COLLECTION_KEY,
          apiUser: momo.MOMO_API_USER,
          apiKey: momo.MOMO_API_KEY,
        },
        disbursement: {
          subscriptionKey: momo.MOMO_DISBURSEMENT_KEY,
          apiUser: e.MOMO_DISBURSEMENT_API_USER ?? momo.MOMO_API_USER,
          apiKey: e.MOMO_DISBURSEMENT_API_KEY ?? momo.MOMO_API_KEY,
        },
        callbackUrl: e.MOMO_CALLBACK_URL,
        callbackSecret: e.MOMO_CALLBACK_URL && (e.MOMO_CALLBACK_SECRET ?? LOCAL_DEV_MOMO_CALLBACK_SECRET),
        approvalTimeoutMs: e.MOMO_APPROVAL_TIMEOUT * 1000,
      },
      airtel: airtel && {
        baseUrl: e.AIRTEL_BASE_URL,
        country: e.AIRTEL_COUNTRY,
        currency: e.AIRTEL_CURRENCY,
        clientId: airtel.AIRTEL_CLIENT_ID,
        clientSecret: airtel.AIRTEL_CLIENT_SECRET,
        disbursementPin: e.AIRTEL_DISBURSEMENT_PIN,
        approvalTimeoutMs: e.AIRTEL_APPROVAL_TIMEOUT * 1000,
        callbacks: e.AIRTEL_CALLBACK_SECRET !== undefined,
        ...(e.AIRTEL_SIGNING_PUBLIC_KEY_PATH ? { signingPublicKeyPath: e.AIRTEL_SIGNING_PUBLIC_KEY_PATH } : {}),
      },
      operatorLimits: {
        timeoutMs: e.OPERATOR_HTTP_TIMEOUT_MS,
        maxConcurrent: e.OPERATOR_MAX_CONCURRENT,
        ratePerSecond: e.OPERATOR_RATE_PER_SECOND,
        breakerThreshold: e.OPERATOR_BREAKER_FAILURES,
        breakerCoolDownMs: e.OPERATOR_BREAKER_COOLDOWN_SECONDS * 1000,
      },
    },
    webhooks: {
      ussdSecret: e.USSD_WEBHOOK_SECRET ?? LOCAL_DEV_USSD_WEBHOOK_SECRET,
      smsSecret: e.SMS_WEBHOOK_SECRET ?? LOCAL_DEV_SMS_WEBHOOK_SECRET,
      // In production without Africa's Talking nobody holds this one, so its callbacks answer 401.
      atCallbackSecret:
        e.AT_CALLBACK_SECRET ?? (local ? LOCAL_DEV_AT_CALLBACK_SECRET : randomBytes(32).toString('hex')),
      momoCallbackSecret:
        e.MOMO_CALLBACK_SECRET ?? (local ? LOCAL_DEV_MOMO_CALLBACK_SECRET : randomBytes(32).toString('hex')),
      airtelCallbackSecret:
        e.AIRTEL_CALLBACK_SECRET ?? (local ? LOCAL_DEV_AIRTEL_CALLBACK_SECRET : randomBytes(32).toString('hex')),
      ipAllowlist: e.WEBHOOK_IP_ALLOWLIST,
    },
    apiKeys: { required: e.API_KEYS_REQUIRED ?? true },
    http: { trustedProxies: e.TRUSTED_PROXIES, maxBodyBytes: e.MAX_BODY_BYTES },
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      perIp: e.RATE_LIMIT_PER_IP,
      perPhone: e.RATE_LIMIT_PER_PHONE,
      perKey: e.RATE_LIMIT_PER_KEY,
    },
    metrics: {
      cacheTtlMs: e.METRICS_CACHE_TTL_MS,
      workerPort: e.WORKER_METRICS_PORT,
      temporalWorkerPort: e.TEMPORAL_WORKER_METRICS_PORT,
    },
  };
}

/** For entry points: load the configuration or print the one line that says what is wrong and exit. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  try {
    return loadConfig(env, options);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
