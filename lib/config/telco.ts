/** Which adapter serves each operator and sends SMS; the simulated operator; Africa's Talking. */
import { z } from 'zod';
import { httpUrl, int, nonNegativeInt, rate, webhookSecret } from './kinds';
import { secret, variable, type Read } from './variable';

/** Telco adapters this build has; real operators' adapters join this list. */
export const TELCO_ADAPTERS = ['simulated', 'africastalking', 'momo', 'airtel'] as const;
/** Adapters that move money only: never the SMS adapter. */
const MONEY_ONLY_ADAPTERS: readonly string[] = ['momo', 'airtel'];
export type TelcoAdapterName = (typeof TELCO_ADAPTERS)[number];

/** Africa's Talking's API hosts (AT_ENVIRONMENT); AT_BASE_URL overrides them (tests, a proxy). */
export const AT_SANDBOX_URL = 'https://api.sandbox.africastalking.com';
export const AT_LIVE_URL = 'https://api.africastalking.com';
/** Development-only webhook secret: local mode still requires it on AT's callbacks; production must set its own. */
export const LOCAL_DEV_AT_CALLBACK_SECRET = 'local-dev-at-callback-secret';

/** "mtn-ug=simulated,airtel-ke=simulated": operator to adapter. */
const operatorAdapters = z
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
  });

export const telcoVariables = {
  /** the adapter of every operator TELCO_OPERATOR_ADAPTERS does not name */
  adapter: variable('TELCO_ADAPTER', z.enum(TELCO_ADAPTERS).default('simulated')),
  operatorAdapters: variable('TELCO_OPERATOR_ADAPTERS', operatorAdapters),
  smsAdapter: variable(
    'SMS_ADAPTER',
    z
      .enum(TELCO_ADAPTERS)
      .default('simulated')
      .refine((a) => !MONEY_ONLY_ADAPTERS.includes(a), 'must be an adapter that sends SMS (simulated, africastalking)'),
  ),
  simulated: {
    latencyMs: variable('SIM_TELCO_LATENCY_MS', nonNegativeInt.default(0)),
    errorRate: variable('SIM_TELCO_ERROR_RATE', rate.default(0)),
    timeoutAfterCommitRate: variable('SIM_TELCO_TIMEOUT_AFTER_COMMIT_RATE', rate.default(0)),
  },
  /** Africa's Talking: airtime credits and SMS (apiKey is set whenever an adapter is africastalking) */
  africastalking: {
    username: variable(
      'AT_USERNAME',
      z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be an Africa’s Talking application username')
        .default('sandbox'),
    ),
    apiKey: secret(
      'AT_API_KEY',
      z
        .string()
        .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16-256 printable characters without spaces')
        .optional(),
    ),
    /** unset: the SDK's rule, the username `sandbox` is the sandbox and any other the live API */
    environment: variable('AT_ENVIRONMENT', z.enum(['sandbox', 'live']).optional()),
    baseUrl: secret('AT_BASE_URL', httpUrl.optional()),
    senderId: variable(
      'AT_SENDER_ID',
      z
        .string()
        .regex(/^([A-Za-z0-9 ._-]{1,11}|\d{3,15})$/, 'must be an alphanumeric sender id (1-11) or a short code')
        .optional(),
    ),
    /** what Africa's Talking sends on its airtime callbacks (the config's webhooks.atCallbackSecret) */
    callbackSecret: secret('AT_CALLBACK_SECRET', webhookSecret),
    httpTimeoutMs: variable('AT_HTTP_TIMEOUT_MS', int(100, 25000).default(10000)),
    /** how long one airtime credit attempt waits for AT's status callback before it answers "pending" */
    statusWaitMs: variable('AT_STATUS_WAIT_MS', int(0, 25000).default(15000)),
  },
};

/** AT's environment by its own SDK's rule unless told (the username `sandbox` is the sandbox, any other live). */
export function telcoConfig({ africastalking, ...telco }: Read<typeof telcoVariables>) {
  const { callbackSecret: _webhooksHaveIt, environment: told, baseUrl, ...at } = africastalking;
  const environment = told ?? (at.username === 'sandbox' ? 'sandbox' : 'live');
  return {
    ...telco,
    africastalking: {
      ...at,
      environment,
      /** AT_BASE_URL, else the sandbox or live API */
      baseUrl: baseUrl ?? (environment === 'live' ? AT_LIVE_URL : AT_SANDBOX_URL),
    },
  };
}
