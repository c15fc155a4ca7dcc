/**
 * Airtel Money (Airtel Africa Open API): a debit is a collection (`POST /merchant/v1/payments/`, a USSD
 * push the person approves with their PIN), a credit a disbursement (`POST /standard/v1/disbursements/`),
 * and an earlier movement is found by its transaction id, a UUID derived from our reference, so a retry
 * sends the same id. Every call carries X-Country, X-Currency and a bearer token from client credentials
 * (`POST /auth/oauth2/token`), cached until it expires and fetched anew on a 401.
 *
 * Transaction states: TS success, TF failed, TE expired, TIP in progress, TA ambiguous (both not final:
 * TelcoPendingError, settled by status). Like MoMo, Airtel does not tell a merchant a wallet's balance.
 * What the public documentation leaves open is listed in docs/operators.md.
 *
 * Airtel posts a payment's final state to the callback URL configured on its portal for the application
 * (`{transaction: {id, message, status_code: TS|TF, airtel_money_id}}`; api/telco/operator-callbacks.ts keeps it).
 * Given that inbox, a waiting debit looks there between its polls and, when a callback names its
 * transaction id, reads the status at once; the status decides, never the callback.
 */
import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { formatDecimal } from '../money/decimal';
import type { AirtelSettings } from '../config';
import { CachedToken, OperatorRejectedError, tokenFrom, type HttpAnswer, type HttpCall } from './http';
import { uuidFromReference } from './ids';
import { awaitPayment } from './polling';
import { TelcoPendingError, TelcoUnavailableError, type AirtimeMovement, type TelcoResult } from './types';
import { MobileMoneyOperator, type MobileMoneyOptions, type MobileMoneyTuning, type Product } from './mobile-money';

export type AirtelConfig = AirtelSettings & MobileMoneyTuning;

const PATHS = {
  collection: { create: '/merchant/v1/payments/', status: '/standard/v1/payments/' },
  /** with message signing: Airtel's v2 collection, the one its docs show signed */
  signedCollection: { create: '/merchant/v2/payments/', status: '/standard/v1/payments/' },
  disbursement: { create: '/standard/v1/disbursements/', status: '/standard/v1/disbursements/' },
} as const;

/** Airtel's response codes (status.response_code) as a person should read them. */
const CODES: Record<string, string> = {
  DP00800001002: 'the Airtel Money PIN was wrong',
  DP00800001003: 'the Airtel Money account has reached its limit; try a smaller amount or later',
  DP00800001004: 'Airtel Money refused the amount',
  DP00800001007: 'not enough money in the Airtel Money account',
  DP00800001008: 'the payment was declined on the phone',
  DP00800001010: 'Airtel Money does not allow this payment',
  DP00800001024: 'the payment was not approved in time',
  DP00800001029: 'the payment was not approved in time',
};
const NOT_ENOUGH_BALANCE = 'DP00800001007';
const NOT_FOUND = 'DP00800001025';

interface AirtelAnswer {
  data?: { transaction?: { id?: string; status?: string; message?: string } };
  status?: { code?: string; response_code?: string; success?: boolean; message?: string };
}

export class AirtelOperator extends MobileMoneyOperator {
  readonly name = 'airtel';
  private readonly token: CachedToken;
  private readonly signingKey: string | undefined;

  constructor(
    private readonly config: AirtelConfig,
    options: MobileMoneyOptions = {},
  ) {
    super('airtel', config, options);
    this.token = new CachedToken(() => this.fetchToken(), this.clock);
    this.signingKey = config.signingPublicKeyPath ? readFileSync(config.signingPublicKeyPath, 'utf8') : undefined;
  }

  protected async find(product: Product, reference: string): Promise<TelcoResult | undefined> {
    const state = await this.read(product, uuidFromReference(reference));
    return state && this.outcome(product, reference, state);
  }

  protected async move(product: Product, m: AirtimeMovement, waitMs: number): Promise<TelcoResult> {
    if (m.amountMinor <= 0n) throw new RangeError('amount must be positive');
    if (product === 'disbursement' && !this.config.disbursementPin) {
      throw new OperatorRejectedError('airtel', 0, 'AIRTEL_DISBURSEMENT_PIN is not configured');
    }
    const id = uuidFromReference(m.reference);
    const msisdn = this.nationalNumber(m.phoneNumber);
    // Airtel takes the amount as a JSON number: written exactly from minor units, never through a float.
    const amount = formatDecimal(m.amountMinor, this.digits, this.digits, true);
    const { country, currency } = this.config;
    const body =
      product === 'collection'
        ? {
            reference: 'TXTC',
            subscriber: { country, currency, msisdn },
            transaction: { amount: '__AMOUNT__', country, currency, id },
          }
        : {
            payee: { msisdn },
            reference: 'TXTC',
            pin: this.config.disbursementPin,
            transaction: { amount: '__AMOUNT__', id },
          };
    const jsonText = JSON.stringify(body).replace('"__AMOUNT__"', amount);
    const signed = product === 'collection' && this.signingKey !== undefined;
    const created = await this.call({
      method: 'POST',
      path: signed ? PATHS.signedCollection.create : PATHS[product].create,
      reference: m.reference,
      jsonText,
      ...(signed ? { headers: signPayload(jsonText, this.signingKey) } : {}),
      accept: [400, 403, 409],
    });
    const answer = created.body as AirtelAnswer | undefined;
    if (created.status >= 400 || answer?.status?.success === false) {
      // A repeated id is refused like any bad request: whether it exists is what status says.
      const earlier = await this.read(product, id);
      if (earlier) return this.waitFor(product, m.reference, id, earlier, waitMs);
      return this.rejected(product, m.reference, answer?.status?.response_code ?? `HTTP_${created.status}`);
    }
    return this.waitFor(product, m.reference, id, undefined, waitMs);
  }

