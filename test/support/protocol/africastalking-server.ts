/**
 * A local Africa's Talking, as its documentation describes the airtime and messaging APIs, for tests: a
 * node:http server on a free port with its own ledger, so a test can assert exactly what moved.
 *
 * - `POST /version1/airtime/send` (a form, as AT's SDKs send it: `username`, `recipients` a JSON string of
 *   `[{phoneNumber, amount: "KES 100.50"}]`, optional `maxNumRetry`; `apiKey` header, optional
 *   `Idempotency-Key`; a JSON body is refused 400): a wrong key or username is a 401; a repeated
 *   Idempotency-Key answers the first response again and moves nothing; an invalid number is "Failed"
 *   with "Invalid phone number"; more than our AT account holds is "Failed" with "Insufficient Credit";
 *   otherwise the account pays, the recipient is "Sent" with a requestId, and later (after the answer)
 *   the validation callback (if configured) and then the status callback (`Success` or `Failed`) are
 *   POSTed to the URLs given. A failed delivery gives the account its money back.
 * - `GET /version1/user?username=`: the application's balance, `{UserData: {balance: "KES 1784.2600"}}`.
 * - `POST /version1/messaging` (form `username`, `to`, `message`, optional `from`, `bulkSMSMode`, `enqueue`):
 *   one recipient entry per
 *   number in `SMSMessageData.Recipients`; an invalid or blacklisted number gets its own failed entry.
 *   Delivery reports go to our POST /sms/delivery when a test asks.
 * - Faults: the next N calls answer a 5xx before doing anything; the next N airtime sends commit and then
 *   never answer (the client times out: "a timeout after committing").
 *
 * Callback URLs may carry credentials (`http://gateway:<secret>@host/path`), as one configures them on AT's
 * dashboard: they are sent as HTTP Basic auth.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import type { Config } from '../../../lib/config';
import { formatDecimal, parseDecimal } from '../../../lib/money/decimal';
import { recordOf, type RecordedRequest } from './local-server';

/** Minor digits of the currencies AT sends airtime in (those the product serves). */
const MINOR_DIGITS: Record<string, number> = { KES: 2, UGX: 0, GHS: 2, NGN: 2, TZS: 2, RWF: 0 };

export type AirtimeOutcome = 'Success' | 'Failed' | 'hold';

export interface AirtimeEntry {
  requestId: string;
  idempotencyKey?: string;
  phoneNumber: string;
  currency: string;
  amountMinor: bigint;
  /** Sent until the status callback is decided, then its word */
  status: 'Sent' | 'Success' | 'Failed';
}

export interface SentSms {
  messageId: string;
  to: string;
  message: string;
  from?: string;
}

export interface CallbackDelivery {
  kind: 'status' | 'validation' | 'delivery';
  url: string;
  body: unknown;
  httpStatus: number;
  answer: unknown;
}

export interface AfricasTalkingServerOptions {
  username?: string;
  apiKey?: string;
  /** what our AT account holds, per currency, in minor units */
  accountMinor?: Record<string, bigint>;
  /** where the status callback goes (none: nothing is posted) */
  statusCallbackUrl?: string;
  /** where the validation callback goes, before delivery (none: not called) */
  validationCallbackUrl?: string;
  /** where SMS delivery reports go */
  smsDeliveryUrl?: string;
  /** how a delivery ends, by number (default: Success) */
  outcome?: (phoneNumber: string) => AirtimeOutcome;
  /** sender ids the account may use */
  senderIds?: string[];
}

export class AfricasTalkingServer {
  readonly username: string;
  readonly apiKey: string;
  readonly accountMinor: Map<string, bigint>;
  /** every airtime send the account paid for, in order */
  readonly airtime: AirtimeEntry[] = [];
  readonly sms: SentSms[] = [];
  readonly callbacks: CallbackDelivery[] = [];
  /** every HTTP call to the API, in order: method and path */
  readonly calls: { method: string; path: string; idempotencyKey?: string }[] = [];
  /** every HTTP call as it came on the wire (test/wire compares the official SDK's with the adapter's) */
  readonly recorded: RecordedRequest[] = [];
  /** numbers whose SMS the network refuses (UserInBlacklist) */
  readonly blacklist = new Set<string>();
  outcome: (phoneNumber: string) => AirtimeOutcome;
  private readonly options: AfricasTalkingServerOptions;
  private readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private failures: number[] = [];
  private hangs = 0;
  private readonly pendingCallbacks = new Set<Promise<void>>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private port = 0;

