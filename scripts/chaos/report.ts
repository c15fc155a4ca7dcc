/**
 * The chaos run's end (scripts/chaos/run.ts): waiting for every workflow to end, then what the records say
 * (outcomes, failures, end-to-end latencies) for the report `npm run chaos` prints as JSON.
 */
import type { Client } from '@temporalio/client';
import { temporal as temporalProto } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';

const temporalEnums = temporalProto.api.enums.v1;
import { createPool } from '../../lib/db/pool';
import type { LedgerCheck } from './ledger-check';
import type { FaultCounts } from './faults';
import { sleep, type Kind } from './load';

export interface ChaosReport {
  requests: { unique: number; deliveries: number; duplicates: number; byKind: Record<Kind, number> };
  accepted: number;
  refusedAtTheDoor: number;
  refusals: Record<string, number>;
  abandonedUssdSessions: number;
  ussdAbandons: Record<string, number>;
  failures: Record<string, number>;
  records: { conversions: Record<string, number>; transfers: Record<string, number> };
  completed: number;
  failed: number;
  refunded: number;
  owed: number;
  unfinished: number;
  /** processes that died on their own (not killed by the harness): each one is a finding */
  crashes: Record<string, number>;
  /** why each crash happened: the process's last output */
  crashTails: string[];
  faults: FaultCounts & { simErrorRate: number; simTimeoutAfterCommitRate: number };
  /** the Temporal the run stood on: the dev server or the full server on Postgres */
  temporal: 'dev' | 'postgres';
  /** worker processes on the one task queue */
  workers: number;
  temporalKills: number;
  /** every record that reached a final state (completed or failed), from its creation to its last update */
  endToEnd: { p50Ms: number; p95Ms: number; maxMs: number };
  /** p95 from request to final state of the completed records, under the faults */
  p95EndToEndMs: number;
  /** where the slowest completed movements waited, by pair of history events (slowestWaits) */
  waits: Awaited<ReturnType<typeof slowestWaits>>;
  /** the reconciliation's mismatches (listed under reconciliation) */
  mismatches: number;
  /** workflows still running or records still pending after the settle timeout: unfinished (-1: unknown) */
  stuck: number;
  reconciliation: LedgerCheck;
  durationSeconds: number;
  logDir: string;
}

/** Waits up to `timeoutMs` for every workflow but the chain writer to end; how many still run (Infinity: unknown). */
export async function waitForWorkflows(temporal: Client, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let running = Infinity;
  while (Date.now() < deadline) {
    running = await countRunning(temporal);
    if (running === 0) break;
    await sleep(2000);
  }
  return running;
}

async function countRunning(temporal: Client): Promise<number> {
  try {
    let n = 0;
    // The chain writer is long-lived by design (it waits for the next entry): every other workflow must end.
    const query = 'ExecutionStatus="Running" AND WorkflowType!="chainWriterWorkflow"';
    for await (const _ of temporal.workflow.list({ query })) n += 1;
    return n;
  } catch {
    return Infinity;
  }
}

export async function recordCounts(pool: ReturnType<typeof createPool>) {
  const group = async (sql: string) => {
    const { rows } = await pool.query<{ key: string; n: string }>(sql);
    return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
  };
  const conversions = await group(
    "SELECT status || '/' || stage AS key, count(*) AS n FROM airtime_transactions WHERE parent_transfer_id IS NULL GROUP BY 1",
  );
  const transfers = await group(
    "SELECT transfer_type || ':' || status || '/' || stage AS key, count(*) AS n FROM p2p_transfers GROUP BY 1",
  );
  const failures = await group(
    `SELECT 'conversion ' || COALESCE(failure_code, '?') AS key, count(*) AS n FROM airtime_transactions
       WHERE status = 'failed' AND parent_transfer_id IS NULL GROUP BY 1
     UNION ALL
     SELECT transfer_type || ' ' || COALESCE(failure_code, '?'), count(*) FROM p2p_transfers WHERE status = 'failed' GROUP BY 1`,
  );
  const sum = (m: Record<string, number>, test: (k: string) => boolean) =>
    Object.entries(m).reduce((a, [k, n]) => a + (test(k) ? n : 0), 0);
  const all = { ...conversions, ...transfers };
  return {
    conversions,
    transfers,
    failures,
    completed: sum(all, (k) => k.includes('completed/')),
    failed: sum(all, (k) => k.includes('failed/')),
    refunded: sum(all, (k) => k.endsWith('/refunded')),
    owed: sum(all, (k) => k.endsWith('/refund_failed')),
    pending: sum(all, (k) => k.includes('pending/')),
  };
}

