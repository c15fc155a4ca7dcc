/**
 * The simulated operator: a first-class telco adapter (airtime and messaging) with its own persisted
 * accounts (lib/db/sim-telco.ts), idempotent on the caller's reference, with failure injection for
 * development and tests: added latency, an error rate (fails before committing) and "timed out after
 * committing", the ambiguous case real operators produce.
 */
import type { Pool } from 'pg';
import { createSimTelcoRepo, type SimOperation, type SimTelcoRepo } from '../db/sim-telco';
import {
  TelcoReferenceConflictError,
  TelcoTimeoutError,
  TelcoUnavailableError,
  type AirtimeBalance,
  type AirtimeMovement,
  type AirtimeTransfer,
  type MessagingPort,
  type MovementLookup,
  type SmsSent,
  type TelcoOperator,
  type TelcoResult,
} from './types';

export interface SimulatedFaults {
  latencyMs: number;
  /** share of debits/credits failing before they commit */
  errorRate: number;
  /** share of debits/credits that commit and then time out */
  timeoutAfterCommitRate: number;
}

/** Demo numbers seeded in local mode (README lists them); balances in minor units. */
export const DEMO_ACCOUNTS: { phoneNumber: string; operator: string; currency: string; balanceMinor: bigint }[] = [
  { phoneNumber: '+254712345678', operator: 'safaricom-ke', currency: 'KES', balanceMinor: 500000n },
  { phoneNumber: '+254733123456', operator: 'airtel-ke', currency: 'KES', balanceMinor: 200000n },
  { phoneNumber: '+254798765432', operator: 'safaricom-ke', currency: 'KES', balanceMinor: 100000n },
  { phoneNumber: '+256772123456', operator: 'mtn-ug', currency: 'UGX', balanceMinor: 200000n },
  { phoneNumber: '+233241234567', operator: 'mtn-gh', currency: 'GHS', balanceMinor: 50000n },
  { phoneNumber: '+2348031234567', operator: 'mtn-ng', currency: 'NGN', balanceMinor: 5000000n },
];

const toResult = (op: SimOperation): TelcoResult => ({
  reference: op.reference,
  status: op.status,
  ...(op.reason ? { reason: op.reason } : {}),
  ...(op.balanceAfter !== null ? { balanceAfterMinor: op.balanceAfter } : {}),
  ...(op.counterpartyBalanceAfter !== null ? { receiverBalanceAfterMinor: op.counterpartyBalanceAfter } : {}),
  recorded: { kind: op.kind, phoneNumber: op.phoneNumber, amountMinor: op.amountMinor },
});

export class SimulatedOperator implements TelcoOperator, MessagingPort {
  readonly name = 'simulated';
  private readonly repo: SimTelcoRepo;

  constructor(
    pool: Pool,
    private readonly faults: SimulatedFaults = { latencyMs: 0, errorRate: 0, timeoutAfterCommitRate: 0 },
    private readonly random: () => number = Math.random,
  ) {
    this.repo = createSimTelcoRepo(pool);
  }

  async checkBalance(phoneNumber: string, operator: string): Promise<AirtimeBalance> {
    await this.delay();
    const found = await this.repo.balance(phoneNumber, operator);
    if (!found) throw new RangeError(`operator ${operator} is not served`);
    return { phoneNumber, operator, ...found };
  }

  debit(movement: AirtimeMovement): Promise<TelcoResult> {
    return this.move('debit', movement);
  }

  credit(movement: AirtimeMovement): Promise<TelcoResult> {
    return this.move('credit', movement);
  }

  /** Same-operator P2P: both accounts move in one step, once per reference. */
  async transfer(t: AirtimeTransfer): Promise<TelcoResult> {
    await this.delay();
    if (t.amountMinor <= 0n) throw new RangeError('amount must be positive');
    if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) {
      throw new TelcoUnavailableError(`simulated operator unavailable (transfer ${t.reference} not applied)`);
    }
    const { operation, seen } = await this.repo.applyTransfer(t);
    if (
      seen &&
      (operation.kind !== 'transfer' ||
        operation.phoneNumber !== t.fromPhone ||
        operation.counterparty !== t.toPhone ||
        operation.amountMinor !== t.amountMinor)
    ) {
      throw new TelcoReferenceConflictError(t.reference);
    }
    if (this.faults.timeoutAfterCommitRate > 0 && this.random() < this.faults.timeoutAfterCommitRate) {
      throw new TelcoTimeoutError(t.reference);
    }
    return toResult(operation);
  }

  async status(lookup: MovementLookup): Promise<TelcoResult | undefined> {
    await this.delay();
    const op = await this.repo.findOperation(lookup.reference);
    return op && toResult(op);
  }

  /** Keeps the SMS in its outbox once per reference; a repeat answers with the first one's id. */
  async sendSms(phoneNumber: string, message: string, reference: string): Promise<SmsSent> {
    await this.delay();
    const id = await this.repo.recordSms(phoneNumber, message, reference);
    return { messageId: `sim-${id}`, status: 'Sent' };
  }

  /** Development top-up (POST /dev/telco/topup); idempotent on its reference like everything else. */
  async topUp(phoneNumber: string, operator: string, amountMinor: bigint, reference: string): Promise<TelcoResult> {
    return this.apply('topup', { phoneNumber, operator, amountMinor, reference });
  }

  /** Seeds the demo numbers (local mode); an existing account keeps its balance. */
  async seedDemoAccounts(): Promise<void> {
    for (const a of DEMO_ACCOUNTS) await this.repo.seedAccount(a.phoneNumber, a.operator, a.currency, a.balanceMinor);
  }

  private async move(kind: 'debit' | 'credit', movement: AirtimeMovement): Promise<TelcoResult> {
    await this.delay();
    if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) {
      throw new TelcoUnavailableError(`simulated operator unavailable (${kind} ${movement.reference} not applied)`);
    }
    const result = await this.apply(kind, movement);
    if (this.faults.timeoutAfterCommitRate > 0 && this.random() < this.faults.timeoutAfterCommitRate) {
      throw new TelcoTimeoutError(movement.reference);
    }
    return result;
  }

  private async apply(kind: 'debit' | 'credit' | 'topup', m: AirtimeMovement): Promise<TelcoResult> {
    if (m.amountMinor <= 0n) throw new RangeError('amount must be positive');
    const { operation, seen } = await this.repo.apply(kind, m);
    if (
      seen &&
      (operation.kind !== kind || operation.phoneNumber !== m.phoneNumber || operation.amountMinor !== m.amountMinor)
    ) {
      throw new TelcoReferenceConflictError(m.reference);
    }
    return toResult(operation);
  }

  private async delay(): Promise<void> {
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
  }
}
