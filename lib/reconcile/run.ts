/**
 * One reconciliation run: collect the window's records, the operator's ledger and the chain's events
 * (lib/reconcile/records, ledger, chain), match them (match.ts), and store the report
 * (lib/db/reconciliations.ts). The activity, the `npm run reconcile` command and the tests all call this.
 */
import type { Pool } from 'pg';
import type { TxtcToken } from '../chain/txtc';
import { createReconciliationRepo, type StoredReconciliation } from '../db/reconciliations';
import { blocksOfWindow, firstBlockAtOrAfter, referencedEvents } from './chain';
import type { OperatorLedger } from './ledger';
import { reconcile, referencesOf } from './match';
import { loadRecords, walletsOf } from './records';
import type { IgnoreList, LedgerEntry, ProductRecord, ReconciliationResult, ReconciliationWindow } from './types';

export interface ReconcileDeps {
  pool: Pool;
  /** TXTC, read-only is enough */
  txtc: TxtcToken;
  /** the first block to search (TXTC's deployment) */
  firstBlock: number;
  ledger: OperatorLedger;
}

export interface ReconcileOptions {
  window: ReconciliationWindow;
  /** only these numbers' records, ledger entries and wallets' events (tests share one database) */
  phones?: string[];
  ignore?: Partial<IgnoreList>;
  /** how far before the window records whose movements may land in it are looked for (default 1 day) */
  lookbackMs?: number;
  /** clock difference allowed between the database and block timestamps (default 60 s) */
  skewMs?: number;
}

export interface ReconciliationReport extends ReconciliationResult {
  window: { since: string; until: string };
  blocks: { from: number; to: number };
  scope: { ledger: string; phones?: string[]; ignore: IgnoreList };
}

const DAY_MS = 86_400_000;

/** The workflow id a step reference belongs to (`<id>:<step>`). */
const workflowIdOf = (reference: string) => reference.slice(0, Math.max(0, reference.lastIndexOf(':')));

export async function collectAndReconcile(
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconciliationReport> {
  const { since, until } = options.window;
  if (!(until > since)) throw new RangeError('the window must end after it starts');
  const skewMs = options.skewMs ?? 60_000;
  const ignore: IgnoreList = {
    referencePrefixes: options.ignore?.referencePrefixes ?? [],
    references: options.ignore?.references ?? [],
  };
  const phones = options.phones?.length ? options.phones : undefined;

  const records = await loadRecords(deps.pool, { since, until, phones });
  const checked = new Set(records.map((r) => r.id));
  const context = new Map<string, ProductRecord>();
  const addContext = (found: ProductRecord[]) => {
    for (const r of found) if (!checked.has(r.id)) context.set(r.id, r);
  };
  // Records created before the window may still be moving money in it; a hybrid's leg may fall either side.
  addContext(
    await loadRecords(deps.pool, {
      since: new Date(since.getTime() - (options.lookbackMs ?? DAY_MS)),
      until: new Date(until.getTime() + skewMs),
    }),
  );
  const legs = records.flatMap((r) =>
    r.kind === 'transfer' && r.conversionId && !context.has(r.conversionId) && !checked.has(r.conversionId)
      ? [r.conversionId]
      : [],
  );
  if (legs.length) addContext(await loadRecords(deps.pool, { ids: legs }));

  const ledgerByRef = new Map<string, LedgerEntry>();
  for (const e of await deps.ledger.entriesBetween(options.window, phones)) ledgerByRef.set(e.reference, e);
  for (const e of await deps.ledger.entriesByReference(records.flatMap(referencesOf))) ledgerByRef.set(e.reference, e);
  // A window's entry whose record is older than the lookback: found by the workflow id in its reference.
  const known = new Set([...records, ...context.values()].flatMap(referencesOf));
  const strays = [...ledgerByRef.values()]
    .filter((e) => !known.has(e.reference))
    .map((e) => workflowIdOf(e.reference))
    .filter(Boolean);
  if (strays.length) addContext(await loadRecords(deps.pool, { ids: [...new Set(strays)] }));

  const provider = deps.txtc.provider;
  const blocks = await blocksOfWindow(provider, since, until, deps.firstBlock);
  const evidenceFrom = await firstBlockAtOrAfter(
    provider,
    Math.floor((since.getTime() - skewMs) / 1000),
    deps.firstBlock,
    blocks.latest,
  );
  let chain = await referencedEvents(deps.txtc, evidenceFrom, blocks.latest);
  if (phones) {
    const wallets = await walletsOf(deps.pool, phones);
    chain = chain.filter(
      (e) => wallets.has(e.to.toLowerCase()) || (e.from !== null && wallets.has(e.from.toLowerCase())),
    );
  }

  const result = reconcile({
    window: options.window,
    records,
    context: [...context.values()],
    ledger: [...ledgerByRef.values()],
    chain,
    blocks: { from: blocks.from, to: blocks.to },
    ignore,
  });
  return {
    ...result,
    window: { since: since.toISOString(), until: until.toISOString() },
    blocks: { from: blocks.from, to: blocks.to },
    scope: { ledger: deps.ledger.name, ...(phones ? { phones } : {}), ignore },
  };
}

/** Reconciles the window and stores the report under `runId` (a retried run replaces its own report). */
export async function runReconciliation(
  deps: ReconcileDeps,
  options: ReconcileOptions & { runId: string; triggeredBy: string },
): Promise<StoredReconciliation> {
  const startedAt = new Date();
  const report = await collectAndReconcile(deps, options);
  return createReconciliationRepo(deps.pool).save({
    id: options.runId,
    triggeredBy: options.triggeredBy,
    startedAt,
    report,
  });
}
