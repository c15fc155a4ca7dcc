/**
 * MTN MoMo (Mobile Money Open API): a debit is a collection request-to-pay the person approves on the
 * handset, a credit is a disbursement transfer, and an earlier movement is found by its X-Reference-Id,
 * a version 4 UUID derived from our reference (so a retry sends the same id and MoMo answers 409 for it:
 * already there, read its status). Movements made before the ids were v4 carry the older v5 id: each
 * lookup and each new payment looks for that one too, so a retry across the upgrade never pays twice.
 * Status answers 200 even for a FAILED payment: its `status` and `reason` decide. The wire format is the
 * one the mtn-momo client sends (test/wire/official-clients.test.ts compares them field by field).
 *
 * MoMo does not tell a subscriber's balance to a merchant: checkBalance answers it as unknown, and the
 * debit itself decides (NOT_ENOUGH_FUNDS is InsufficientAirtime). A request-to-pay stays PENDING until the
 * person approves it, for minutes: a debit polls its status with backoff (the activity heartbeats) for up
 * to `approvalTimeoutMs`; a payment still pending after that is TelcoPendingError, which the workflow
 * settles by asking its status again until MoMo says SUCCESSFUL, FAILED or EXPIRED.
 *
 * With a callback URL, every request-to-pay and transfer names where MoMo sends its final state (PUT, or
 * POST on the sandbox): `<callbackUrl>/<callbackSecret>/<product>/<X-Reference-Id>`, since the callback's
 * body need not carry the reference id. The API keeps what arrives (api/telco/operator-callbacks.ts); the
 * waiting debit looks there between its polls and, when a callback names its payment, asks the status at
 * once. The status answer decides, never the callback: a forged or mistaken one moves no money.
 *
 * One adapter is one MoMo market (base URL, target environment, currency, credentials).
 */
import { formatDecimal, parseDecimal } from '../money/decimal';
import { CachedToken, OperatorHttp, basicAuth, currencyDigits, tokenFrom, type HttpAnswer } from './http';
import { uuidFromReference, uuidV4FromReference } from './ids';
import { awaitPayment } from './polling';
import {
  TelcoPendingError,
  TelcoReferenceConflictError,
  TelcoUnavailableError,
  type AirtimeMovement,
  type FloatPort,
  type FloatReading,
  type TelcoResult,
} from './types';
import { MobileMoneyOperator, type MobileMoneyOptions, type MobileMoneyTuning, type Product } from './mobile-money';

export interface MomoCredentials {
  /** the product's Ocp-Apim-Subscription-Key */
  subscriptionKey: string;
  apiUser: string;
  apiKey: string;
}

export interface MomoConfig extends MobileMoneyTuning {
  baseUrl: string;
  /** X-Target-Environment: "sandbox", or the market's (e.g. "mtnuganda") */
  targetEnvironment: string;
  /** the market's currency (sandbox: EUR) */
  currency: string;
  collection: MomoCredentials;
  disbursement: MomoCredentials;
  /**
   * Our callback route's public address (…/momo/callback), to which each payment's X-Callback-Url adds the
   * secret, the product and the reference id; without it MoMo sends no callback and the adapter only polls.
   */
  callbackUrl?: string;
  /** the secret the callback route wants in its path (MOMO_CALLBACK_SECRET) */
  callbackSecret?: string;
  /** how long a debit waits for the person's approval before leaving it to status */
  approvalTimeoutMs: number;
}

const PRODUCT = {
  collection: { path: '/collection/v1_0/requesttopay', party: 'payer' },
  disbursement: { path: '/disbursement/v1_0/transfer', party: 'payee' },
} as const;

/** What a person reads for MoMo's reasons (ErrorReason codes of the Open API). */
const REASONS: Record<string, string> = {
  NOT_ENOUGH_FUNDS: 'not enough money in the MoMo account',
  PAYER_NOT_FOUND: 'this number has no MoMo account',
  PAYEE_NOT_FOUND: 'the receiving number has no MoMo account',
  PAYER_LIMIT_REACHED: 'the MoMo account has reached its limit; try a smaller amount or later',
  PAYEE_NOT_ALLOWED_TO_RECEIVE: 'the receiving MoMo account cannot receive this payment',
  APPROVAL_REJECTED: 'the payment was declined on the phone',
  PAYMENT_NOT_APPROVED: 'the payment was not approved on the phone',
  EXPIRED: 'the payment was not approved in time',
  TRANSACTION_CANCELED: 'the payment was cancelled',
  NOT_ALLOWED: 'MoMo does not allow this payment',
  NOT_ALLOWED_TARGET_ENVIRONMENT: 'MoMo does not allow this payment',
  INVALID_CURRENCY: 'MoMo does not take this currency',
  INVALID_PAYER: 'this number cannot pay with MoMo',
  INVALID_PAYEE: 'this number cannot receive MoMo',
};

