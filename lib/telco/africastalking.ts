/**
 * Africa's Talking: airtime sent to a number (the credit side of the airtime port) and SMS (the messaging
 * port), over AT's HTTP API through the shared operator client (lib/telco/http.ts: timeouts, limits,
 * circuit breaker, one error model).
 *
 * AT cannot take airtime from a subscriber nor read one's balance: debit and balance are refused as
 * not supported (a collection adapter serves them), and there is no same-operator transfer.
 *
 * An airtime send answers "Sent"; AT tells the outcome later by the status callback (api/telco/at-callbacks.ts),
 * and documents no lookup by our reference. So each send is recorded under our reference before it goes
 * out (lib/db/at-airtime.ts), with the reference as its Idempotency-Key: a send whose answer we never read
 * is simply sent again under that key, and AT answers a repeat with the first response, moving nothing.
 * A credit returns committed only once the status callback said Success: it waits for it (bounded, within
 * one activity attempt, which heartbeats meanwhile) and otherwise throws TelcoPendingError, a retryable
 * failure; status(reference) answers from the same record, so Temporal's retries, or the workflow's
 * settling by status, end when the callback arrives.
 *
 * The wire format is the one AT's official Node SDK (africastalking) sends, compared field by field in
 * test/wire/official-clients.test.ts: forms, not JSON; `recipients` a JSON string whose amounts read
 * "KES 100.50"; SMS with bulkSMSMode=1; the application balance from GET /version1/user.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { createAtAirtimeRepo, type AtAirtimeRepo, type AtAirtimeRequest } from '../db/at-airtime';
import { formatDecimal, parseDecimal } from '../money/decimal';
import { BridgeError } from '../definitions/errors';
import { OperatorHttp, OperatorRejectedError, currencyDigits, type OperatorHttpOptions } from './http';
import {
  TelcoPendingError,
  TelcoReferenceConflictError,
  TelcoTimeoutError,
  TelcoUnavailableError,
  type AirtimeBalance,
  type AirtimeMovement,
  type FloatPort,
  type FloatReading,
  type MessagingPort,
  type MovementLookup,
  type SmsSent,
  type TelcoOperator,
  type TelcoResult,
} from './types';

export interface AfricasTalkingSettings {
  username: string;
  apiKey: string;
  /** AT_BASE_URL, or the sandbox or live API (AT_ENVIRONMENT, else the username: `sandbox` is the sandbox) */
  baseUrl: string;
  /** the alphanumeric sender id or short code SMS go from (AT's default when absent) */
  senderId?: string;
  /** one HTTP call's timeout */
  httpTimeoutMs: number;
  /** how long one credit attempt waits for the status callback before it answers "pending" */
  statusWaitMs: number;
  /** how often it looks meanwhile */
  pollMs?: number;
}

/** What AT cannot do, refused for good (nothing moved). */
export class NotSupportedByAfricasTalkingError extends BridgeError {
  constructor(what: string) {
    super(
      'OperatorRejected',
      `Africa's Talking cannot ${what}: not supported, configure a collection adapter for this operator (TELCO_OPERATOR_ADAPTERS)`,
    );
    this.name = 'NotSupportedByAfricasTalkingError';
  }
}

/** The parts of AT's answers the adapter reads (the rest, numSent, totalAmount, discount, cost, is not needed). */
const airtimeAnswer = z.object({
  errorMessage: z.string().optional(),
  responses: z
    .array(
      z.object({
        status: z.string(),
        requestId: z.string().optional(),
        errorMessage: z.string().optional(),
      }),
    )
    .optional(),
});

/** GET /version1/user: the application's balance, e.g. "KES 1784.2600" (what airtime sends are paid from). */
const userAnswer = z.object({ UserData: z.object({ balance: z.string() }) });

const smsAnswer = z.object({
  SMSMessageData: z.object({
    Message: z.string().optional(),
    Recipients: z.array(
      z.object({
        status: z.string(),
        statusCode: z.number(),
        messageId: z.string().optional(),
      }),
    ),
  }),
});

/** AT's per-recipient SMS codes that mean it took the SMS: 100 Processed, 101 Sent, 102 Queued. */
const SMS_SENT = new Set([100, 101, 102]);
/**
 * Refusals a later try may pass, nothing sent: 405 InsufficientBalance (ops top up), 500-502 AT's or the
 * gateway's errors. The others (invalid number, blacklisted, sender id, do-not-disturb...) are final.
 */
const SMS_RETRYABLE = new Set([405, 500, 501, 502]);

