/**
 * What no single variable's rule can say: production's refusals of development values and of missing
 * secrets, what an adapter in use needs, and rules between two variables. In this order: the first broken
 * rule is the one start-up names.
 */
import { chainVariables, LOCAL_DEV_SIGNER_KEY, LOCAL_DEV_WALLET_MNEMONIC, mnemonicWords } from './chain';
import {
  httpVariables,
  LOCAL_DEV_PIN_PEPPER,
  LOCAL_DEV_SMS_WEBHOOK_SECRET,
  LOCAL_DEV_USSD_WEBHOOK_SECRET,
} from './http';
import type { Settings } from './load';
import { moneyVariables } from './money';
import {
  LOCAL_DEV_AIRTEL_CALLBACK_SECRET,
  LOCAL_DEV_MOMO_CALLBACK_SECRET,
  operatorVariables,
  type OperatorsInUse,
} from './operators';
import { LOCAL_DEV_AT_CALLBACK_SECRET, telcoVariables } from './telco';
import { temporalVariables } from './temporal';
import { ConfigError, type Variable } from './variable';

const REQUIRED = 'is required when APP_ENV=production';
const NOT_DEV_SECRET = 'must not be the local development secret';
const HTTPS = 'must be https when APP_ENV=production';

/** Each required setting must be set when `adapter` serves anything; the first missing one stops start-up. */
function required<K extends string>(
  adapter: string,
  used: boolean,
  variables: Record<K, Variable>,
  values: Record<K, string | undefined>,
): Record<K, string> | undefined {
  if (!used) return undefined;
  for (const key of Object.keys(variables) as K[]) {
    if (!values[key]) throw new ConfigError(variables[key].name, `is required when an adapter is ${adapter}`);
  }
  return values as Record<K, string>;
}

export interface Circumstances {
  local: boolean;
  /** not the API (which only reads): this process signs, so it needs the signer key and the wallet seed */
  signs: boolean;
  /** WEBHOOK_IP_ALLOWLIST is 'any': production's explicit opt-out of an allowlist */
  anyAddress: boolean;
}

/** Throws the first ConfigError that applies; else the required settings of the operator adapters in use. */
export function refuse(s: Settings, { local, signs, anyAddress }: Circumstances): OperatorsInUse {
  const production = !local;
  const { chain, http, telco, operators } = s;
  const [C, H] = [chainVariables, httpVariables];
  if (signs && production && !chain.signerPrivateKey) throw C.signerPrivateKey.refuse(REQUIRED);
  if (production && chain.signerPrivateKey?.toLowerCase() === LOCAL_DEV_SIGNER_KEY)
    throw C.signerPrivateKey.refuse('must not be the local development key (it is public)');
  if (production && chain.signerPrivateKeys?.toLowerCase().split(',').includes(LOCAL_DEV_SIGNER_KEY))
    throw C.signerPrivateKeys.refuse('must not hold the local development key (it is public)');
  if (signs && production && !chain.walletMnemonic) throw C.walletMnemonic.refuse(REQUIRED);
  if (production && !http.pinPepper) throw H.pinPepper.refuse(REQUIRED);
  if (production && http.pinPepper === LOCAL_DEV_PIN_PEPPER)
    throw H.pinPepper.refuse('must not be the local development pepper');
  if (production && chain.walletMnemonic && mnemonicWords(chain.walletMnemonic).join(' ') === LOCAL_DEV_WALLET_MNEMONIC)
    throw C.walletMnemonic.refuse('must not be the local development phrase (it is public)');
  if (production && http.webhooks.ipAllowlist.length === 0 && !anyAddress)
    throw H.webhooks.ipAllowlist.refuse(
      "is required when APP_ENV=production: the gateways' addresses, or 'any' to accept every address (logged)",
    );
  for (const [variable, value, devDefault] of [
    [H.webhooks.ussdSecret, http.webhooks.ussdSecret, LOCAL_DEV_USSD_WEBHOOK_SECRET],
    [H.webhooks.smsSecret, http.webhooks.smsSecret, LOCAL_DEV_SMS_WEBHOOK_SECRET],
  ] as const) {
    if (production && !value) throw variable.refuse(REQUIRED);
    if (production && value === devDefault) throw variable.refuse(NOT_DEV_SECRET);
  }

  const [AT, at] = [telcoVariables.africastalking, telco.africastalking];
  const usesAt = [telco.adapter, telco.smsAdapter, ...Object.values(telco.operatorAdapters)].includes('africastalking');
  if (usesAt && !at.apiKey) throw AT.apiKey.refuse('is required when an adapter is africastalking');
  if (usesAt && production && !at.callbackSecret)
    throw AT.callbackSecret.refuse('is required when APP_ENV=production and an adapter is africastalking');
  if (production && at.callbackSecret === LOCAL_DEV_AT_CALLBACK_SECRET) throw AT.callbackSecret.refuse(NOT_DEV_SECRET);
  if (at.httpTimeoutMs + at.statusWaitMs > 25000)
    throw AT.statusWaitMs.refuse('plus AT_HTTP_TIMEOUT_MS must not exceed 25000 (an operator call has 30 s)');
  if (usesAt && production && at.baseUrl && !at.baseUrl.startsWith('https://')) throw AT.baseUrl.refuse(HTTPS);

  const [M, A] = [operatorVariables.momo, operatorVariables.airtel];
  const { momo, airtel } = operators;
  const adaptersInUse = [telco.adapter, ...Object.values(telco.operatorAdapters)];
  const momoInUse = required('momo', adaptersInUse.includes('momo'), M.required, momo.required);
  const airtelInUse = required('airtel', adaptersInUse.includes('airtel'), A.required, airtel.required);
  if (momoInUse && momo.callbackUrl && production && !momo.callbackSecret)
    throw M.callbackSecret.refuse('is required when APP_ENV=production and MOMO_CALLBACK_URL is set');
  for (const [variable, value, devDefault] of [
    [M.callbackSecret, momo.callbackSecret, LOCAL_DEV_MOMO_CALLBACK_SECRET],
    [A.callbackSecret, airtel.callbackSecret, LOCAL_DEV_AIRTEL_CALLBACK_SECRET],
  ] as const) {
    if (production && value === devDefault) throw variable.refuse(NOT_DEV_SECRET);
  }
  if (production && (momoInUse || airtelInUse)) {
    for (const [variable, url] of [
      [M.baseUrl, momoInUse && momo.baseUrl],
      [A.baseUrl, airtelInUse && airtel.baseUrl],
      [M.callbackUrl, momoInUse && momo.callbackUrl],
    ] as const) {
      if (url && !url.startsWith('https://')) throw variable.refuse(HTTPS);
    }
  }

  if (production && http.apiKeys.required === false)
    throw H.apiKeys.required.refuse('must not be false when APP_ENV=production');
  const [TLS, tls] = [temporalVariables.tls, s.temporal.tls];
  if (!!tls.certPath !== !!tls.keyPath)
    throw (tls.certPath ? TLS.keyPath : TLS.certPath).refuse('is required with the other half of the mTLS client pair');
  if (s.money.limits.minUsdCents > s.money.limits.maxUsdCents)
    throw moneyVariables.limits.minUsdCents.refuse('must not exceed MAX_AIRTIME_AMOUNT');
  if (chain.walletMnemonic !== undefined && mnemonicWords(chain.walletMnemonic).length < 12)
    throw C.walletMnemonic.refuse('must be a BIP-39 phrase of at least 12 words');
  return { momo: momoInUse, airtel: airtelInUse };
}