  constructor(options: AfricasTalkingServerOptions = {}) {
    this.options = options;
    this.username = options.username ?? 'sandbox';
    this.apiKey = options.apiKey ?? `atsk_test_${randomBytes(12).toString('hex')}`;
    this.accountMinor = new Map(Object.entries(options.accountMinor ?? { KES: 10_000_000n }));
    this.outcome = options.outcome ?? (() => 'Success');
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The settings that point the africastalking adapter here (for testConfig). */
  env(): Record<string, string> {
    return { AT_USERNAME: this.username, AT_API_KEY: this.apiKey, AT_BASE_URL: this.baseUrl };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await this.idle();
    for (const res of this.hanging) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `count` calls answer `status` (5xx) before doing anything. */
  failNext(count: number, status = 500): void {
    this.failures.push(...Array<number>(count).fill(status));
  }

  /** The next `count` airtime sends are taken (paid, delivered later) and never answered. */
  hangNextAfterCommit(count = 1): void {
    this.hangs += count;
  }

  /** Waits until every callback started so far has been delivered (or refused). */
  async idle(): Promise<void> {
    while (this.pendingCallbacks.size > 0) await Promise.allSettled([...this.pendingCallbacks]);
  }

  /** Decides a delivery held with outcome 'hold': the status callback goes now. */
  async complete(requestId: string, status: 'Success' | 'Failed'): Promise<CallbackDelivery | undefined> {
    const entry = this.airtime.find((e) => e.requestId === requestId);
    if (!entry) throw new Error(`no airtime request ${requestId}`);
    return this.finish(entry, status, status === 'Success' ? 'Airtime Delivered Successfully' : 'Delivery failed');
  }

  /** The network's delivery report for an SMS, posted to smsDeliveryUrl like AT does (form-encoded). */
  async reportDelivery(messageId: string, status: string, failureReason?: string): Promise<CallbackDelivery> {
    const sent = this.sms.find((s) => s.messageId === messageId);
    if (!sent) throw new Error(`no SMS ${messageId}`);
    const form: Record<string, string> = { id: messageId, status, phoneNumber: sent.to, networkCode: '63902' };
    if (failureReason) form.failureReason = failureReason;
    return this.post('delivery', this.options.smsDeliveryUrl, form, 'form');
  }

  /** What the account paid out to a number and what was delivered to it, by status. */
  movementsTo(phoneNumber: string): AirtimeEntry[] {
    return this.airtime.filter((e) => e.phoneNumber === phoneNumber);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const idempotencyKey = header(req, 'idempotency-key');
    this.calls.push({ method: req.method ?? 'GET', path, ...(idempotencyKey ? { idempotencyKey } : {}) });
    const raw = await readBody(req);
    this.recorded.push(recordOf(req, raw));
    if (header(req, 'apikey') !== this.apiKey) {
      return send(res, 401, 'The supplied authentication is invalid', 'text/plain');
    }
    const injected = this.failures.shift();
    if (injected !== undefined) return send(res, injected, 'Internal Server Error', 'text/plain');
    if (req.method === 'POST' && path === '/version1/airtime/send') {
      if (!/^application\/x-www-form-urlencoded/.test(header(req, 'content-type') ?? ''))
        return send(res, 400, 'Request body must be form-encoded', 'text/plain');
      return this.airtimeSend(raw, idempotencyKey, res);
    }
    if (req.method === 'GET' && path === '/version1/user') return this.user(req, res);
    if (req.method === 'POST' && path === '/version1/messaging') return this.messaging(raw, res);
    return send(res, 404, 'Not Found', 'text/plain');
  }

  private airtimeSend(raw: string, idempotencyKey: string | undefined, res: ServerResponse): void {
    if (idempotencyKey) {
      const first = this.idempotent.get(idempotencyKey);
      if (first) return send(res, first.status, first.body);
    }
    const form = new URLSearchParams(raw);
    if (form.get('username') !== this.username)
      return send(res, 401, 'The supplied authentication is invalid', 'text/plain');
    let recipients: unknown;
    try {
      recipients = JSON.parse(form.get('recipients') ?? '');
    } catch {
      return send(res, 400, 'Request is missing required field recipients', 'text/plain');
    }
    if (!Array.isArray(recipients) || recipients.length === 0) {
      return send(res, 400, 'Request is missing required field recipients', 'text/plain');
    }
    const maxNumRetry = form.get('maxNumRetry');
    if (maxNumRetry !== null && !/^\d+$/.test(maxNumRetry)) return send(res, 400, 'Invalid maxNumRetry', 'text/plain');
    const responses: Record<string, string>[] = [];
    const taken: AirtimeEntry[] = [];
    let totalMinor = 0n;
    let currency = 'KES';
    for (const r of recipients as Record<string, unknown>[]) {
      const phoneNumber = typeof r.phoneNumber === 'string' ? r.phoneNumber : '';
      // "KES 100.50": the currency and the value in one string
      const [code = '', amountText = ''] = (typeof r.amount === 'string' ? r.amount : '').trim().split(/\s+/);
      currency = code;
      const digits = MINOR_DIGITS[currency];
      const failed = (errorMessage: string) =>
        responses.push({
          phoneNumber,
          errorMessage,
          amount: `${currency} 0.0000`,
          status: 'Failed',
          requestId: 'None',
        });
      if (!isValidPhoneNumber(phoneNumber)) {
        failed('Invalid phone number');
        continue;
      }
      if (digits === undefined) {
        failed('Invalid currency code');
        continue;
      }
      let amountMinor: bigint;
      try {
        amountMinor = parseDecimal(amountText, digits);
      } catch {
        failed('Invalid amount');
        continue;
      }
      const held = this.accountMinor.get(currency) ?? 0n;
      if (amountMinor <= 0n || amountMinor > held) {
        failed(amountMinor <= 0n ? 'Invalid amount' : 'Insufficient Credit');
        continue;
      }
      this.accountMinor.set(currency, held - amountMinor);
      const entry: AirtimeEntry = {
        requestId: `ATQid_${randomBytes(16).toString('hex')}`,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        phoneNumber,
        currency,
        amountMinor,
        status: 'Sent',
      };
      this.airtime.push(entry);
      taken.push(entry);
      totalMinor += amountMinor;
      responses.push({
        phoneNumber,
        errorMessage: 'None',
        amount: `${currency} ${formatDecimal(amountMinor * 10n ** BigInt(4 - digits), 4)}`,
        status: 'Sent',
        requestId: entry.requestId,
        discount: `${currency} 0.0000`,
      });
    }
    const allFailed = taken.length === 0;
    const answer = {
      errorMessage: allFailed ? (responses[0]?.errorMessage ?? 'None') : 'None',
      numSent: taken.length,
      totalAmount: `${currency} ${formatDecimal(totalMinor * 10n ** BigInt(4 - (MINOR_DIGITS[currency] ?? 2)), 4)}`,
      totalDiscount: `${currency} 0.0000`,
      responses,
    };
    if (idempotencyKey) this.idempotent.set(idempotencyKey, { status: 201, body: answer });
    for (const entry of taken) this.track(this.deliver(entry));
    if (this.hangs > 0 && taken.length > 0) {
      this.hangs -= 1;
      this.hanging.add(res); // taken and paid; the answer never comes
      return;
    }
    send(res, 201, answer);
  }

  /** The application's balance, as AT shows it: the first currency the account holds, four decimals. */
  private user(req: IncomingMessage, res: ServerResponse): void {
    const username = new URL(req.url ?? '/', 'http://at.local').searchParams.get('username');
    if (username !== this.username) return send(res, 401, 'The supplied authentication is invalid', 'text/plain');
    const [currency, minor] = [...this.accountMinor.entries()][0] ?? ['KES', 0n];
    const digits = MINOR_DIGITS[currency] ?? 2;
    send(res, 200, { UserData: { balance: `${currency} ${formatDecimal(minor * 10n ** BigInt(4 - digits), 4)}` } });
  }

  /** After the answer: the validation callback (if any), then the network's outcome as the status callback. */
  private async deliver(entry: AirtimeEntry): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.options.validationCallbackUrl) {
      const digits = MINOR_DIGITS[entry.currency]!;
      const validation = await this.post('validation', this.options.validationCallbackUrl, {
        transactionId: entry.requestId,
        phoneNumber: entry.phoneNumber,
        sourceIpAddress: '127.0.0.1',
        currencyCode: entry.currency,
        amount: Number(formatDecimal(entry.amountMinor, digits)),
      });
      const validated = (validation.answer as { status?: unknown } | undefined)?.status === 'Validated';
      if (!validated) {
        await this.finish(entry, 'Failed', 'Request not validated');
        return;
      }
    }
    const outcome = this.outcome(entry.phoneNumber);
    if (outcome === 'hold') return;
    await this.finish(entry, outcome, outcome === 'Success' ? 'Airtime Delivered Successfully' : 'Delivery failed');
  }

