/**
 * The one typed configuration of txtc-bridge, read from environment variables and validated at start.
 * A bad value stops start-up with one line naming the variable (see ConfigError).
 *
 * Each variable is written once, in its section's spec (server, temporal, chain, money, channels, fraud,
 * telco, operators, http): its name, its rule and default, and where it lands in the config, whose type is
 * read off the specs. `.env.example` and docs/configuration.md document every variable listed there (a unit
 * test holds them to it).
 */
export { ConfigError } from './variable';
export { CONFIG_VARIABLES, loadConfig, loadConfigOrExit, type Config, type LoadOptions } from './load';
export { LOCAL_DEV_SIGNER_KEY, LOCAL_DEV_WALLET_MNEMONIC } from './chain';
export {
  AT_LIVE_URL,
  AT_SANDBOX_URL,
  LOCAL_DEV_AT_CALLBACK_SECRET,
  TELCO_ADAPTERS,
  type TelcoAdapterName,
} from './telco';
export {
  LOCAL_DEV_AIRTEL_CALLBACK_SECRET,
  LOCAL_DEV_MOMO_CALLBACK_SECRET,
  type AirtelSettings,
  type MomoSettings,
} from './operators';
export { LOCAL_DEV_PIN_PEPPER, LOCAL_DEV_SMS_WEBHOOK_SECRET, LOCAL_DEV_USSD_WEBHOOK_SECRET } from './http';