/** AT says "None" where there is no value. */
const present = (value: string | undefined) => (value && value !== 'None' ? value : undefined);

export class AfricasTalkingOperator implements TelcoOperator, MessagingPort, FloatPort {
  readonly name = 'africastalking';
  /** airtime sends are paid from the application's balance */
  readonly payoutAccount = 'application';
  private readonly http: OperatorHttp;
  private readonly requests: AtAirtimeRepo;
  private readonly currencies = new Map<string, { currency: string; minorDigits: number }>();

  constructor(
    private readonly pool: Pool,
    private readonly settings: AfricasTalkingSettings,
    options: Partial<Pick<OperatorHttpOptions, 'log' | 'fetch' | 'limits'>> = {},
  ) {
    this.http = new OperatorHttp({
      operator: 'africastalking',
      baseUrl: settings.baseUrl,
      ...options,
      limits: { ...options.limits, timeoutMs: settings.httpTimeoutMs },
    });
    this.requests = createAtAirtimeRepo(pool);
  }

  checkBalance(): Promise<AirtimeBalance> {
    return Promise.reject(new NotSupportedByAfricasTalkingError("read a subscriber's airtime balance"));
  }

  debit(): Promise<TelcoResult> {
    return Promise.reject(new NotSupportedByAfricasTalkingError('take airtime from a subscriber'));
  }

  /** Airtime to a number, once per reference; committed only when AT's status callback said Success. */
  async credit(movement: AirtimeMovement): Promise<TelcoResult> {
    if (movement.amountMinor <= 0n) throw new RangeError('amount must be positive');
    const { currency, minorDigits } = await this.currencyOf(movement.operator);
    const { request } = await this.requests.open({ ...movement, currency, minorDigits });
    if (
      request.phoneNumber !== movement.phoneNumber ||
      request.operator !== movement.operator ||
      request.amountMinor !== movement.amountMinor
    ) {
      throw new TelcoReferenceConflictError(movement.reference);
    }
    return this.settle(request, { wait: true });
  }

  /**
   * From our record of the send (AT has no status lookup by our reference): undefined if we never sent it;
   * a send whose answer we never read is asked again under its key, as below; one AT took whose callback
   * has not come throws TelcoPendingError at once (the credit's own attempt is what waits for it).
   */
  async status(lookup: MovementLookup): Promise<TelcoResult | undefined> {
    const request = await this.requests.find(lookup.reference);
    return request && this.settle(request, { wait: false });
  }

  /** One SMS to one number; AT's per-recipient answer decides: sent, refused for good, or worth a retry. */
  async sendSms(phoneNumber: string, message: string): Promise<SmsSent> {
    const form: Record<string, string> = { username: this.settings.username, to: phoneNumber, message };
    if (this.settings.senderId) form.from = this.settings.senderId;
    // The SDK's send(): bulk (not premium) SMS, as AT bills them.
    form.bulkSMSMode = '1';
    const answer = await this.http.request({
      method: 'POST',
      path: '/version1/messaging',
      headers: { apiKey: this.settings.apiKey },
      form,
    });
    const parsed = smsAnswer.safeParse(answer.body);
    if (!parsed.success) throw new TelcoUnavailableError("Africa's Talking answered an SMS send unreadably");
    const recipient = parsed.data.SMSMessageData.Recipients[0];
    if (!recipient) {
      const why = parsed.data.SMSMessageData.Message ?? 'no recipient accepted';
      throw new BridgeError('OperatorRejected', `Africa's Talking did not send the SMS: ${why}`);
    }
    const messageId = present(recipient.messageId);
    if (SMS_SENT.has(recipient.statusCode) && messageId) return { messageId, status: recipient.status };
    if (SMS_RETRYABLE.has(recipient.statusCode)) {
      throw new TelcoUnavailableError(`Africa's Talking did not send the SMS (${recipient.status}); nothing sent`);
    }
    throw new BridgeError('OperatorRejected', `Africa's Talking did not send the SMS: ${recipient.status}`);
  }

  /**
   * A recorded send's outcome: one still waiting for AT's answer is sent (again: under the same
   * Idempotency-Key AT answers a repeat with its first response and moves nothing); one AT took is final
   * once its status callback came (waited for, with `wait`, for at most statusWaitMs), else TelcoPendingError.
   */
  private async settle(request: AtAirtimeRequest, { wait }: { wait: boolean }): Promise<TelcoResult> {
    const answered = await this.sendUnlessAnswered(request);
    return this.outcome(answered.status === 'sent' && wait ? await this.waitForReport(answered) : answered);
  }