  /** Reads the transaction's status with backoff until it is final or the wait is over (then pending). */
  private async waitFor(
    product: Product,
    reference: string,
    id: string,
    first: AirtelAnswer | undefined,
    waitMs: number,
  ): Promise<TelcoResult> {
    let known = first;
    const state = await awaitPayment({
      read: async () => {
        const found = known ?? (await this.read(product, id));
        known = undefined;
        return found;
      },
      isFinal: (found) => !['TIP', 'TA'].includes(found.data?.transaction?.status ?? ''),
      reference,
      operator: 'airtel',
      id,
      product,
      inbox: this.callbacks,
      settings: this.config,
      clock: this.clock,
      waitMs,
    });
    return this.outcome(product, reference, state);
  }

  private async read(product: Product, id: string): Promise<AirtelAnswer | undefined> {
    const answer = await this.call({ method: 'GET', path: `${PATHS[product].status}${id}`, accept: [404] });
    const body = answer.body as AirtelAnswer | undefined;
    if (answer.status === 404 || body?.status?.response_code === NOT_FOUND) return undefined;
    return body;
  }

  private outcome(product: Product, reference: string, state: AirtelAnswer): TelcoResult {
    const status = state.data?.transaction?.status;
    if (status === 'TS') return { reference, status: 'committed' };
    if (status === 'TF' || status === 'TE') {
      const code = state.status?.response_code ?? (status === 'TE' ? 'DP00800001029' : 'UNKNOWN');
      return this.rejected(product, reference, code);
    }
    if (status === 'TIP' || status === 'TA') throw new TelcoPendingError(reference, 'airtel');
    throw new TelcoUnavailableError(`airtel answered an unknown status for ${reference}`);
  }

  private rejected(product: Product, reference: string, code: string): TelcoResult {
    const insufficient = code === NOT_ENOUGH_BALANCE && product === 'collection';
    const message =
      code === NOT_ENOUGH_BALANCE && product === 'disbursement'
        ? 'the platform cannot pay out right now'
        : (CODES[code] ?? `Airtel Money refused the payment (${code})`);
    return { reference, status: 'rejected', reason: insufficient ? 'InsufficientAirtime' : code, message };
  }

  /** Airtel wants the number without its country code. */
  private nationalNumber(phone: string): string {
    const parsed = parsePhoneNumberFromString(phone);
    if (!parsed) throw new RangeError('not a phone number');
    return parsed.nationalNumber;
  }

  private call(call: HttpCall): Promise<HttpAnswer> {
    return this.token.use((token) =>
      this.http.request({
        ...call,
        headers: {
          Authorization: `Bearer ${token}`,
          'X-Country': this.config.country,
          'X-Currency': this.config.currency,
          ...call.headers,
        },
      }),
    );
  }

  private async fetchToken(): Promise<{ token: string; expiresInSeconds: number }> {
    const answer = await this.http.request({
      method: 'POST',
      path: '/auth/oauth2/token',
      json: {
        client_id: this.config.clientId,
        client_secret: this.config.clientSecret,
        grant_type: 'client_credentials',
      },
    });
    return tokenFrom(answer, 'airtel');
  }
}

/**
 * Airtel's message signing (its v2 docs): the JSON payload encrypted with a fresh AES-256 key and IV is the
 * x-signature header; "key:iv" (both base64) encrypted with Airtel's RSA public key is x-key. The docs found
 * do not name the AES mode or the RSA padding: CBC with PKCS#7 and PKCS#1 v1.5 are assumed (docs/operators.md
 * lists it as unconfirmed).
 */
export function signPayload(jsonText: string, publicKeyPem: string): { 'x-signature': string; 'x-key': string } {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const signature = Buffer.concat([cipher.update(jsonText, 'utf8'), cipher.final()]).toString('base64');
  const wrapped = publicEncrypt(
    { key: publicKeyPem, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(`${key.toString('base64')}:${iv.toString('base64')}`, 'utf8'),
  ).toString('base64');
  return { 'x-signature': signature, 'x-key': wrapped };
}