/** MoMo's reason, which the API gives as a string or as {code, message}. */
function reasonCode(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason;
  if (typeof reason === 'object' && reason !== null) {
    const code = (reason as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

interface PaymentView {
  status?: string;
  reason?: unknown;
  amount?: string;
  currency?: string;
  externalId?: string;
  payer?: { partyId?: string };
  payee?: { partyId?: string };
}

export class MomoOperator extends MobileMoneyOperator implements FloatPort {
  readonly name = 'momo';
  /** payouts (credits) are disbursement transfers: that account's float must cover them */
  readonly payoutAccount = 'disbursement';
  private readonly tokens: Record<Product, CachedToken>;

  constructor(
    private readonly config: MomoConfig,
    options: MobileMoneyOptions = {},
  ) {
    super('momo', config, options);
    this.tokens = {
      collection: new CachedToken(() => this.fetchToken('collection'), this.clock),
      disbursement: new CachedToken(() => this.fetchToken('disbursement'), this.clock),
    };
  }

  protected async find(product: Product, reference: string): Promise<TelcoResult | undefined> {
    const found = await this.lookup(product, reference);
    return found && this.outcome(product, reference, found.view);
  }

  /** A payment under the movement's v4 id, or under the v5 id it had before the upgrade. */
  private async lookup(product: Product, reference: string): Promise<{ id: string; view: PaymentView } | undefined> {
    for (const id of [uuidV4FromReference(reference), uuidFromReference(reference)]) {
      const view = await this.read(product, id);
      if (view) return { id, view };
    }
    return undefined;
  }

  protected async move(product: Product, m: AirtimeMovement, waitMs: number): Promise<TelcoResult> {
    if (m.amountMinor <= 0n) throw new RangeError('amount must be positive');
    const partyId = m.phoneNumber.replace(/^\+/, '');
    const amount = formatDecimal(m.amountMinor, this.digits, this.digits, true);
    // Begun before the upgrade (a v5 id)? Then that payment is this movement: wait for it, send nothing new.
    const legacyId = uuidFromReference(m.reference);
    const legacy = await this.read(product, legacyId);
    const id = legacy ? legacyId : uuidV4FromReference(m.reference);
    const callbackUrl = this.callbackUrl(product, id);
    const created: Pick<HttpAnswer, 'status' | 'body'> = legacy
      ? { status: 409, body: undefined }
      : await this.call(product, {
          method: 'POST',
          path: PRODUCT[product].path,
          reference: m.reference,
          headers: {
            'X-Reference-Id': id,
            ...(callbackUrl ? { 'X-Callback-Url': callbackUrl } : {}),
          },
          json: {
            amount,
            currency: this.config.currency,
            externalId: m.reference,
            [PRODUCT[product].party]: { partyIdType: 'MSISDN', partyId },
            payerMessage: 'TXTC',
            payeeNote: m.reference,
          },
          accept: [400, 403, 409],
        });
    if (created.status === 400 || created.status === 403) {
      const code = reasonCode(created.body) ?? `HTTP_${created.status}`;
      return this.rejected(product, m.reference, code);
    }
    // 202 (taken) or 409 (this id exists already: a retry, or a reference reused): wait for the outcome.
    const view = await awaitPayment({
      read: async () => {
        const found = await this.read(product, id);
        if (found && created.status === 409 && !this.sameMovement(found, amount, partyId, product)) {
          throw new TelcoReferenceConflictError(m.reference);
        }
        return found;
      },
      isFinal: (found) => found.status !== 'PENDING',
      reference: m.reference,
      operator: 'momo',
      id,
      product,
      // MoMo calls back only where it was told where to
      inbox: callbackUrl ? this.callbacks : undefined,
      settings: this.config,
      clock: this.clock,
      waitMs,
    });
    return this.outcome(product, m.reference, view);
  }

  /**
   * The float: both accounts' available balance (GET /<product>/v1_0/account/balance, as mtn-momo's
   * getBalance asks it), in minor units of their currency; more decimals than the currency has are cut down.
   */
  async floats(): Promise<FloatReading[]> {
    const readings: FloatReading[] = [];
    for (const product of ['disbursement', 'collection'] as const) {
      const answer = await this.call(product, { method: 'GET', path: `/${product}/v1_0/account/balance` });
      const body = answer.body as { availableBalance?: unknown; currency?: unknown } | undefined;
      const value = typeof body?.availableBalance === 'string' ? body.availableBalance : String(body?.availableBalance);
      const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
      if (!match || typeof body?.currency !== 'string')
        throw new TelcoUnavailableError(`momo answered its ${product} balance unreadably`);
      const digits = currencyDigits(body.currency);
      const fraction = (match[2] ?? '').slice(0, digits);
      readings.push({
        account: product,
        currency: body.currency,
        balanceMinor: parseDecimal(fraction ? `${match[1]}.${fraction}` : match[1]!, digits),
      });
    }
    return readings;
  }

  /** Where MoMo sends this payment's final state: the reference id in the path, as the body may not say it. */
  private callbackUrl(product: Product, id: string): string | undefined {
    const { callbackUrl, callbackSecret } = this.config;
    if (!callbackUrl || !callbackSecret) return undefined;
    return `${callbackUrl.replace(/\/+$/, '')}/${encodeURIComponent(callbackSecret)}/${product}/${id}`;
  }

  private async read(product: Product, id: string): Promise<PaymentView | undefined> {
    const answer = await this.call(product, { method: 'GET', path: `${PRODUCT[product].path}/${id}`, accept: [404] });
    return answer.status === 404 ? undefined : (answer.body as PaymentView);
  }

  private sameMovement(view: PaymentView, amount: string, partyId: string, product: Product): boolean {
    const party = product === 'collection' ? view.payer : view.payee;
    return view.amount === amount && party?.partyId === partyId && view.currency === this.config.currency;
  }

  /** A final MoMo state as the port's result; PENDING is not final. */
  private outcome(product: Product, reference: string, view: PaymentView): TelcoResult {
    if (view.status === 'SUCCESSFUL') return { reference, status: 'committed', recorded: this.recorded(product, view) };
    if (view.status === 'FAILED') return this.rejected(product, reference, reasonCode(view.reason) ?? 'UNKNOWN');
    if (view.status === 'PENDING') throw new TelcoPendingError(reference, 'momo');
    throw new TelcoUnavailableError(`momo answered an unknown status for ${reference}`);
  }

  /** Who and how much MoMo says the payment was for, where it says it: compared with what we asked. */
  private recorded(product: Product, view: PaymentView): TelcoResult['recorded'] {
    const partyId = (product === 'collection' ? view.payer : view.payee)?.partyId;
    let amountMinor: bigint | undefined;
    try {
      amountMinor = view.amount === undefined ? undefined : parseDecimal(view.amount, this.digits);
    } catch {
      amountMinor = undefined;
    }
    return {
      kind: product === 'collection' ? 'debit' : 'credit',
      ...(partyId ? { phoneNumber: `+${partyId.replace(/^\+/, '')}` } : {}),
      ...(amountMinor === undefined ? {} : { amountMinor }),
    };
  }

  private rejected(product: Product, reference: string, code: string): TelcoResult {
    // Our own account short of money on a disbursement is the platform's problem, not the person's balance.
    const insufficient = code === 'NOT_ENOUGH_FUNDS' && product === 'collection';
    const message =
      code === 'NOT_ENOUGH_FUNDS' && product === 'disbursement'
        ? 'the platform cannot pay out right now'
        : (REASONS[code] ?? `MoMo refused the payment (${code})`);
    return { reference, status: 'rejected', reason: insufficient ? 'InsufficientAirtime' : code, message };
  }

  private call(product: Product, call: Parameters<OperatorHttp['request']>[0]): Promise<HttpAnswer> {
    return this.tokens[product].use((token) =>
      this.http.request({
        ...call,
        headers: {
          Authorization: `Bearer ${token}`,
          'X-Target-Environment': this.config.targetEnvironment,
          'Ocp-Apim-Subscription-Key': this.config[product].subscriptionKey,
          ...call.headers,
        },
      }),
    );
  }

  private async fetchToken(product: Product): Promise<{ token: string; expiresInSeconds: number }> {
    const credentials = this.config[product];
    const answer = await this.http.request({
      method: 'POST',
      path: `/${product}/token/`,
      headers: {
        Authorization: basicAuth(credentials.apiUser, credentials.apiKey),
        'Ocp-Apim-Subscription-Key': credentials.subscriptionKey,
        // as mtn-momo sends it on every call, the token's included
        'X-Target-Environment': this.config.targetEnvironment,
      },
    });
    return tokenFrom(answer, 'momo');
  }
}
