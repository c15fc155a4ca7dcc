/**
 * What ops do to money and people, in one place (issue 26): the console's forms and the REST routes call
 * these and nothing else, so there is no second way to move money. Each action asks the workflow or the
 * repository the product already uses (the approveHeld / rejectHeld / retryRefund updates, the PIN store, the
 * blocklist, the vouchers, the reconciliation workflow) and lands in ops_audit with who, what, why and how it
 * went, refused or not.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import {
  BridgeError,
  HOLD_DECISION_MAX,
  approveHeldUpdate,
  rejectHeldUpdate,
  retryRefundUpdate,
  type HoldDecisionResult,
  type RefundRetryResult,
} from '../definitions';
import { reconciliationWorkflowId, type ReconciliationInput } from '../definitions/reconcile';
import { WORKFLOW_TASK_TIMEOUT } from '../definitions/common';
import type { Config } from '../config';
import type { Services } from '../services';
import type { BlockKind, BlocklistEntry } from '../db/fraud';
import type { VoucherRecord } from '../db/vouchers';
import type { OpsConsoleRepo } from '../db/ops-console';
import { identifySubscriber } from '../telco/detect';
import { formatUsdCents, formatUsdMicros } from '../money/format';
import { usdMicrosOfTxtc } from '../money/conversion';
import { newVoucherCode, voucherCodeHash } from '../vouchers/codes';

/** Who acts: the console's signed-in key, or the REST key (and the `by` a REST body names). */
export interface Actor {
  name: string;
  apiKeyId?: string;
  channel: 'console' | 'api';
}

/** What one action does, and how its line in ops_audit names it. */
interface AuditedStep<T> {
  action: string;
  target: string;
  run: () => Promise<T>;
  outcome: (result: T) => string;
}

export interface OpsActionDeps {
  temporal: Client;
  services: Services;
  config: Config;
  audit: OpsConsoleRepo;
}

const MAX_UINT256 = (1n << 256n) - 1n;
/** How long an ops action waits for a workflow's answer before saying so (the action itself still stands). */
const UPDATE_TIMEOUT_MS = 30_000;

export interface VoucherIssue {
  txtcAmount: bigint;
  count: number;
  expiresInDays?: number;
  note?: string;
}

/** A reason is required for every action, one line, at most HOLD_DECISION_MAX.reason characters. */
function reasonOf(reason: string | undefined): string {
  const r = (reason ?? '').trim();
  if (!r) throw new BridgeError('InvalidRequest', 'a reason is required');
  if (r.length > HOLD_DECISION_MAX.reason)
    throw new BridgeError('InvalidRequest', `the reason is longer than ${HOLD_DECISION_MAX.reason} characters`);
  return r;
}

/** A workflow's refusal of an update, as the person acting reads it (`ended`: the workflow exists, closed). */
function updateRefusal(e: unknown, ended: boolean): BridgeError | undefined {
  if (e instanceof WorkflowNotFoundError)
    return ended
      ? new BridgeError('NotWaiting', 'the movement has ended: nothing waits for this any more')
      : new BridgeError('NotFound', 'no such movement');
  if (e instanceof WorkflowUpdateFailedError) {
    const cause = e.cause as { message?: string } | undefined;
    return new BridgeError('NotWaiting', cause?.message ?? 'the movement is not waiting for this');
  }
  const code = (e as { code?: number }).code;
  // NOT_FOUND from the server: the workflow ended, or no handler waits (nothing is held any more).
  if (code === 5) return new BridgeError('NotWaiting', 'the movement is not waiting for this any more');
  return undefined;
}