  /** Sends a request still waiting for AT's answer and records what AT said. */
  private async sendUnlessAnswered(request: AtAirtimeRequest): Promise<AtAirtimeRequest> {
    if (request.status !== 'requested') return request;
    // "KES 100.50": the exact decimal from minor units, never through a float.
    const amount = `${request.currency} ${formatDecimal(request.amountMinor, request.minorDigits)}`;
    let answer;
    try {
      answer = await this.http.request({
        method: 'POST',
        path: '/version1/airtime/send',
        headers: { apiKey: this.settings.apiKey, 'Idempotency-Key': request.reference },
        form: {
          username: this.settings.username,
          recipients: JSON.stringify([{ phoneNumber: request.phoneNumber, amount }]),
        },
        reference: request.reference,
      });
    } catch (err) {
      // A 4xx AT does not explain further (bad request, not allowed) is final, and nothing moved.
      if (err instanceof OperatorRejectedError) {
        return this.requests.answered(request.reference, { status: 'failed', reason: err.message });
      }
      throw err;
    }
    const parsed = airtimeAnswer.safeParse(answer.body);
    const first = parsed.success ? parsed.data.responses?.[0] : undefined;
    const requestId = present(first?.requestId);
    if (first && /^(Sent|Success)$/.test(first.status) && requestId) {
      return this.requests.answered(request.reference, { status: 'sent', requestId });
    }
    const refusal = present(first?.errorMessage) ?? (parsed.success ? present(parsed.data.errorMessage) : undefined);
    if ((first && first.status === 'Failed') || (parsed.success && !first && refusal)) {
      return this.requests.answered(request.reference, { status: 'failed', reason: refusal ?? 'Failed' });
    }
    // An answer we cannot read says nothing of what AT did: ask again under the same key.
    throw new TelcoTimeoutError(request.reference, `Africa's Talking answered ${request.reference} unreadably`);
  }

  /**
   * The float: the application's balance airtime sends are paid from (GET /version1/user), in minor units
   * of its currency. A balance AT writes with more decimals than the currency has is cut down, never up.
   */
  async floats(): Promise<FloatReading[]> {
    const answer = await this.http.request({
      method: 'GET',
      path: `/version1/user?username=${encodeURIComponent(this.settings.username)}`,
      headers: { apiKey: this.settings.apiKey },
    });
    const parsed = userAnswer.safeParse(answer.body);
    const match = parsed.success ? /^([A-Z]{3})\s+(\d+(?:\.\d+)?)$/.exec(parsed.data.UserData.balance.trim()) : null;
    if (!match) throw new TelcoUnavailableError("Africa's Talking answered its balance unreadably");
    const [, currency, value] = match as unknown as [string, string, string];
    const digits = currencyDigits(currency);
    const [whole, fraction = ''] = value.split('.') as [string, string?];
    const balanceMinor = parseDecimal(`${whole}${fraction ? `.${fraction.slice(0, digits)}` : ''}`, digits);
    return [{ account: 'application', currency, balanceMinor }];
  }

  /** Polls our record until the status callback settled it, for at most statusWaitMs. */
  private async waitForReport(request: AtAirtimeRequest): Promise<AtAirtimeRequest> {
    const deadline = Date.now() + this.settings.statusWaitMs;
    let current = request;
    while (current.status === 'sent' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.settings.pollMs ?? 250));
      current = (await this.requests.find(request.reference)) ?? current;
    }
    return current;
  }

  private outcome(request: AtAirtimeRequest): TelcoResult {
    if (request.status === 'success') return { reference: request.reference, status: 'committed' };
    if (request.status === 'failed') {
      return { reference: request.reference, status: 'rejected', reason: request.reason ?? 'Failed' };
    }
    // AT took it ("Sent") and its status callback has not come yet: retried, and settled by status.
    throw new TelcoPendingError(request.reference, this.name);
  }

  private async currencyOf(operator: string): Promise<{ currency: string; minorDigits: number }> {
    let found = this.currencies.get(operator);
    if (!found) {
      const { rows } = await this.pool.query<{ currency: string; minor_digits: number }>(
        'SELECT currency, minor_digits FROM operator_rates WHERE operator = $1',
        [operator],
      );
      if (!rows[0]) throw new RangeError(`operator ${operator} is not served`);
      found = { currency: rows[0].currency, minorDigits: rows[0].minor_digits };
      this.currencies.set(operator, found);
    }
    return found;
  }
}