/** Time from creation to last update of the records in a final state (`completedOnly`: of the completed ones). */
export async function latencies(pool: ReturnType<typeof createPool>, completedOnly = false) {
  const final = completedOnly ? "status = 'completed'" : "status <> 'pending'";
  const { rows } = await pool.query<{ ms: string }>(
    `SELECT extract(epoch FROM (updated_at - created_at)) * 1000 AS ms FROM (
       SELECT created_at, updated_at FROM airtime_transactions WHERE parent_transfer_id IS NULL AND ${final}
       UNION ALL SELECT created_at, updated_at FROM p2p_transfers WHERE ${final}) t ORDER BY 1`,
  );
  const ms = rows.map((r) => Number(r.ms));
  const at = (p: number) =>
    ms.length ? Math.round(ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!) : 0;
  return { p50Ms: at(50), p95Ms: at(95), maxMs: at(100) };
}

/** One wait inside a workflow's history: between two consecutive events, named by their types. */
export interface HistoryWait {
  after: string;
  before: string;
  ms: number;
}

/**
 * Where the slowest completed movements waited: of the `n` completed records that took longest, each one's
 * history read back and every pause of `minMs` or more between consecutive events summed by its pair of
 * event types (a workflow task scheduled and not started: no worker took it; an activity scheduled and not
 * started; an activity started and timed out: its worker died with it; a timer). Empty where a history is
 * gone (Temporal restarted without its store).
 */
export async function slowestWaits(
  temporal: Client,
  pool: ReturnType<typeof createPool>,
  n = 20,
  minMs = 1000,
): Promise<{
  workflows: { workflowId: string; ms: number; longest?: HistoryWait }[];
  byPair: Record<string, { n: number; ms: number }>;
  /** the same pauses in the chain writer's runs (a movement waiting on its mint shows only a timer and a signal) */
  writer: Record<string, { n: number; ms: number }>;
}> {
  const { rows } = await pool.query<{ workflow_id: string; ms: string }>(
    `SELECT id AS workflow_id, extract(epoch FROM (updated_at - created_at)) * 1000 AS ms FROM (
       SELECT id, created_at, updated_at FROM airtime_transactions
        WHERE parent_transfer_id IS NULL AND status = 'completed'
       UNION ALL SELECT id, created_at, updated_at FROM p2p_transfers WHERE status = 'completed') t
     ORDER BY 2 DESC LIMIT $1`,
    [n],
  );
  const byPair: Record<string, { n: number; ms: number }> = {};
  const workflows: { workflowId: string; ms: number; longest?: HistoryWait }[] = [];
  for (const row of rows) {
    const longest = await historyGaps(temporal, row.workflow_id, undefined, minMs, byPair);
    workflows.push({ workflowId: row.workflow_id, ms: Math.round(Number(row.ms)), ...(longest ? { longest } : {}) });
  }
  const writer: Record<string, { n: number; ms: number }> = {};
  for await (const run of temporal.workflow.list({ query: "WorkflowType = 'chainWriterWorkflow'" }))
    await historyGaps(temporal, run.workflowId, run.runId, minMs, writer);
  return { workflows, byPair, writer };
}

/** Adds a run's pauses of `minMs` or more to `byPair`, by the pair of events around them; the longest one. */
async function historyGaps(
  temporal: Client,
  workflowId: string,
  runId: string | undefined,
  minMs: number,
  byPair: Record<string, { n: number; ms: number }>,
): Promise<HistoryWait | undefined> {
  let longest: HistoryWait | undefined;
  try {
    const history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    for (let i = 1; i < events.length; i++) {
      const ms = eventMs(events[i]!) - eventMs(events[i - 1]!);
      if (ms < minMs) continue;
      const wait = { after: eventName(events[i - 1]!), before: eventName(events[i]!), ms };
      const pair = (byPair[`${wait.after} -> ${wait.before}`] ??= { n: 0, ms: 0 });
      pair.n += 1;
      pair.ms += ms;
      if (!longest || ms > longest.ms) longest = wait;
    }
  } catch {
    // no history to read: the record's figure stands alone
  }
  return longest;
}

type HistoryEvent = temporalProto.api.history.v1.IHistoryEvent;

const eventMs = (event: HistoryEvent): number => tsToMs(event.eventTime);

function eventName(event: HistoryEvent): string {
  const type = event.eventType ?? 0;
  return (temporalEnums.EventType[type] ?? String(type)).replace(/^EVENT_TYPE_/, '');
}
