/**
 * A local MTN MoMo Open API (collection and disbursement) behaving as MoMo documents it, for the adapter's
 * tests: tokens per product with an expiry (basic auth apiUser:apiKey and the product's subscription key),
 * the subscription key, the bearer token and X-Target-Environment checked on every call, request-to-pay and
 * transfer keyed by X-Reference-Id (409 RESOURCE_ALREADY_EXIST on reuse), PENDING until the payer approves
 * (at once, after N status polls, never, or when the test says), SUCCESSFUL / FAILED with MoMo's reasons,
 * status 200 even for FAILED and 404 for an unknown id. Its own wallets per payer, so tests can assert
 * exactly one movement. Faults: the next N calls answer a 5xx without doing anything, or the next call
 * commits and then answers nothing (the client times out). A payment sent with an X-Callback-Url gets its
 * final state sent there once it is final, as MoMo does: the status answer's body, by PUT (`callbackMethod`:
 * POST, as the sandbox may).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { amountMinorOf, listen, readBody, recordOf, toMinor, type RecordedRequest } from './local-server';

export type Approval = 'auto' | 'reject' | 'never' | { afterPolls: number };

export interface MomoPayer {
  /** wallet balance in the currency's minor units */
  balanceMinor: bigint;
  /** how the payer answers a request-to-pay (default auto) */
  approval?: Approval;
  /** the payer's limit is reached: every request-to-pay fails PAYER_LIMIT_REACHED */
  limitReached?: boolean;
}

interface Payment {
  id: string;
  product: 'collection' | 'disbursement';
  amount: string;
  currency: string;
  externalId: string;
  partyId: string;
  status: 'PENDING' | 'SUCCESSFUL' | 'FAILED';
  reason?: string;
  polls: number;
  /** the X-Callback-Url it was sent with */
  callbackUrl?: string;
}

/** A callback this server sent, and what our API answered. */
export interface MomoCallbackDelivery {
  id: string;
  url: string;
  method: 'PUT' | 'POST';
  body: Record<string, unknown>;
  httpStatus: number;
}

export interface MomoServerOptions {
  currency: string;
  /** minor-unit digits of the currency */
  digits: number;
  targetEnvironment: string;
  collection: { subscriptionKey: string; apiUser: string; apiKey: string };
  disbursement: { subscriptionKey: string; apiUser: string; apiKey: string };
  tokenLifetimeSeconds?: number;
}

