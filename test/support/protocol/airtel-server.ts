/**
 * A local Airtel Money Open API as its public documentation describes it, for the adapter's tests:
 * client-credentials tokens with an expiry, X-Country / X-Currency and the bearer token checked on every
 * call, collections (a USSD push the payer approves: at once, after N status polls, never, or declined)
 * and disbursements keyed by transaction id (a repeated id refused), status with TS / TF / TIP / TE and
 * Airtel's response codes, and wallets per subscriber (national numbers) so tests can assert exactly one
 * movement. Faults: the next N calls answer a 5xx without doing anything, or the next payment is taken and
 * never answered. Where the documentation is silent (the code for a repeated id, an unknown number), it
 * answers what the README lists as unconfirmed. With a `callbackUrl` (Airtel's portal setting, one per
 * application), each payment's final state is POSTed there once it is final:
 * `{transaction: {id, message, status_code: TS|TF, airtel_money_id}}`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createDecipheriv, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { amountMinorOf, listen, readBody } from './local-server';

export type Approval = 'auto' | 'reject' | 'never' | { afterPolls: number };

export interface AirtelSubscriber {
  balanceMinor: bigint;
  approval?: Approval;
}

interface Payment {
  id: string;
  product: 'collection' | 'disbursement';
  amountMinor: bigint;
  msisdn: string;
  status: 'TIP' | 'TS' | 'TF' | 'TE';
  responseCode: string;
  polls: number;
}

export interface AirtelServerOptions {
  country: string;
  currency: string;
  digits: number;
  clientId: string;
  clientSecret: string;
  disbursementPin: string;
  tokenLifetimeSeconds?: number;
  /**
   * Message signing (Airtel's v2 collection): the RSA private key (PEM file) whose public half signs. Then
   * `/merchant/v2/payments/` takes a payment only with x-key (RSA, "key:iv") and x-signature (the body under
   * AES-256-CBC) that decrypt to the body sent.
   */
  signingPrivateKeyPath?: string;
}

const CODE = {
  success: 'DP00800001001',
  inProcess: 'DP00800001006',
  notEnough: 'DP00800001007',
  refused: 'DP00800001008',
  notFound: 'DP00800001025',
} as const;

export class AirtelServer {
  readonly subscribers = new Map<string, AirtelSubscriber>();
  readonly payments = new Map<string, Payment>();
  readonly ledger: { msisdn: string; product: 'collection' | 'disbursement'; amountMinor: bigint; id: string }[] = [];
  tokensIssued = 0;
  /** where final states are POSTed (none: no callbacks) */
  callbackUrl: string | undefined;
  /** callbacks sent, in order, and what our API answered */
  readonly callbacks: { id: string; body: Record<string, unknown>; httpStatus: number }[] = [];
  private readonly pendingCallbacks = new Set<Promise<void>>();
  private readonly tokens = new Map<string, number>();
  private failNextStatus: number[] = [];
  private hangNextCommit = 0;
  private readonly hung = new Set<ServerResponse>();
  private server: Server | undefined;
  url = '';

  constructor(readonly options: AirtelServerOptions) {}

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

  /** A subscriber by national number (e.g. 752123456). */
  subscriber(msisdn: string, subscriber: AirtelSubscriber): void {
    this.subscribers.set(msisdn, subscriber);
  }

  balance(msisdn: string): bigint | undefined {
    return this.subscribers.get(msisdn)?.balanceMinor;
  }

  movementsOf(msisdn: string) {
    return this.ledger.filter((m) => m.msisdn === msisdn);
  }

  failNext(count: number, status = 500): void {
    this.failNextStatus.push(...Array<number>(count).fill(status));
  }

  hangAfterCommitNext(): void {
    this.hangNextCommit += 1;
  }

  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** The payer approves (or declines) a collection in progress now; its callback goes (with a callbackUrl). */
  decide(id: string, approve: boolean): void {
    const payment = this.payments.get(id);
    if (payment?.status !== 'TIP') throw new Error(`no payment in progress ${id}`);
    if (approve) this.settle(payment);
    else Object.assign(payment, { status: 'TF', responseCode: CODE.refused });
    this.notify(payment);
  }

