/**
 * The process's own metrics (prom-client): what happens inside this process and nowhere else: operator API
 * calls, SMS provider calls and chain writes (counted where the worker's activities make them, by wrapping
 * the ports in lib/services.ts), HTTP requests (api/metrics.ts) and Node's default metrics. Money counts
 * come from Postgres instead (lib/record-metrics.ts): a workflow replays and several workers run it, so
 * counting money here would count it wrongly.
 */
import { createServer, type Server } from 'node:http';
import type { JsonRpcProvider } from 'ethers';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MintingToken, TransferringToken } from './chain/txtc';
import { BridgeError } from './definitions/errors';
import {
  TelcoReferenceConflictError,
  TelcoTimeoutError,
  TelcoUnavailableError,
  type MessagingPort,
  type TelcoOperator,
} from './telco/types';

/** One registry per process, served by the API's /metrics and the worker's WORKER_METRICS_PORT. */
export const processRegistry = new Registry();

let defaultsOn = false;
/** Node's default metrics (CPU, memory, event loop, GC), once per process: only entry points turn them on. */
export function enableDefaultMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: processRegistry });
}

/** A process metric: registered in processRegistry, no labels unless named. */
const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
  new Counter<L>({ name, help, labelNames, registers: [processRegistry] });
const gauge = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
  new Gauge<L>({ name, help, labelNames, registers: [processRegistry] });
const histogram = <L extends string = never>(
  name: string,
  help: string,
  buckets: number[],
  labelNames: readonly L[] = [],
) => new Histogram<L>({ name, help, labelNames, buckets, registers: [processRegistry] });

/** Quotes the price guard refused (lib/money/price-guard.ts): the pool left its average, or nobody watches it. */
export const priceRefusals = counter(
  'txtc_price_refusals_total',
  'TXTC quotes refused by the price guard, by reason (deviation: the pool left its time-weighted average; stale: no recent observation)',
  ['reason'],
);

/** 401/403 from an operator API (lib/telco/http.ts): our keys or environment are wrong; nothing retries it. */
export const operatorAuthFailures = counter(
  'txtc_operator_auth_failures_total',
  'Operator API calls refused for our credentials or environment (401, 403), by operator and status: a configuration error, never retried',
  ['operator', 'status'],
);

export const operatorCalls = counter(
  'txtc_operator_calls_total',
  'Operator API calls by operator, operation (balance, debit, credit, transfer, status) and outcome (committed, rejected, not_found, ok; timeout, unavailable, conflict, error are failures)',
  ['operator', 'operation', 'outcome'],
);