export function createOpsActions(deps: OpsActionDeps) {
  const { temporal, services, config, audit } = deps;

  /**
   * Every action: its reason checked before anything else, then the step run, recorded (refused or done) and
   * answered or rethrown. A refused reason, or a target that cannot be named, is not recorded.
   */
  async function audited<T>(actor: Actor, reasonText: string, step: (reason: string) => AuditedStep<T>): Promise<T> {
    const reason = reasonOf(reasonText);
    const { action, target, run, outcome } = step(reason);
    try {
      const result = await run();
      await audit.audit({ ...actor, actor: actor.name, action, target, reason, ok: true, outcome: outcome(result) });
      return result;
    } catch (e) {
      // A closed workflow answers an update as if unknown: ask whether it exists at all.
      const ended =
        e instanceof WorkflowNotFoundError &&
        (await temporal.workflow
          .getHandle(target)
          .describe()
          .then(
            () => true,
            () => false,
          ));
      const refusal = updateRefusal(e, ended) ?? e;
      const message = refusal instanceof BridgeError ? `${refusal.code}: ${refusal.message}` : 'error';
      await audit.audit({ ...actor, actor: actor.name, action, target, reason, ok: false, outcome: message });
      throw refusal;
    }
  }

  async function decideHold(actor: Actor, id: string, reasonText: string, approve: boolean) {
    return audited(actor, reasonText, (reason) => {
      const operator = actor.name.slice(0, HOLD_DECISION_MAX.operator);
      return {
        action: approve ? 'hold.approve' : 'hold.reject',
        target: id,
        run: () =>
          temporal.workflow
            .getHandle(id)
            .executeUpdate(approve ? approveHeldUpdate : rejectHeldUpdate, { args: [{ operator, reason }] }),
        outcome: (r: HoldDecisionResult) => r.decision,
      };
    });
  }

  return {
    approveHeld: (actor: Actor, id: string, reason: string) => decideHold(actor, id, reason, true),
    rejectHeld: (actor: Actor, id: string, reason: string) => decideHold(actor, id, reason, false),

    /** A failed refund tried again under its own reference (it cannot pay twice); answers how it went. */
    async retryRefund(actor: Actor, id: string, reasonText: string): Promise<RefundRetryResult> {
      return audited(actor, reasonText, () => ({
        action: 'refund.retry',
        target: id,
        run: async () => {
          const update = temporal.workflow.getHandle(id).executeUpdate(retryRefundUpdate);
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new BridgeError('TelcoTimeout', 'the refund was asked again; its answer is still coming')),
              UPDATE_TIMEOUT_MS,
            );
          });
          try {
            return await Promise.race([update, late]);
          } catch (e) {
            if ((e as WorkflowUpdateRPCTimeoutOrCancelledError).name === 'WorkflowUpdateRPCTimeoutOrCancelledError')
              throw new BridgeError('TelcoTimeout', 'the refund was asked again; its answer is still coming');
            throw e;
          } finally {
            clearTimeout(timer);
          }
        },
        outcome: (r) => (r.refunded ? 'refunded' : `not refunded: ${r.failure?.type ?? 'unknown'}`),
      }));
    },

    /** A locked (or forgotten) PIN reset: the number chooses a new one on its next dial. */
    async resetPin(actor: Actor, phone: string, reasonText: string): Promise<string> {
      return audited(actor, reasonText, () => {
        const { phoneNumber } = identifySubscriber(phone);
        return {
          action: 'pin.reset',
          target: phoneNumber,
          run: async () => {
            if (!(await services.ussd.resetPin(phoneNumber)))
              throw new BridgeError('NotFound', 'no USSD registration for this number');
            return phoneNumber;
          },
          outcome: () => 'reset; a new PIN on the next dial',
        };
      });
    },

    /** A number (E.164 after normalising) or a wallet address on the blocklist. */
    async block(actor: Actor, party: { kind: BlockKind; value: string }, reasonText: string) {
      return audited(actor, reasonText, (reason) => {
        const target = blockTarget(party);
        return {
          action: 'blocklist.add',
          target: target.value,
          run: () => services.blocklist.add({ ...target, reason, addedBy: actor.name }),
          outcome: (r: { added: boolean }) => (r.added ? 'added' : 'already listed'),
        };
      });
    },

    async unblock(actor: Actor, party: { kind: BlockKind; value: string }, reasonText: string) {
      return audited(actor, reasonText, () => {
        const target = blockTarget(party);
        return {
          action: 'blocklist.remove',
          target: target.value,
          run: async (): Promise<BlocklistEntry> => {
            const removed = await services.blocklist.remove(target.kind, target.value, actor.name);
            if (!removed) throw new BridgeError('NotFound', 'not on the blocklist');
            return removed;
          },
          outcome: () => 'removed',
        };
      });
    },

    /**
     * `count` vouchers of one TXTC amount, worth at most VOUCHER_MAX_USD each, expiring after
     * VOUCHER_EXPIRY_DAYS unless asked otherwise. The codes are in the answer only: nothing stores them.
     */
    async issueVouchers(actor: Actor, issue: VoucherIssue, reasonText: string) {
      return audited(actor, reasonText, () => ({
        action: 'voucher.issue',
        target: `${issue.count} x ${issue.txtcAmount} base units`,
        run: async (): Promise<{ voucher: VoucherRecord; code: string }[]> => {
          const { txtcAmount } = issue;
          if (txtcAmount <= 0n) throw new BridgeError('InvalidAmount', 'amount must be more than zero');
          // More than a uint256 can never be minted (and overflows the NUMERIC(78,0) column).
          if (txtcAmount > MAX_UINT256) throw new BridgeError('InvalidAmount', 'amount is too large');
          const { vouchers: rules } = config;
          const rate = await services.rates.txtcRate();
          // Exactly, to the base unit: amount / (numerator / denominator) USD against the cap in cents.
          if (txtcAmount * rate.denominator * 100n > rules.maxUsdCents * rate.numerator)
            throw new BridgeError(
              'AmountAboveMaximum',
              `a voucher may be worth at most ${formatUsdCents(rules.maxUsdCents)} (VOUCHER_MAX_USD); this one is ${formatUsdMicros(usdMicrosOfTxtc(txtcAmount, rate))}`,
            );
          const expiresAt = new Date(Date.now() + (issue.expiresInDays ?? rules.expiryDays) * 86_400_000);
          const codes = Array.from({ length: issue.count }, () => newVoucherCode());
          const issued = await services.vouchers.issue(
            codes.map((code) => ({
              id: `v_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
              codeHash: voucherCodeHash(code),
              txtcAmount,
              note: issue.note,
              expiresAt,
            })),
          );
          return issued.map((voucher, i) => ({ voucher, code: codes[i]! }));
        },
        outcome: (r) => `issued ${r.map((v) => v.voucher.id).join(', ')}`,
      }));
    },

    /** Withdraws a voucher nobody redeemed yet. */
    async revokeVoucher(actor: Actor, id: string, reasonText: string): Promise<VoucherRecord> {
      return audited(actor, reasonText, () => ({
        action: 'voucher.revoke',
        target: id,
        run: async () => {
          if (!(await services.vouchers.revoke(id))) {
            const voucher = await services.vouchers.get(id);
            if (!voucher) throw new BridgeError('NotFound', 'no such voucher');
            throw new BridgeError('InvalidRequest', 'the voucher was already redeemed');
          }
          return (await services.vouchers.get(id))!;
        },
        outcome: () => 'revoked',
      }));
    },

    /** A reconciliation of the last `windowMinutes` now, as the hourly schedule runs one; answers its id. */
    async reconcileNow(actor: Actor, reasonText: string, windowMinutes = 60): Promise<string> {
      return audited(actor, reasonText, () => {
        const now = new Date();
        const input: ReconciliationInput = {
          since: new Date(now.getTime() - windowMinutes * 60_000).toISOString(),
          until: now.toISOString(),
        };
        const workflowId = reconciliationWorkflowId(`ops:${now.toISOString()}:${randomUUID().slice(0, 8)}`);
        return {
          action: 'reconciliation.run',
          target: workflowId,
          run: async () => {
            await temporal.workflow.start('reconciliationWorkflow', {
              workflowId,
              taskQueue: config.temporal.taskQueue,
              args: [input],
              workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
            });
            return workflowId;
          },
          outcome: () => `started over ${windowMinutes} minutes`,
        };
      });
    },
  };
}

function blockTarget(p: { kind: BlockKind; value: string }): { kind: BlockKind; value: string } {
  if (p.kind === 'wallet') {
    if (!/^0x[0-9a-fA-F]{40}$/.test(p.value)) throw new BridgeError('InvalidRequest', 'a wallet is a 0x address');
    return { kind: 'wallet', value: p.value.toLowerCase() };
  }
  return { kind: 'phone', value: identifySubscriber(p.value).phoneNumber };
}

export type OpsActions = ReturnType<typeof createOpsActions>;