  /** Status GETs of a payment so far. */
  statusReads(id: string): number {
    return this.payments.get(id)?.polls ?? 0;
  }

  async callbacksDelivered(): Promise<void> {
    while (this.pendingCallbacks.size > 0) await Promise.allSettled([...this.pendingCallbacks]);
  }

  /** POSTs a final payment's callback, if a callback URL is set (again, when called again). */
  notify(payment: Payment): void {
    const url = this.callbackUrl;
    if (!url || payment.status === 'TIP') return;
    const body = {
      transaction: {
        id: payment.id,
        message: payment.responseCode,
        status_code: payment.status === 'TS' ? 'TS' : 'TF',
        ...(payment.status === 'TS' ? { airtel_money_id: `AM-${payment.id.slice(0, 8)}` } : {}),
      },
    };
    const delivery = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
      .then(async (res) => {
        await res.text();
        this.callbacks.push({ id: payment.id, body, httpStatus: res.status });
      })
      .catch(() => {
        this.callbacks.push({ id: payment.id, body, httpStatus: 0 });
      });
    this.pendingCallbacks.add(delivery);
    void delivery.finally(() => this.pendingCallbacks.delete(delivery));
  }

  /** Whether x-key and x-signature decrypt to the body (openssl: Node no longer decrypts PKCS#1 v1.5). */
  private signatureMatches(req: IncomingMessage, body: string): boolean {
    const xKey = req.headers['x-key'];
    const xSignature = req.headers['x-signature'];
    if (typeof xKey !== 'string' || typeof xSignature !== 'string') return false;
    const unwrapped = spawnSync(
      'openssl',
      ['pkeyutl', '-decrypt', '-inkey', this.options.signingPrivateKeyPath!, '-pkeyopt', 'rsa_padding_mode:pkcs1'],
      { input: Buffer.from(xKey, 'base64') },
    );
    if (unwrapped.status !== 0) return false;
    const [key, iv] = unwrapped.stdout.toString('utf8').split(':');
    try {
      const decipher = createDecipheriv(
        'aes-256-cbc',
        Buffer.from(key ?? '', 'base64'),
        Buffer.from(iv ?? '', 'base64'),
      );
      const plain = Buffer.concat([decipher.update(Buffer.from(xSignature, 'base64')), decipher.final()]);
      return plain.toString('utf8') === body;
    } catch {
      return false;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const url = req.url ?? '/';
    const send = (status: number, json?: unknown) => {
      res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    };
    const answer = (httpStatus: number, success: boolean, responseCode: string, transaction: object = {}) =>
      send(httpStatus, {
        data: { transaction },
        status: { code: String(httpStatus), success, response_code: responseCode, message: responseCode },
      });

    if (req.method === 'POST' && url === '/auth/oauth2/token') {
      const body = parseJson(text) as { client_id?: string; client_secret?: string; grant_type?: string };
      if (
        body?.client_id !== this.options.clientId ||
        body.client_secret !== this.options.clientSecret ||
        body.grant_type !== 'client_credentials'
      ) {
        return send(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      }
      const token = randomUUID();
      const lifetime = this.options.tokenLifetimeSeconds ?? 180;
      this.tokens.set(token, Date.now() + lifetime * 1000);
      this.tokensIssued += 1;
      return send(200, { token_type: 'bearer', access_token: token, expires_in: String(lifetime) });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = bearer ? this.tokens.get(bearer) : undefined;
    if (expiresAt === undefined || expiresAt <= Date.now()) return send(401, { error: 'invalid_token' });
    if (req.headers['x-country'] !== this.options.country || req.headers['x-currency'] !== this.options.currency) {
      return send(400, { status: { code: '400', success: false, response_code: 'ESB000033', message: 'bad headers' } });
    }
    const failure = this.failNextStatus.shift();
    if (failure !== undefined) return send(failure, { status: { code: String(failure), success: false } });

    if (req.method === 'POST' && url === '/merchant/v2/payments/') {
      if (!this.options.signingPrivateKeyPath || !this.signatureMatches(req, text)) {
        return answer(401, false, 'ESB000034');
      }
    }
    const product =
      url === '/merchant/v1/payments/' || url === '/merchant/v2/payments/'
        ? 'collection'
        : url === '/standard/v1/disbursements/'
          ? 'disbursement'
          : undefined;
    if (req.method === 'POST' && product) {
      const body = parseJson(text) as {
        subscriber?: { msisdn?: string };
        payee?: { msisdn?: string };
        pin?: string;
        transaction?: { id?: string; amount?: unknown };
      };
      const msisdn = product === 'collection' ? body?.subscriber?.msisdn : body?.payee?.msisdn;
      const id = body?.transaction?.id;
      const amount = body?.transaction?.amount;
      // A bad amount is a bad request, as for any malformed body: not a plain decimal number, more decimals
      // than the currency has, or 0 (nothing is truncated).
      const amountMinor = typeof amount === 'number' ? amountMinorOf(String(amount), this.options.digits) : undefined;
      if (!msisdn || !id || amountMinor === undefined) {
        return answer(400, false, 'ESB000010');
      }
      if (product === 'disbursement' && body.pin !== this.options.disbursementPin) {
        return answer(400, false, 'DP00800001002');
      }
      // Unconfirmed in Airtel's public documentation: the codes for a repeated id and an unknown number.
      if (this.payments.has(id)) return answer(400, false, 'ESB000008');
      if (!this.subscribers.has(msisdn)) return answer(400, false, 'ESB000041');
      const payment: Payment = {
        id,
        product,
        amountMinor,
        msisdn,
        status: 'TIP',
        responseCode: CODE.inProcess,
        polls: 0,
      };
      this.payments.set(id, payment);
      const approval = this.subscribers.get(msisdn)!.approval ?? 'auto';
      if (product === 'disbursement' || approval === 'auto') this.settle(payment);
      else if (approval === 'reject') Object.assign(payment, { status: 'TF', responseCode: CODE.refused });
      if (this.hangNextCommit > 0) {
        this.hangNextCommit -= 1;
        this.hung.add(res);
      } else answer(200, true, payment.status === 'TS' ? CODE.success : CODE.inProcess, { id, status: 'Success.' });
      this.notify(payment); // decided at once: the callback follows the answer
      return;
    }

    const statusOf = /^\/standard\/v1\/(payments|disbursements)\/([^/]+)$/.exec(url);
    if (req.method === 'GET' && statusOf) {
      const payment = this.payments.get(statusOf[2]!);
      const wanted = statusOf[1] === 'payments' ? 'collection' : 'disbursement';
      if (!payment || payment.product !== wanted) return answer(200, false, CODE.notFound);
      this.poll(payment);
      return answer(200, true, payment.responseCode, {
        id: payment.id,
        status: payment.status,
        message: payment.responseCode,
        airtel_money_id: payment.status === 'TS' ? `AM-${payment.id.slice(0, 8)}` : undefined,
      });
    }
    return send(404, { status: { code: '404', success: false } });
  }

  private poll(payment: Payment): void {
    payment.polls += 1;
    if (payment.status !== 'TIP') return;
    const approval = this.subscribers.get(payment.msisdn)?.approval;
    if (typeof approval === 'object' && payment.polls >= approval.afterPolls) {
      this.settle(payment);
      this.notify(payment);
    }
  }

  private settle(payment: Payment): void {
    const subscriber = this.subscribers.get(payment.msisdn)!;
    if (payment.product === 'collection') {
      if (subscriber.balanceMinor < payment.amountMinor) {
        Object.assign(payment, { status: 'TF', responseCode: CODE.notEnough });
        return;
      }
      subscriber.balanceMinor -= payment.amountMinor;
    } else subscriber.balanceMinor += payment.amountMinor;
    Object.assign(payment, { status: 'TS', responseCode: CODE.success });
    this.ledger.push({
      msisdn: payment.msisdn,
      product: payment.product,
      amountMinor: payment.amountMinor,
      id: payment.id,
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