export const operatorCallDuration = histogram(
  'txtc_operator_call_duration_seconds',
  'Operator API call latency by operator and operation',
  [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  ['operator', 'operation'],
);

export const smsProviderCalls = counter(
  'txtc_sms_provider_calls_total',
  'SMS sends handed to the messaging provider, by provider and outcome (ok, error)',
  ['provider', 'outcome'],
);

/** The circuit breakers of this process's real operator adapters, by operator (lib/telco/http.ts registers them). */
const circuits = new Map<string, { state: 'closed' | 'open' | 'half-open' }>();
export function trackCircuit(operator: string, breaker: { state: 'closed' | 'open' | 'half-open' }): void {
  circuits.set(operator, breaker);
}

export const operatorCircuitOpen = new Gauge({
  name: 'txtc_operator_circuit_open',
  help: 'Whether a real operator API is failing fast (its circuit breaker open: 1; half-open, one trial call: 0.5; closed: 0)',
  labelNames: ['operator'] as const,
  registers: [processRegistry],
  collect() {
    for (const [operator, breaker] of circuits)
      this.set({ operator }, breaker.state === 'open' ? 1 : breaker.state === 'half-open' ? 0.5 : 0);
  },
});

export const chainWrites = counter(
  'txtc_chain_writes_total',
  'TXTC writes (mint, transfer) by outcome: sent, found (an earlier attempt had landed), rejected, error',
  ['operation', 'outcome'],
);

export const chainWriteDuration = histogram(
  'txtc_chain_write_duration_seconds',
  'TXTC write latency, broadcast to receipt, by operation',
  [0.1, 0.5, 1, 2, 5, 10, 15, 30, 60, 120],
  ['operation'],
);

export const chainGasUsed = histogram(
  'txtc_chain_gas_used',
  'Gas used by a TXTC write this process sent, by operation',
  [30000, 50000, 75000, 100000, 150000, 200000, 300000, 500000, 1000000, 3000000, 10000000],
  ['operation'],
);

export const chainBatches = counter(
  'txtc_chain_batches_total',
  'Chain writer batches by how they settled: mined, nonce_used (by a transaction of unknown hash), reverted; and broadcasts replaced when stuck (replaced)',
  ['outcome'],
);

export const chainSignerBalance = gauge(
  'txtc_chain_signer_balance_eth',
  "A batch signer's balance in ETH, read by its chain writer (after each mined batch; before each batch with several signers)",
  ['signer'],
);

export const chainSignerOutOfGas = gauge(
  'txtc_chain_signer_out_of_gas',
  "Whether a batch signer's balance is below CHAIN_SIGNER_MIN_BALANCE_WEI (1: its writer hands new entries to another signer)",
  ['signer'],
);

export const chainBatchEntries = histogram(
  'txtc_chain_batch_entries',
  'Entries (mints and transfers) per mined chain writer batch',
  [1, 2, 5, 10, 20, 50, 100, 200, 500],
);

export const httpRequests = counter(
  'txtc_http_requests_total',
  'API requests by method, route pattern (never the raw path) and status',
  ['method', 'route', 'status'],
);

export const httpRequestDuration = histogram(
  'txtc_http_request_duration_seconds',
  'API request latency by method and route pattern (POST /ussd is the USSD hop latency)',
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ['method', 'route'],
);

/** What a telco call that threw says about the operator. */
function telcoFailure(e: unknown): string {
  if (e instanceof TelcoTimeoutError) return 'timeout';
  if (e instanceof TelcoUnavailableError) return 'unavailable';
  if (e instanceof TelcoReferenceConflictError) return 'conflict';
  return 'error';
}

/** Other methods run on the port itself, so its #private fields and `this` are what it expects. */
const bound = (fn: unknown, target: object): unknown => (fn as (...a: unknown[]) => unknown).bind(target);

const TELCO_OPERATIONS: Record<string, string> = {
  checkBalance: 'balance',
  debit: 'debit',
  credit: 'credit',
  transfer: 'transfer',
  status: 'status',
};

/**
 * The airtime port, counting each call by operator, operation and outcome. A Proxy, so the port keeps its
 * class (TelcoRouter's per-operator checks) and an optional method stays absent when the port lacks it.
 */
export function instrumentTelco<T extends TelcoOperator>(telco: T): T {
  return new Proxy(telco, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const operation = typeof prop === 'string' ? TELCO_OPERATIONS[prop] : undefined;
      if (typeof value !== 'function') return value;
      if (!operation) return bound(value, target);
      return async (...args: unknown[]) => {
        const operator = String(
          operation === 'balance' ? args[1] : ((args[0] as { operator?: string } | undefined)?.operator ?? 'unknown'),
        );
        const end = operatorCallDuration.startTimer({ operator, operation });
        try {
          const result = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as
            | { status?: string }
            | undefined;
          const outcome = operation === 'balance' ? 'ok' : (result?.status ?? 'not_found');
          operatorCalls.inc({ operator, operation, outcome });
          return result;
        } catch (e) {
          operatorCalls.inc({ operator, operation, outcome: telcoFailure(e) });
          throw e;
        } finally {
          end();
        }
      };
    },
  });
}

/** The messaging port, counting each send by provider and outcome. */
export function instrumentMessaging<T extends MessagingPort>(messaging: T): T {
  return new Proxy(messaging, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== 'sendSms') return bound(value, target);
      return async (...args: unknown[]) => {
        try {
          const sent: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          smsProviderCalls.inc({ provider: target.name, outcome: 'ok' });
          return sent;
        } catch (e) {
          smsProviderCalls.inc({ provider: target.name, outcome: 'error' });
          throw e;
        }
      };
    },
  });
}

/** Counts a chain write and, for a transaction this call sent, its gas (read after, never in the way). */
function instrumentWrite<T extends object>(
  token: T,
  method: string,
  operation: string,
  already: (receipt: { alreadyMinted?: boolean; alreadySent?: boolean }) => boolean,
  provider?: JsonRpcProvider,
): T {
  return new Proxy(token, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== method) return bound(value, target);
      return async (...args: unknown[]) => {
        const end = chainWriteDuration.startTimer({ operation });
        try {
          const receipt = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as {
            txHash: string;
            alreadyMinted?: boolean;
            alreadySent?: boolean;
          };
          const found = already(receipt);
          chainWrites.inc({ operation, outcome: found ? 'found' : 'sent' });
          if (!found && provider) {
            void provider
              .getTransactionReceipt(receipt.txHash)
              .then((r) => r && chainGasUsed.observe({ operation }, Number(r.gasUsed)))
              .catch(() => undefined);
          }
          return receipt;
        } catch (e) {
          chainWrites.inc({ operation, outcome: e instanceof BridgeError ? 'rejected' : 'error' });
          throw e;
        } finally {
          end();
        }
      };
    },
  });
}

export const instrumentMinting = <T extends MintingToken>(token: T, provider?: JsonRpcProvider): T =>
  instrumentWrite(token, 'mintOnce', 'mint', (r) => !!r.alreadyMinted, provider);

export const instrumentTransferring = <T extends TransferringToken>(token: T, provider?: JsonRpcProvider): T =>
  instrumentWrite(token, 'transferOnce', 'transfer', (r) => !!r.alreadySent, provider);

/** Serves a registry at GET /metrics on its own port (the worker's; the API mounts a route instead). */
export function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500).end(e instanceof Error ? e.message : String(e)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