  private async finish(
    entry: AirtimeEntry,
    status: 'Success' | 'Failed',
    description: string,
  ): Promise<CallbackDelivery | undefined> {
    if (entry.status === 'Sent') {
      entry.status = status;
      if (status === 'Failed') {
        this.accountMinor.set(entry.currency, (this.accountMinor.get(entry.currency) ?? 0n) + entry.amountMinor);
      }
    }
    if (!this.options.statusCallbackUrl) return undefined;
    const digits = MINOR_DIGITS[entry.currency]!;
    return this.post('status', this.options.statusCallbackUrl, {
      phoneNumber: entry.phoneNumber,
      description,
      status: entry.status,
      requestId: entry.requestId,
      discount: `${entry.currency} 0.0000`,
      value: `${entry.currency} ${formatDecimal(entry.amountMinor * 10n ** BigInt(4 - digits), 4)}`,
    });
  }

  private messaging(raw: string, res: ServerResponse): void {
    const form = new URLSearchParams(raw);
    if (form.get('username') !== this.username) {
      return send(res, 401, 'The supplied authentication is invalid', 'text/plain');
    }
    const to = (form.get('to') ?? '').split(',').map((n) => n.trim());
    const message = form.get('message') ?? '';
    const from = form.get('from') ?? undefined;
    if (!message || to.every((n) => n === '')) {
      return send(res, 400, 'Request is missing required form field', 'text/plain');
    }
    if (from !== undefined && !(this.options.senderIds ?? []).includes(from)) {
      return send(res, 201, {
        SMSMessageData: {
          Message: 'InvalidSenderId',
          Recipients: to.map((number) => failedRecipient(number, 402, 'InvalidSenderId')),
        },
      });
    }
    const recipients = to.map((number) => {
      if (!isValidPhoneNumber(number)) return failedRecipient(number, 403, 'InvalidPhoneNumber');
      if (this.blacklist.has(number)) return failedRecipient(number, 406, 'UserInBlacklist');
      const messageId = `ATXid_${randomBytes(16).toString('hex')}`;
      this.sms.push({ messageId, to: number, message, ...(from ? { from } : {}) });
      return { statusCode: 101, number, status: 'Success', cost: 'KES 0.8000', messageId };
    });
    const sent = recipients.filter((r) => r.status === 'Success').length;
    send(res, 201, {
      SMSMessageData: {
        Message: `Sent to ${sent}/${recipients.length} Total Cost: KES ${formatDecimal(BigInt(sent) * 8000n, 4)}`,
        Recipients: recipients,
      },
    });
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.pendingCallbacks.add(tracked);
    void tracked.finally(() => this.pendingCallbacks.delete(tracked));
  }