/** MoMo asks for a version 4 UUID as X-Reference-Id (its docs; the mtn-momo client refuses any other). */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export class MomoServer {
  readonly payers = new Map<string, MomoPayer>();
  readonly payments = new Map<string, Payment>();
  /** every committed movement: who, how much, which way */
  readonly ledger: { partyId: string; product: 'collection' | 'disbursement'; amountMinor: bigint; id: string }[] = [];
  /** the platform's disbursement account, minor units */
  disbursementFloatMinor = 10n ** 12n;
  tokensIssued = 0;
  /** how callbacks are sent: MoMo PUTs, its sandbox may POST */
  callbackMethod: 'PUT' | 'POST' = 'PUT';
  /** callbacks sent, in order */
  readonly callbacks: MomoCallbackDelivery[] = [];
  private readonly pendingCallbacks = new Set<Promise<void>>();
  /** requests to the money endpoints (not tokens), in order: "POST /collection/v1_0/requesttopay" */
  readonly requests: string[] = [];
  /** every HTTP call as it came on the wire, tokens included (test/wire compares clients with it) */
  readonly recorded: RecordedRequest[] = [];
  /** what collections brought into the platform's collection account, minor units */
  collectionBalanceMinor = 0n;
  private readonly tokens = new Map<string, { product: string; expiresAt: number }>();
  private failNextStatus: { status: number; createsOnly: boolean }[] = [];
  private hangNextCommit = 0;
  private anyUuid = 0;
  private readonly hung = new Set<ServerResponse>();
  private server: Server | undefined;
  url = '';

  constructor(readonly options: MomoServerOptions) {}

  async start(): Promise<this> {
    ({ server: this.server, url: this.url } = await listen((req, res) => this.handle(req, res)));
    return this;
  }

  async stop(): Promise<void> {
    await this.callbacksDelivered();
    for (const res of this.hung) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** A payer (MSISDN without "+") with a wallet. */
  payer(msisdn: string, payer: MomoPayer): void {
    this.payers.set(msisdn.replace(/^\+/, ''), payer);
  }

  balance(msisdn: string): bigint | undefined {
    return this.payers.get(msisdn.replace(/^\+/, ''))?.balanceMinor;
  }

  movementsOf(msisdn: string) {
    return this.ledger.filter((m) => m.partyId === msisdn.replace(/^\+/, ''));
  }

  /** The next `count` money calls (with `createsOnly`, requests-to-pay and transfers) answer `status` first. */
  failNext(count: number, status = 500, createsOnly = false): void {
    for (let i = 0; i < count; i++) this.failNextStatus.push({ status, createsOnly });
  }

  /** The next request-to-pay or transfer is taken (and decided as usual), then never answered. */
  hangAfterCommitNext(): void {
    this.hangNextCommit += 1;
  }

  /** The next payment may carry any UUID version (what a payment made by the adapter before v4 ids carried). */
  acceptAnyReferenceIdOnce(): void {
    this.anyUuid += 1;
  }

  /** Every token issued so far stops working (as when it expires). */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.expiresAt = 0;
  }

  /** The payer approves (or declines) a pending request-to-pay now; its callback goes (if it has a URL). */
  decide(id: string, approve: boolean): void {
    const payment = this.payments.get(id);
    if (payment?.status !== 'PENDING') throw new Error(`no pending payment ${id}`);
    if (approve) this.settle(payment);
    else Object.assign(payment, { status: 'FAILED', reason: 'APPROVAL_REJECTED' });
    this.notify(payment);
  }

  /** Status GETs of a payment so far. */
  statusReads(id: string): number {
    return this.payments.get(id)?.polls ?? 0;
  }

  /** Waits until every callback started so far has been delivered (or refused). */
  async callbacksDelivered(): Promise<void> {
    while (this.pendingCallbacks.size > 0) await Promise.allSettled([...this.pendingCallbacks]);
  }

  /** Sends a final payment's callback to its URL, if it has one (again, when called again). */
  notify(payment: Payment): void {
    const url = payment.callbackUrl;
    if (!url || payment.status === 'PENDING') return;
    const body = this.view(payment);
    const method = this.callbackMethod;
    const delivery = fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(async (res) => {
        await res.text();
        this.callbacks.push({ id: payment.id, url, method, body, httpStatus: res.status });
      })
      .catch(() => {
        this.callbacks.push({ id: payment.id, url, method, body, httpStatus: 0 });
      });
    this.pendingCallbacks.add(delivery);
    void delivery.finally(() => this.pendingCallbacks.delete(delivery));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    this.recorded.push(recordOf(req, body));
    const url = req.url ?? '/';
    const send = (status: number, json?: unknown) => {
      res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    };
    const product = url.startsWith('/collection/')
      ? 'collection'
      : url.startsWith('/disbursement/')
        ? 'disbursement'
        : undefined;
    if (!product) return send(404, { code: 'RESOURCE_NOT_FOUND' });
    const credentials = this.options[product];
    if (req.headers['ocp-apim-subscription-key'] !== credentials.subscriptionKey) {
      return send(401, { statusCode: 401, message: 'Access denied due to invalid subscription key.' });
    }

    if (req.method === 'POST' && url === `/${product}/token/`) {
      const expected = `Basic ${Buffer.from(`${credentials.apiUser}:${credentials.apiKey}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return send(401, { error: 'login_failed' });
      const token = randomUUID();
      const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
      this.tokens.set(token, { product, expiresAt: Date.now() + lifetime * 1000 });
      this.tokensIssued += 1;
      return send(200, { access_token: token, token_type: 'access_token', expires_in: lifetime });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ? this.tokens.get(bearer) : undefined;
    if (!token || token.product !== product || token.expiresAt <= Date.now()) {
      return send(401, { code: 'UNAUTHORIZED', message: 'Access token is missing, invalid or expired' });
    }
    if (req.headers['x-target-environment'] !== this.options.targetEnvironment) {
      return send(403, {
        code: 'NOT_ALLOWED_TARGET_ENVIRONMENT',
        message: 'Access to target environment is forbidden',
      });
    }
    this.requests.push(`${req.method} ${url}`);
    if (req.method === 'GET' && url === `/${product}/v1_0/account/balance`) {
      const minor = product === 'collection' ? this.collectionBalanceMinor : this.disbursementFloatMinor;
      const digits = this.options.digits;
      const text = minor.toString().padStart(digits + 1, '0');
      const availableBalance = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
      return send(200, { availableBalance, currency: this.options.currency });
    }
    const path = product === 'collection' ? '/collection/v1_0/requesttopay' : '/disbursement/v1_0/transfer';
    const failure = this.failNextStatus[0];
    if (failure && (!failure.createsOnly || (req.method === 'POST' && url === path))) {
      this.failNextStatus.shift();
      return send(failure.status, { code: 'INTERNAL_PROCESSING_ERROR' });
    }
    if (req.method === 'POST' && url === path) return this.create(product, req, body, res, send);
    const id = url.startsWith(`${path}/`) ? url.slice(path.length + 1) : undefined;
    if (req.method === 'GET' && id) {
      const payment = this.payments.get(id);
      if (!payment || payment.product !== product) {
        return send(404, { code: 'RESOURCE_NOT_FOUND', message: 'Requested resource was not found.' });
      }
      this.poll(payment);
      return send(200, this.view(payment));
    }
    return send(404, { code: 'RESOURCE_NOT_FOUND' });
  }

  /** A payment as the status GET (and its callback) shows it. */
  private view(payment: Payment): Record<string, unknown> {
    const party = payment.product === 'collection' ? 'payer' : 'payee';
    return {
      ...(payment.status === 'SUCCESSFUL' ? { financialTransactionId: `ft-${payment.id.slice(0, 8)}` } : {}),
      externalId: payment.externalId,
      amount: payment.amount,
      currency: payment.currency,
      [party]: { partyIdType: 'MSISDN', partyId: payment.partyId },
      status: payment.status,
      ...(payment.reason ? { reason: payment.reason } : {}),
    };
  }

  private create(
    product: 'collection' | 'disbursement',
    req: IncomingMessage,
    body: string,
    res: ServerResponse,
    send: (status: number, json?: unknown) => void,
  ): void {
    const id = String(req.headers['x-reference-id'] ?? '');
    const legacy =
      this.anyUuid > 0 && /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id);
    if (legacy) this.anyUuid -= 1;
    else if (!UUID_V4.test(id))
      return send(400, { code: 'INVALID_REFERENCE_ID', message: 'X-Reference-Id must be a version 4 UUID' });
    if (this.payments.has(id)) {
      return send(409, {
        code: 'RESOURCE_ALREADY_EXIST',
        message: 'Duplicated reference id. Creation of resource failed.',
      });
    }
    let json: {
      amount?: unknown;
      currency?: unknown;
      externalId?: unknown;
      payer?: { partyId?: unknown };
      payee?: { partyId?: unknown };
    };
    try {
      json = JSON.parse(body) as typeof json;
    } catch {
      return send(400, { code: 'INVALID_BODY' });
    }
    const party = product === 'collection' ? json.payer : json.payee;
    // A bad amount is a bad body, as MoMo answers it: not a plain decimal, more decimals than the currency
    // has, or 0 (nothing is truncated).
    const amount =
      typeof json.amount === 'string' && amountMinorOf(json.amount, this.options.digits) !== undefined
        ? json.amount
        : undefined;
    if (!amount || typeof party?.partyId !== 'string') return send(400, { code: 'INVALID_BODY' });
    if (json.currency !== this.options.currency)
      return send(400, { code: 'INVALID_CURRENCY', message: 'Currency not supported.' });
    const callbackUrl = req.headers['x-callback-url'];
    const payment: Payment = {
      id,
      product,
      amount,
      currency: json.currency,
      externalId: typeof json.externalId === 'string' ? json.externalId : '',
      partyId: party.partyId,
      status: 'PENDING',
      polls: 0,
      ...(typeof callbackUrl === 'string' ? { callbackUrl } : {}),
    };
    this.payments.set(id, payment);
    if (product === 'disbursement') this.settle(payment);
    else {
      const payer = this.payers.get(payment.partyId);
      if (!payer) Object.assign(payment, { status: 'FAILED', reason: 'PAYER_NOT_FOUND' });
      else if (payer.limitReached) Object.assign(payment, { status: 'FAILED', reason: 'PAYER_LIMIT_REACHED' });
      else if ((payer.approval ?? 'auto') === 'auto') this.settle(payment);
      else if (payer.approval === 'reject') Object.assign(payment, { status: 'FAILED', reason: 'APPROVAL_REJECTED' });
    }
    if (this.hangNextCommit > 0) {
      this.hangNextCommit -= 1;
      this.hung.add(res); // taken, and never answered
    } else send(202);
    this.notify(payment); // decided at once: the callback follows the answer
  }

  private poll(payment: Payment): void {
    payment.polls += 1;
    if (payment.status !== 'PENDING' || payment.product !== 'collection') return;
    const approval = this.payers.get(payment.partyId)?.approval;
    if (typeof approval === 'object' && payment.polls >= approval.afterPolls) {
      this.settle(payment);
      this.notify(payment);
    }
  }

  /** Moves the money (or fails for want of it), once. */
  private settle(payment: Payment): void {
    const amountMinor = toMinor(payment.amount, this.options.digits);
    if (payment.product === 'collection') {
      const payer = this.payers.get(payment.partyId)!;
      if (payer.balanceMinor < amountMinor) {
        Object.assign(payment, { status: 'FAILED', reason: 'NOT_ENOUGH_FUNDS' });
        return;
      }
      payer.balanceMinor -= amountMinor;
      this.collectionBalanceMinor += amountMinor;
    } else {
      const payee = this.payers.get(payment.partyId);
      if (!payee) {
        Object.assign(payment, { status: 'FAILED', reason: 'PAYEE_NOT_FOUND' });
        return;
      }
      if (this.disbursementFloatMinor < amountMinor) {
        Object.assign(payment, { status: 'FAILED', reason: 'NOT_ENOUGH_FUNDS' });
        return;
      }
      this.disbursementFloatMinor -= amountMinor;
      payee.balanceMinor += amountMinor;
    }
    payment.status = 'SUCCESSFUL';
    this.ledger.push({ partyId: payment.partyId, product: payment.product, amountMinor, id: payment.id });
  }
}
