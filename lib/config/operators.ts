/** The real operators' money APIs: MTN MoMo and Airtel Money (one market each), and every operator API's limits. */
import { z } from 'zod';
import type { OperatorHttpLimits } from '../telco/http';
import { currencyCode, httpUrl, int, nonNegativeInt, operatorSecret, pathSecret, toMs } from './kinds';
import { secret, variable, type Read } from './variable';

/** Development-only callback secrets: local mode's callback paths carry them; production must set its own. */
export const LOCAL_DEV_MOMO_CALLBACK_SECRET = 'local-dev-momo-callback-secret';
export const LOCAL_DEV_AIRTEL_CALLBACK_SECRET = 'local-dev-airtel-callback-secret';

/** How long a debit waits for the person's approval on the handset (the approvalCall preset allows 6 minutes). */
const approvalTimeoutMs = int(5, 300).default(240).transform(toMs);

export const operatorVariables = {
  // MTN MoMo (one market): collection (debits) and disbursement (credits) subscriptions
  momo: {
    baseUrl: variable('MOMO_BASE_URL', httpUrl.default('https://sandbox.momodeveloper.mtn.com')),
    targetEnvironment: variable(
      'MOMO_TARGET_ENVIRONMENT',
      z
        .string()
        .regex(/^[a-z0-9]{2,40}$/, 'must be "sandbox" or a market such as "mtnuganda"')
        .default('sandbox'),
    ),
    currency: variable('MOMO_CURRENCY', currencyCode.default('EUR')),
    /** each is required whenever an adapter is momo, in this order */
    required: {
      collectionKey: secret('MOMO_COLLECTION_KEY', operatorSecret),
      disbursementKey: secret('MOMO_DISBURSEMENT_KEY', operatorSecret),
      apiUser: variable('MOMO_API_USER', operatorSecret),
      apiKey: secret('MOMO_API_KEY', operatorSecret),
    },
    disbursementApiUser: variable('MOMO_DISBURSEMENT_API_USER', operatorSecret),
    disbursementApiKey: secret('MOMO_DISBURSEMENT_API_KEY', operatorSecret),
    /** our MoMo callback route's public address (…/momo/callback); unset, MoMo sends no callback */
    callbackUrl: variable('MOMO_CALLBACK_URL', httpUrl.optional()),
    /** the secret in that route's path */
    callbackSecret: secret('MOMO_CALLBACK_SECRET', pathSecret),
    approvalTimeoutMs: variable('MOMO_APPROVAL_TIMEOUT', approvalTimeoutMs),
  },
  // Airtel Money (one country): collection (debits) and disbursement (credits)
  airtel: {
    baseUrl: variable('AIRTEL_BASE_URL', httpUrl.default('https://openapiuat.airtel.africa')),
    country: variable(
      'AIRTEL_COUNTRY',
      z
        .string()
        .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as UG')
        .default('UG'),
    ),
    currency: variable('AIRTEL_CURRENCY', currencyCode.default('UGX')),
    /** each is required whenever an adapter is airtel, in this order */
    required: {
      clientId: variable('AIRTEL_CLIENT_ID', operatorSecret),
      clientSecret: secret('AIRTEL_CLIENT_SECRET', operatorSecret),
    },
    /** the disbursement PIN, as Airtel's public key encrypted it (credits need it) */
    disbursementPin: secret('AIRTEL_DISBURSEMENT_PIN', operatorSecret),
    approvalTimeoutMs: variable('AIRTEL_APPROVAL_TIMEOUT', approvalTimeoutMs),
    /** set: Airtel's portal posts callbacks to us, and a waiting debit looks for them */
    callbackSecret: secret('AIRTEL_CALLBACK_SECRET', pathSecret),
    /** Airtel's RSA public key (PEM file) for message signing: collections then go signed to /merchant/v2/payments/ */
    signingPublicKeyPath: variable('AIRTEL_SIGNING_PUBLIC_KEY_PATH', z.string().min(1).optional()),
  },
  // Every real operator API's limits and circuit breaker (lib/telco/http.ts), each operator its own
  operatorLimits: {
    timeoutMs: variable('OPERATOR_HTTP_TIMEOUT_MS', int(100, 25000).default(15000)),
    maxConcurrent: variable('OPERATOR_MAX_CONCURRENT', int(1, 1000).default(16)),
    ratePerSecond: variable('OPERATOR_RATE_PER_SECOND', nonNegativeInt.default(20)),
    breakerThreshold: variable('OPERATOR_BREAKER_FAILURES', int(1, 1000).default(5)),
    breakerCoolDownMs: variable('OPERATOR_BREAKER_COOLDOWN_SECONDS', int(1, 3600).default(30).transform(toMs)),
  },
};

type Operators = Read<typeof operatorVariables>;
type Present<T> = { [K in keyof T]: string };
/** The required settings of each operator adapter in use, each set (absent: no adapter is it). */
export interface OperatorsInUse {
  momo?: Present<Operators['momo']['required']>;
  airtel?: Present<Operators['airtel']['required']>;
}

/** MoMo's and Airtel's settings when an adapter is each, and every operator API's limits. */
export function operatorsConfig({ momo, airtel, operatorLimits }: Operators, inUse: OperatorsInUse) {
  return {
    /** MTN MoMo, when an adapter is momo */
    momo: inUse.momo && momoSettings(momo, inUse.momo),
    /** Airtel Money, when an adapter is airtel */
    airtel: inUse.airtel && airtelSettings(airtel, inUse.airtel),
    /** each real operator API's timeout, concurrency, start rate and circuit breaker */
    operatorLimits: operatorLimits satisfies OperatorHttpLimits,
  };
}

function momoSettings(
  { required: _inUse, disbursementApiUser, disbursementApiKey, callbackSecret, ...momo }: Operators['momo'],
  { collectionKey, disbursementKey, apiUser, apiKey }: Present<Operators['momo']['required']>,
) {
  return {
    ...momo,
    collection: { subscriptionKey: collectionKey, apiUser, apiKey },
    disbursement: {
      subscriptionKey: disbursementKey,
      apiUser: disbursementApiUser ?? apiUser,
      apiKey: disbursementApiKey ?? apiKey,
    },
    /** the secret in that route's path (MOMO_CALLBACK_SECRET; set whenever callbackUrl is) */
    callbackSecret: momo.callbackUrl && (callbackSecret ?? LOCAL_DEV_MOMO_CALLBACK_SECRET),
  };
}

function airtelSettings(
  { required: _inUse, callbackSecret, signingPublicKeyPath, ...airtel }: Operators['airtel'],
  credentials: Present<Operators['airtel']['required']>,
) {
  return {
    ...airtel,
    ...credentials,
    /** AIRTEL_CALLBACK_SECRET is set: Airtel's portal posts callbacks to us, and a waiting debit looks for them */
    callbacks: callbackSecret !== undefined,
    /** Airtel's RSA public key (PEM file): collections are signed (x-signature, x-key) and go to v2 */
    ...(signingPublicKeyPath ? { signingPublicKeyPath } : {}),
  };
}

export type MomoSettings = ReturnType<typeof momoSettings>;
/** `callbacks` optional: adapters built by hand (tests) leave it out. */
export type AirtelSettings = Omit<ReturnType<typeof airtelSettings>, 'callbacks'> & { callbacks?: boolean };
