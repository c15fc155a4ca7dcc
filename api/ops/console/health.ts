/**
 * The console's health panel: Postgres, Temporal and the chain as the API sees them, each chain writer (its
 * queue, the batch being written, when a batch last landed, the signer's gas), each operator's float, and, when
 * OPS_PROMETHEUS_URL names one, each operator's circuit as the workers report it (a circuit is a worker's,
 * so only Prometheus sees them all). Every read has a deadline: a part that does not answer is shown as such
 * and never holds the page.
 */
import { formatDecimal } from '../../../lib/money/decimal';
import { chainWriterStateQuery, type ChainWriterState } from '../../../lib/definitions';
import type { FloatRow } from '../../../lib/floats';
import type { ApiContext } from '../../context';

const DEADLINE_MS = 2000;
const WRITERS_SHOWN = 10;

export type Probe<T> = { ok: true; value: T; ms: number } | { ok: false; error: string; ms: number };

export interface WriterHealth extends ChainWriterState {
  workflowId: string;
  gasWei?: bigint;
}

export interface ConsoleHealth {
  postgres: Probe<null>;
  temporal: Probe<null>;
  chain: Probe<{ block: number; ageSeconds: number }>;
  writers: Probe<WriterHealth[]>;
  floats: Probe<FloatRow[]>;
  /** operator -> open (1) or closed (0), the max over workers; undefined: no Prometheus configured */
  circuits?: Probe<Record<string, number>>;
}

/**
 * `fn` within the deadline, timed; a failure or a late answer is a short message, never a stack. `race` false:
 * `fn` bounds itself (a Temporal call under a gRPC deadline) and is awaited to its end, so no call of this page
 * outlives the request (a retry of an abandoned call could fire after its connection closed).
 */
export async function probe<T>(fn: () => Promise<T>, deadlineMs = DEADLINE_MS, race = true): Promise<Probe<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      fn(),
      ...(race
        ? [
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer in ${deadlineMs} ms`)), deadlineMs);
            }),
          ]
        : []),
    ]);
    return { ok: true, value, ms: Math.round(performance.now() - started) };
  } catch (e) {
    const error = e instanceof Error ? e.message.split('\n')[0]!.slice(0, 120) : 'failed';
    return { ok: false, error, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** Running chain writers (one per signer and task queue), their queues and their signers' gas. */
async function writers(ctx: ApiContext): Promise<WriterHealth[]> {
  const { temporal, provider } = ctx.deps;
  const found: WriterHealth[] = [];
  const query = `WorkflowType = 'chainWriterWorkflow' AND ExecutionStatus = 'Running'`;
  for await (const w of temporal.workflow.list({ query, pageSize: WRITERS_SHOWN })) {
    // A writer whose worker is gone cannot answer: a second at most each, so the others are still shown.
    const state = await temporal.connection
      .withDeadline(Date.now() + 1000, () => temporal.workflow.getHandle(w.workflowId).query(chainWriterStateQuery))
      .catch(() => undefined);
    const signer = state?.signer ?? w.workflowId.split(':').at(-1) ?? '';
    const gasWei = /^0x[0-9a-f]{40}$/i.test(signer)
      ? await provider.getBalance(signer).catch(() => undefined)
      : undefined;
    found.push({
      workflowId: w.workflowId,
      signer,
      pending: state?.pending ?? -1,
      inFlight: state?.inFlight ?? -1,
      ...(state?.lastMinedAt === undefined ? {} : { lastMinedAt: state.lastMinedAt }),
      ...(gasWei === undefined ? {} : { gasWei }),
    });
    if (found.length >= WRITERS_SHOWN) break;
  }
  return found;
}

/** `max by (operator) (txtc_operator_circuit_open)` from Prometheus's HTTP API. */
async function circuits(prometheusUrl: string): Promise<Record<string, number>> {
  const url = new URL('/api/v1/query', prometheusUrl);
  url.searchParams.set('query', 'max by (operator) (txtc_operator_circuit_open)');
  const res = await fetch(url, { signal: AbortSignal.timeout(DEADLINE_MS) });
  if (!res.ok) throw new Error(`Prometheus answered ${res.status}`);
  const body = (await res.json()) as {
    data?: { result?: { metric: { operator?: string }; value: [number, string] }[] };
  };
  return Object.fromEntries(
    (body.data?.result ?? []).map((r) => [r.metric.operator ?? 'unknown', Number(r.value[1])] as const),
  );
}

export async function readHealth(ctx: ApiContext, prometheusUrl?: string): Promise<ConsoleHealth> {
  const { pool, temporal, provider } = ctx.deps;
  /** A Temporal read under a gRPC deadline (no retry past it), awaited to its end. */
  const temporalProbe = <T>(fn: () => Promise<T>, ms = DEADLINE_MS) =>
    probe(() => temporal.connection.withDeadline(Date.now() + ms, fn), ms, false);
  const [postgres, temporalCheck, chain, writerProbe, floats, circuitProbe] = await Promise.all([
    probe(async () => {
      await pool.query('SELECT 1');
      return null;
    }),
    temporalProbe(async () => {
      await temporal.workflowService.getSystemInfo({});
      return null;
    }),
    probe(async () => {
      const block = await provider.getBlock('latest');
      if (!block) throw new Error('no latest block');
      return { block: block.number, ageSeconds: Math.max(0, Math.round(Date.now() / 1000 - block.timestamp)) };
    }),
    // A writer whose worker is gone cannot answer its query: the deadline ends the wait.
    temporalProbe(() => writers(ctx), DEADLINE_MS * 2),
    probe(() => ctx.services.floats.all()),
    prometheusUrl ? probe(() => circuits(prometheusUrl)) : Promise.resolve(undefined),
  ]);
  return {
    postgres,
    temporal: temporalCheck,
    chain,
    writers: writerProbe,
    floats,
    ...(circuitProbe ? { circuits: circuitProbe } : {}),
  };
}

/** A signer's gas in ETH to 4 decimals, cut down (integers only: 1 ETH is 10^18 wei). */
export const formatGas = (wei: bigint) => `${formatDecimal(wei / 10n ** 14n, 4)} ETH`;