  /** POSTs a callback as AT does (JSON, or form for SMS reports); credentials in the URL become Basic auth. */
  private async post(
    kind: CallbackDelivery['kind'],
    target: string | undefined,
    body: Record<string, unknown>,
    encoding: 'json' | 'form' = 'json',
  ): Promise<CallbackDelivery> {
    if (!target) throw new Error(`no ${kind} callback URL configured`);
    const url = new URL(target);
    const headers: Record<string, string> = {
      'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    };
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: encoding === 'json' ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString(),
    });
    const text = await response.text();
    let answer: unknown = text;
    try {
      answer = JSON.parse(text);
    } catch {
      // plain text answers stay text
    }
    const delivery: CallbackDelivery = { kind, url: url.pathname, body, httpStatus: response.status, answer };
    this.callbacks.push(delivery);
    return delivery;
  }
}

function failedRecipient(number: string, statusCode: number, status: string) {
  return { statusCode, number, status, cost: '0', messageId: 'None' };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A local AT wired to our API at `apiUrl` as AT's dashboard would be: the airtime status and validation
 * callbacks and the SMS delivery reports, each URL carrying its secret from `config`. Started.
 */
export function startAfricasTalking(
  apiUrl: string,
  config: Config,
  options: AfricasTalkingServerOptions = {},
): Promise<AfricasTalkingServer> {
  const api = new URL(apiUrl);
  const at = (path: string) => `http://gateway:${config.webhooks.atCallbackSecret}@${api.host}${path}`;
  return new AfricasTalkingServer({
    statusCallbackUrl: at('/at/airtime/status'),
    validationCallbackUrl: at('/at/airtime/validation'),
    smsDeliveryUrl: `http://gateway:${config.webhooks.smsSecret}@${api.host}/sms/delivery`,
    ...options,
  }).start();
}
