/** Reading the environment: every section's variables validated at once, then the refusals, then the config. */
import { z } from 'zod';
import type { FraudRules } from '../fraud/rules';
import { channelVariables } from './channels';
import { chainConfig, chainVariables } from './chain';
import { fraudVariables } from './fraud';
import { httpConfig, httpVariables } from './http';
import { moneyVariables } from './money';
import { operatorsConfig, operatorVariables, type OperatorsInUse } from './operators';
import { refuse } from './refusals';
import { serverConfig, serverVariables } from './server';
import { telcoConfig, telcoVariables } from './telco';
import { temporalConfig, temporalVariables } from './temporal';
import { ConfigError, readSpec, variablesOf, type Read } from './variable';

/** Every variable, in the order they are validated: of several bad ones, the first is the one named. */
const SPEC = {
  server: serverVariables,
  temporal: temporalVariables,
  chain: chainVariables,
  money: moneyVariables,
  channels: channelVariables,
  fraud: fraudVariables,
  telco: telcoVariables,
  operators: operatorVariables,
  http: httpVariables,
};
/** The variables as parsed, by section. */
export type Settings = Read<typeof SPEC>;

const VARIABLES = variablesOf(SPEC);
const SCHEMA = z.object(Object.fromEntries(VARIABLES.map((v) => [v.name, v.schema])));
/** Never echoed in an error: keys, seeds, and URLs that may carry a password. */
const SECRETS = new Set(VARIABLES.filter((v) => v.secret).map((v) => v.name));

/** Every variable the configuration reads (each documented in .env.example and docs/configuration.md). */
export const CONFIG_VARIABLES = (): string[] => VARIABLES.map((v) => v.name);

function assemble(s: Settings, inUse: OperatorsInUse, local: boolean, signs: boolean) {
  return {
    ...serverConfig(s.server),
    temporal: temporalConfig(s.temporal),
    ...chainConfig(s.chain, signs),
    ...s.money,
    ...s.channels,
    /** the fraud rules the money workflows apply before money moves (lib/fraud/rules.ts) */
    fraud: s.fraud satisfies FraudRules,
    telco: { ...telcoConfig(s.telco), ...operatorsConfig(s.operators, inUse) },
    ...httpConfig(
      s.http,
      {
        at: s.telco.africastalking.callbackSecret,
        momo: s.operators.momo.callbackSecret,
        airtel: s.operators.airtel.callbackSecret,
      },
      local,
    ),
  };
}

/** The configuration: each section as its variables read, and what follows from them. */
export type Config = ReturnType<typeof assemble>;

/**
 * `role: 'api'`: the API process, which only reads (only the worker signs). It never loads the signer key
 * or the wallet mnemonic, whatever the environment holds, and production does not ask it for them: its
 * config carries '' for both, and the API's runtime has no signer (lib/runtime.ts createReadRuntime).
 */
export interface LoadOptions {
  role?: 'api';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const signs = options.role !== 'api';
  if (!signs) {
    env = { ...env };
    delete env[chainVariables.signerPrivateKey.name];
    delete env[chainVariables.signerPrivateKeys.name];
    delete env[chainVariables.walletMnemonic.name];
  }
  const input: Record<string, string | undefined> = {};
  for (const { name } of VARIABLES) input[name] = env[name] === '' ? undefined : env[name];
  const parsed = SCHEMA.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const shown = SECRETS.has(variable) ? 'value hidden' : `got ${JSON.stringify(input[variable] ?? null)}`;
    throw new ConfigError(variable, `${issue.message} (${shown})`);
  }
  const settings = readSpec(SPEC, parsed.data);
  const local = settings.server.appEnv === 'local';
  const anyAddress = input[httpVariables.webhooks.ipAllowlist.name]?.trim().toLowerCase() === 'any';
  return assemble(settings, refuse(settings, { local, signs, anyAddress }), local, signs);
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
