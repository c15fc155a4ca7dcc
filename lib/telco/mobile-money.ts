/**
 * What MTN MoMo and Airtel Money have in common: a debit is a collection the person approves on the handset,
 * a credit is a disbursement, the wallet's balance is its owner's to know, and a movement is found again by
 * the id derived from our reference. An adapter supplies the calls (`move`, `find`).
 */
import type { Logger } from '../log';
import type { CallbackInbox, CallbackOperator } from '../db/operator-callbacks';
import { OperatorHttp, currencyDigits, type OperatorHttpLimits } from './http';
import { systemClock, type Clock } from './limits';
import type { PollSettings } from './polling';
import type { AirtimeBalance, AirtimeMovement, MovementLookup, TelcoOperator, TelcoResult } from './types';

export type Product = 'collection' | 'disbursement';

/** What each adapter's config adds to its operator's settings: how it calls the API and waits for a payment. */
export interface MobileMoneyTuning extends PollSettings {
  limits?: Partial<OperatorHttpLimits>;
}

/** A disbursement needs nobody's approval: usually final at once, but it may be pending briefly. */
const DISBURSEMENT_WAIT_MS = 60_000;

/** What an adapter is built with besides its config: a logger, the clock and fetch (tests), the callback inbox. */
export interface MobileMoneyOptions {
  log?: Logger;
  clock?: Clock;
  fetch?: typeof fetch;
  callbacks?: CallbackInbox;
}

export abstract class MobileMoneyOperator implements TelcoOperator {
  abstract readonly name: string;
  protected readonly http: OperatorHttp;
  protected readonly clock: Clock;
  /** the market currency's minor digits */
  protected readonly digits: number;
  protected readonly callbacks: CallbackInbox | undefined;

  protected constructor(
    operator: CallbackOperator,
    private readonly market: MobileMoneyTuning & { currency: string; approvalTimeoutMs: number; baseUrl: string },
    options: MobileMoneyOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.callbacks = options.callbacks;
    this.digits = currencyDigits(market.currency);
    this.http = new OperatorHttp({ operator, baseUrl: market.baseUrl, limits: market.limits, ...options });
  }

  /** The operator keeps a wallet's balance to its owner: unknown here, the debit decides. */
  checkBalance(phoneNumber: string, operator: string): Promise<AirtimeBalance> {
    return Promise.resolve({ phoneNumber, operator, currency: this.market.currency, balanceMinor: null });
  }

  debit(movement: AirtimeMovement): Promise<TelcoResult> {
    return this.move('collection', movement, this.market.approvalTimeoutMs);
  }

  credit(movement: AirtimeMovement): Promise<TelcoResult> {
    return this.move('disbursement', movement, Math.min(this.market.approvalTimeoutMs, DISBURSEMENT_WAIT_MS));
  }

  /** Mobile money offers no airtime transfer here: a transfer was never made through it. */
  async status(lookup: MovementLookup): Promise<TelcoResult | undefined> {
    if (lookup.kind === 'transfer') return undefined;
    return this.find(lookup.kind === 'debit' ? 'collection' : 'disbursement', lookup.reference);
  }

  /** Makes the movement (once per reference) and waits up to `waitMs` for its final state. */
  protected abstract move(product: Product, movement: AirtimeMovement, waitMs: number): Promise<TelcoResult>;

  /** The movement made under `reference`, as it stands now; undefined if the operator never saw it. */
  protected abstract find(product: Product, reference: string): Promise<TelcoResult | undefined>;
}
