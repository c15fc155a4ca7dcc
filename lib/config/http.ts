/**
 * What the HTTP surfaces take: the webhooks' secrets and allowlist, the PIN pepper the USSD and SMS routes key
 * PINs with, the alert receiver's on-call numbers, API keys, proxies, body size, rate limits, /metrics.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { bool, cidrList, int, nonNegativeInt, phoneList, portOrOff, webhookSecret } from './kinds';
import { LOCAL_DEV_AIRTEL_CALLBACK_SECRET, LOCAL_DEV_MOMO_CALLBACK_SECRET } from './operators';
import { LOCAL_DEV_AT_CALLBACK_SECRET } from './telco';
import { secret, variable, type Read } from './variable';

/** Development-only webhook secrets: local mode still requires them on every webhook; production must set its own. */
export const LOCAL_DEV_USSD_WEBHOOK_SECRET = 'local-dev-ussd-webhook-secret';
export const LOCAL_DEV_SMS_WEBHOOK_SECRET = 'local-dev-sms-webhook-secret';
/** Development-only PIN pepper: local mode's PINs are keyed with it; production must set its own. */
export const LOCAL_DEV_PIN_PEPPER = 'local-dev-pin-pepper-not-a-secret';

export const httpVariables = {
  /** the server-side key PINs are HMAC'd with before scrypt (never stored with them) */
  pinPepper: secret('PIN_PEPPER', z.string().min(16, 'must be at least 16 characters').max(256).optional()),
  webhooks: {
    /** what the USSD gateway sends on /ussd, /ussd/session and /ussd/end */
    ussdSecret: secret('USSD_WEBHOOK_SECRET', webhookSecret),
    /** what the SMS gateway sends on /sms/inbound and /sms/delivery */
    smsSecret: secret('SMS_WEBHOOK_SECRET', webhookSecret),
    /** addresses or CIDRs the webhooks accept calls from; empty: any address (the secret still applies) */
    ipAllowlist: variable('WEBHOOK_IP_ALLOWLIST', cidrList),
  },
  /** alerts that reach a person: Alertmanager posts to /api/ops/alerts; each change of state is SMSed once */
  oncall: {
    /** who Alertmanager's alerts are SMSed to, and at most how many alert SMS each gets an hour */
    numbers: variable('ONCALL_NUMBERS', phoneList),
    smsPerHour: variable('ONCALL_SMS_PER_HOUR', int(1, 100).default(6)),
  },
  /** the ops console (/ops): where its links to workflows go, where it reads the workers' circuits, how long a sign-in lasts */
  opsConsole: {
    /** the Temporal UI each movement links to; unset: http://127.0.0.1:<TEMPORAL_UI_PORT> */
    temporalUiUrl: variable('TEMPORAL_UI_URL', z.string().url().optional()),
    /** Prometheus's base URL, for each operator's circuit as the workers report it; unset: not shown */
    prometheusUrl: variable('OPS_PROMETHEUS_URL', z.string().url().optional()),
    sessionHours: variable('OPS_SESSION_HOURS', int(1, 168).default(8)),
  },
  apiKeys: {
    /** /api/* needs a key with the route's scope (default on; production: always; `npm start` prints a dev key) */
    required: variable('API_KEYS_REQUIRED', bool.default(true)),
  },
  http: {
    /** peers whose X-Forwarded-For is read (CIDRs); empty: the TCP peer is the client */
    trustedProxies: variable('TRUSTED_PROXIES', cidrList),
    /** the largest request body any route reads */
    maxBodyBytes: variable('MAX_BODY_BYTES', int(1024, 10_485_760).default(65536)),
  },
  rateLimits: {
    windowSeconds: variable('RATE_LIMIT_WINDOW_SECONDS', int(1, 86400).default(60)),
    /** requests per window per client address on /api and /dev (0: off) */
    perIp: variable('RATE_LIMIT_PER_IP', nonNegativeInt.default(1200)),
    /** USSD hops and inbound SMS per window per phone number (0: off) */
    perPhone: variable('RATE_LIMIT_PER_PHONE', nonNegativeInt.default(60)),
    /** /api requests per window per API key (0: off) */
    perKey: variable('RATE_LIMIT_PER_KEY', nonNegativeInt.default(600)),
  },
  metrics: {
    /** how long the API's /metrics reuses one read of the records */
    cacheTtlMs: variable('METRICS_CACHE_TTL_MS', nonNegativeInt.default(10000)),
    /** the worker's own /metrics port (0: off) */
    workerPort: variable('WORKER_METRICS_PORT', portOrOff.default(9464)),
    /** the Temporal SDK's Prometheus exporter in the worker (0: off) */
    temporalWorkerPort: variable('TEMPORAL_WORKER_METRICS_PORT', portOrOff.default(9465)),
  },
};

/** The operators' callback secrets as set (each lives with its operator's variables). */
export interface CallbackSecrets {
  at?: string;
  momo?: string;
  airtel?: string;
}

/** Each secret as set, else local mode's development one; production's unset callback secrets nobody holds. */
export function httpConfig(
  { pinPepper, webhooks, ...http }: Read<typeof httpVariables>,
  callbacks: CallbackSecrets,
  local: boolean,
) {
  // In production without the operator nobody holds these, so its callbacks answer 401.
  const unguessable = () => randomBytes(32).toString('hex');
  return {
    pinPepper: pinPepper ?? LOCAL_DEV_PIN_PEPPER,
    webhooks: {
      ussdSecret: webhooks.ussdSecret ?? LOCAL_DEV_USSD_WEBHOOK_SECRET,
      smsSecret: webhooks.smsSecret ?? LOCAL_DEV_SMS_WEBHOOK_SECRET,
      /** what Africa's Talking sends on its airtime callbacks (/at/airtime/*) */
      atCallbackSecret: callbacks.at ?? (local ? LOCAL_DEV_AT_CALLBACK_SECRET : unguessable()),
      /** the secrets in MoMo's and Airtel's callback paths (/momo/callback/<secret>/…, /airtel/callback/<secret>) */
      momoCallbackSecret: callbacks.momo ?? (local ? LOCAL_DEV_MOMO_CALLBACK_SECRET : unguessable()),
      airtelCallbackSecret: callbacks.airtel ?? (local ? LOCAL_DEV_AIRTEL_CALLBACK_SECRET : unguessable()),
      ipAllowlist: webhooks.ipAllowlist,
    },
    ...http,
  };
}
