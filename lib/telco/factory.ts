/**
 * Which adapter serves which operator, from configuration: TELCO_ADAPTER for every operator unless
 * TELCO_OPERATOR_ADAPTERS names another for it, and SMS_ADAPTER for messaging. The simulated operator is
 * the default; Africa's Talking (airtime credits and SMS) is the first real one, others register here.
 */
import type { Pool } from 'pg';
import type { Config, TelcoAdapterName } from '../config';
import { SimulatedOperator } from './simulated';
import { AfricasTalkingOperator } from './africastalking';
import { MomoOperator } from './momo';
import { AirtelOperator } from './airtel';
import { createOperatorCallbackRepo } from '../db/operator-callbacks';
import type { Logger } from '../log';
import type { PayoutAccount } from '../floats';
import type {
  AirtimeMovement,
  AirtimeTransfer,
  FloatPort,
  MessagingPort,
  MovementLookup,
  TelcoOperator,
  TelcoResult,
} from './types';

/** Routes every airtime call to the adapter configured for its operator. */
export class TelcoRouter implements TelcoOperator {
  readonly name = 'router';

  constructor(
    private readonly byOperator: ReadonlyMap<string, TelcoOperator>,
    private readonly fallback: TelcoOperator,
  ) {}

  adapterFor(operator: string): TelcoOperator {
    return this.byOperator.get(operator) ?? this.fallback;
  }

  /** Whether the operator moves airtime between its own subscribers in one call. */
  supportsTransfer(operator: string): boolean {
    return typeof this.adapterFor(operator).transfer === 'function';
  }

  checkBalance(phoneNumber: string, operator: string) {
    return this.adapterFor(operator).checkBalance(phoneNumber, operator);
  }

  debit(m: AirtimeMovement): Promise<TelcoResult> {
    return this.adapterFor(m.operator).debit(m);
  }

  credit(m: AirtimeMovement): Promise<TelcoResult> {
    return this.adapterFor(m.operator).credit(m);
  }

  transfer(t: AirtimeTransfer): Promise<TelcoResult> {
    const adapter = this.adapterFor(t.operator);
    if (!adapter.transfer) throw new Error(`${adapter.name} offers no transfer for ${t.operator}`);
    return adapter.transfer(t);
  }

  status(lookup: MovementLookup): Promise<TelcoResult | undefined> {
    return this.adapterFor(lookup.operator).status(lookup);
  }

  /** The float a credit to `operator` is paid from; undefined when its adapter has none to read (simulated). */
  payoutAccount(operator: string): PayoutAccount | undefined {
    const adapter = this.adapterFor(operator);
    return isFloatPort(adapter) ? { adapter: adapter.name, account: adapter.payoutAccount } : undefined;
  }

  /** Every adapter in use that has a float, once each. */
  floatAdapters(): FloatPort[] {
    const all = new Set<TelcoOperator>([this.fallback, ...this.byOperator.values()]);
    return [...all].filter(isFloatPort);
  }
}

/** Where payouts come from, for a router or a single adapter (tests pass one). */
export interface Payouts {
  payoutAccount(operator: string): PayoutAccount | undefined;
  floatAdapters(): FloatPort[];
}

export function payoutsOf(telco: TelcoOperator): Payouts {
  if (telco instanceof TelcoRouter) return telco;
  const port = isFloatPort(telco) ? telco : undefined;
  return {
    payoutAccount: () => port && { adapter: port.name, account: port.payoutAccount },
    floatAdapters: () => (port ? [port] : []),
  };
}

function isFloatPort(adapter: TelcoOperator): adapter is TelcoOperator & FloatPort {
  const candidate = adapter as Partial<FloatPort>;
  return typeof candidate.floats === 'function' && typeof candidate.payoutAccount === 'string';
}

export function createTelco(
  config: Pick<Config, 'telco'>,
  pool: Pool,
  log?: Logger,
): { airtime: TelcoRouter; messaging: MessagingPort } {
  // MoMo and Airtel Money move money only; configuration keeps them off SMS.
  const adapters = new Map<TelcoAdapterName, TelcoOperator & Partial<MessagingPort>>();
  const adapter = (name: TelcoAdapterName): TelcoOperator & Partial<MessagingPort> => {
    let found = adapters.get(name);
    if (!found) {
      switch (name) {
        case 'simulated':
          found = new SimulatedOperator(pool, config.telco.simulated);
          break;
        case 'africastalking': {
          const at = config.telco.africastalking;
          if (!at.apiKey) throw new Error('AT_API_KEY is required for the africastalking adapter');
          // The shared per-operator limits and breaker; the timeout is AT's own, sized with its callback wait.
          found = new AfricasTalkingOperator(
            pool,
            { ...at, apiKey: at.apiKey },
            { log, limits: config.telco.operatorLimits },
          );
          break;
        }
        case 'momo': {
          if (!config.telco.momo) throw new Error('MOMO_* settings are required for the momo adapter');
          // With MOMO_CALLBACK_URL, MoMo's callbacks (kept by the API) cut a waiting debit's pause short.
          found = new MomoOperator(
            { ...config.telco.momo, pollInitialMs: 1000, pollMaxMs: 10_000, limits: config.telco.operatorLimits },
            { log, callbacks: createOperatorCallbackRepo(pool) },
          );
          break;
        }
        case 'airtel': {
          if (!config.telco.airtel) throw new Error('AIRTEL_* settings are required for the airtel adapter');
          const airtel = config.telco.airtel;
          found = new AirtelOperator(
            { ...airtel, pollInitialMs: 1000, pollMaxMs: 10_000, limits: config.telco.operatorLimits },
            { log, ...(airtel.callbacks ? { callbacks: createOperatorCallbackRepo(pool) } : {}) },
          );
          break;
        }
      }
      adapters.set(name, found);
    }
    return found;
  };
  const byOperator = new Map(Object.entries(config.telco.operatorAdapters).map(([op, name]) => [op, adapter(name)]));
  return {
    airtime: new TelcoRouter(byOperator, adapter(config.telco.adapter)),
    messaging: messagingOf(adapter(config.telco.smsAdapter)),
  };
}

/** The adapter as the messaging port; configuration refuses SMS_ADAPTER naming one that sends no SMS. */
function messagingOf(adapter: TelcoOperator & Partial<MessagingPort>): MessagingPort {
  if (!adapter.sendSms) throw new Error(`${adapter.name} sends no SMS`);
  return adapter as TelcoOperator & MessagingPort;
}

/** Whether airtime between two subscribers of `operator` moves in one operator call. */
export function offersTransfer(telco: TelcoOperator, operator: string): boolean {
  return telco instanceof TelcoRouter ? telco.supportsTransfer(operator) : typeof telco.transfer === 'function';
}
