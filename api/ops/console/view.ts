/** What the console page shows: every panel's rows, read once per request (api/ops/console/index.ts). */
import type { HeldRow, HourVolume, MovementRow, StageCount, AuditEntry } from '../../../lib/db/ops-console';
import type { StoredReconciliation } from '../../../lib/db/reconciliations';
import type { Mismatch } from '../../../lib/reconcile/types';
import type { BlocklistEntry } from '../../../lib/db/fraud';
import type { OpsAlert } from '../../../lib/db/ops-alerts';
import type { ConsoleHealth } from './health';
import type { ViewBase } from './parts';

export interface ConsoleView extends ViewBase {
  actor: string;
  csrf: string;
  notice?: { ok: boolean; text: string };
  temporalUi: (workflowId: string) => string;
  byStage: StageCount[];
  inFlight: MovementRow[];
  held: HeldRow[];
  awaitingPayer: MovementRow[];
  refundFailed: MovementRow[];
  locked: { phoneNumber: string; lockedAt: Date; failedAttempts: number }[];
  blocklist: BlocklistEntry[];
  reconciliations: StoredReconciliation[];
  /** the newest run with mismatches: its first ones */
  mismatches: Mismatch[];
  alerts: OpsAlert[];
  lastDay: HourVolume[];
  audit: (AuditEntry & { at: Date })[];
  health: ConsoleHealth;
  now: Date;
}
