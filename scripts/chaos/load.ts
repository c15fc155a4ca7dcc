/**
 * The chaos run's load (scripts/chaos/run.ts): its people, seeded with airtime, TXTC and a USSD registration
 * with a PIN, and a mixed stream of requests from them (conversions, airtime, TXTC and hybrid transfers through
 * REST, USSD buy sessions, SMS commands, one payer through several doors at once), many delivered two or three
 * times (at once and late), each retried by its client until it gets an answer.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { EphemeralStack } from '../local/ephemeral-stack';
import { createPool } from '../../lib/db/pool';
import { createProvider } from '../../lib/chain/provider';
import { ChainWriter } from '../../lib/chain/writer';
import { TxtcToken } from '../../lib/chain/txtc';
import { LOCAL_DEV_SIGNER_KEY, LOCAL_DEV_WALLET_MNEMONIC } from '../../lib/config';
import { SimulatedOperator } from '../../lib/telco/simulated';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { createUssdRepo } from '../../lib/db/ussd';
import { hashPin } from '../../lib/pins';
import { WEBHOOK_SECRETS } from './processes';

const PIN = '4826';

/** burst: one payer's money moved through several doors at once (REST hybrid, TXTC send and buy, SMS SEND). */
export type Kind = 'conversion' | 'airtime' | 'txtc' | 'hybrid' | 'ussd' | 'sms' | 'burst';
const WEIGHTS: [Kind, number][] = [
  ['conversion', 30],
  ['airtime', 15],
  ['txtc', 10],
  ['hybrid', 15],
  ['ussd', 15],
  ['sms', 15],
  ['burst', 10],
];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;

/** What the load counts as it goes: deliveries (duplicates included) and how each unique request ended. */
export interface LoadCounts {
  deliveries: number;
  accepted: number;
  refused: number;
  abandoned: number;
  byKind: Record<Kind, number>;
}

/** Sends `requests` unique requests from `people` at `rate` a second, of kinds drawn by weight, until all are answered. */
export async function sendLoad(
  o: { requests: number; rate: number; mix?: readonly Kind[] },
  api: string,
  people: Person[],
): Promise<LoadCounts> {
  const counts: LoadCounts = {
    deliveries: 0,
    accepted: 0,
    refused: 0,
    abandoned: 0,
    byKind: Object.fromEntries(WEIGHTS.map(([k]) => [k, 0])) as Record<Kind, number>,
  };
  const requests: Promise<void>[] = [];
  // `mix`: only these kinds, at their weights (the recovery measurement sends conversions alone).
  const weights = o.mix?.length ? WEIGHTS.filter(([k]) => o.mix!.includes(k)) : WEIGHTS;
  if (weights.length === 0) throw new Error(`mix: none of ${o.mix?.join(', ')} is a kind of request`);
  const total = weights.reduce((a, [, w]) => a + w, 0);
  for (let i = 0; i < o.requests; i++) {
    let roll = randomInt(total);
    const kind = weights.find(([, w]) => (roll -= w) < 0)![0];
    counts.byKind[kind] += 1;
    requests.push(sendOne(kind, i, api, people, counts));
    await sleep(1000 / o.rate);
  }
  await Promise.all(requests);
  return counts;
}

async function sendOne(
  kind: Kind,
  i: number,
  api: string,
  people: Person[],
  counts: { deliveries: number; accepted: number; refused: number; abandoned: number },
  payer?: Person,
): Promise<void> {
  if (kind === 'burst') {
    // Concurrent movements from one payer across channels: each must see the balance the last one left.
    const one = pick(people);
    await Promise.all(
      (['hybrid', 'txtc', 'conversion', 'sms'] as const).map((k, j) =>
        sendOne(k, i * 10 + j, api, people, counts, one),
      ),
    );
    return;
  }
  const from = payer ?? pick(people);
  let to = pick(people);
  while (to === from) to = pick(people);
  const key = `chaos-${i}-${randomUUID().slice(0, 8)}`;
  let deliver: () => Promise<'accepted' | 'refused' | 'retry'>;
  if (kind === 'ussd') {
    const ok = await ussdSession(api, from.phone, key, counts);
    if (ok) counts.accepted += 1;
    else counts.abandoned += 1;
    return;
  }
  if (kind === 'sms') {
    const text = pick([
      ...(payer ? [] : [`BUY ${200 + randomInt(800)}`]),
      `SEND ${100 + randomInt(300)} TO ${to.phone}`,
      `TRANSFER ${150 + randomInt(500)} TO ${to.phone}`,
    ]);
    const form = new URLSearchParams({
      from: from.phone,
      to: '12345',
      text,
      id: key,
      date: new Date().toISOString(),
    });
    deliver = () => post(`${api}/sms/inbound`, form, { 'x-webhook-secret': WEBHOOK_SECRETS.sms });
  } else {
    const body =
      kind === 'conversion'
        ? {
            path: '/api/airtime/buy',
            json: { phoneNumber: from.phone, airtimeAmount: String(200 + randomInt(4000)) },
          }
        : kind === 'airtime'
          ? {
              path: '/api/airtime/transfer',
              json: { fromPhone: from.phone, toPhone: to.phone, amount: String(150 + randomInt(500)) },
            }
          : {
              path: '/api/transfers',
              json: {
                fromPhone: from.phone,
                toPhone: to.phone,
                transferType: kind,
                amount: String(100 + randomInt(kind === 'txtc' ? 200 : 500)),
              },
            };
    deliver = () =>
      post(`${api}${body.path}`, JSON.stringify(body.json), {
        'content-type': 'application/json',
        'idempotency-key': key,
      });
  }
  // A client retries (same key) until it gets an answer, for three minutes at most.
  const untilAnswered = async (): Promise<'accepted' | 'refused'> => {
    const giveUp = Date.now() + 180_000;
    while (Date.now() < giveUp) {
      counts.deliveries += 1;
      const outcome = await deliver();
      if (outcome !== 'retry') return outcome;
      await sleep(300 + randomInt(700));
    }
    refusals['no answer in 3 minutes'] = (refusals['no answer in 3 minutes'] ?? 0) + 1;
    return 'refused';
  };
  // Duplicates: a third of requests twice at once, a sixth again a few seconds later.
  const copies = [untilAnswered()];
  if (randomInt(3) === 0) copies.push(untilAnswered());
  const late = randomInt(6) === 0 ? sleep(2000 + randomInt(8000)).then(untilAnswered) : undefined;
  const outcomes = await Promise.all(copies);
  if (late) await late;
  if (outcomes.includes('accepted')) counts.accepted += 1;
  else counts.refused += 1;
}

async function ussdSession(api: string, phone: string, key: string, counts: { deliveries: number }): Promise<boolean> {
  const inputs = ['1', String(300 + randomInt(2000)), PIN];
  for (let hop = 0; hop <= inputs.length; hop++) {
    const text = inputs.slice(0, hop).join('*');
    const form = new URLSearchParams({
      sessionId: key,
      serviceCode: '*123*456#',
      phoneNumber: phone,
      networkCode: '63902',
      text,
    });
    let answered: string | undefined;
    for (let attempt = 0; attempt < 8 && answered === undefined; attempt++) {
      counts.deliveries += 1;
      try {
        const res = await fetch(`${api}/ussd`, {
          method: 'POST',
          body: form,
          headers: { 'x-webhook-secret': WEBHOOK_SECRETS.ussd },
          signal: AbortSignal.timeout(10_000),
        });
        if (res.status === 200) answered = await res.text();
      } catch {
        // the API is down: the gateway tries the hop again
      }
      if (answered === undefined) await sleep(500 + randomInt(1000));
    }
    if (answered === undefined || (hop < inputs.length && !answered.startsWith('CON'))) {
      note(`hop ${hop}: ${answered === undefined ? 'no answer' : answered.slice(0, 60)}`);
      return false;
    }
    if (hop === inputs.length) {
      if (!/^END Request received/.test(answered)) note(`last hop: ${answered.slice(0, 60)}`);
      return /^END Request received/.test(answered);
    }
  }
  return false;
}

/** Why requests were refused at the door (status and error code), for the report. */
export const refusals: Record<string, number> = {};
/** Why USSD sessions were abandoned, for the report. */
export const ussdAbandons: Record<string, number> = {};
const note = (why: string) => void (ussdAbandons[why] = (ussdAbandons[why] ?? 0) + 1);

async function post(url: string, body: string | URLSearchParams, headers: Record<string, string>) {
  try {
    const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    if (res.status >= 400 && res.status !== 409 && res.status !== 429 && res.status < 500) {
      const code = /"code":"([A-Za-z]+)"/.exec(text)?.[1] ?? 'unknown';
      const key = `${res.status} ${code} ${new URL(url).pathname}`;
      refusals[key] = (refusals[key] ?? 0) + 1;
    }
    if (res.status < 300) return 'accepted' as const;
    // 409 for an in-flight twin with the same key is an answer; 429/5xx are worth another try.
    if (res.status === 409) return 'accepted' as const;
    if (res.status >= 500 || res.status === 429) return 'retry' as const;
    return 'refused' as const;
  } catch {
    return 'retry' as const; // connection refused while the API restarts
  }
}

export interface Person {
  phone: string;
  operator: string;
}

/** `count` people on Safaricom and Airtel Kenya numbers with airtime, TXTC and a USSD registration with a PIN. */
export async function seedPeople(
  stack: EphemeralStack,
  pool: ReturnType<typeof createPool>,
  count: number,
): Promise<Person[]> {
  const sim = new SimulatedOperator(pool);
  const ussd = createUssdRepo(pool);
  const wallets = new WalletDirectory(createWalletRepo(pool), LOCAL_DEV_WALLET_MNEMONIC);
  const provider = createProvider(stack.rpcUrl);
  const writer = new ChainWriter(LOCAL_DEV_SIGNER_KEY, provider);
  const token = new TxtcToken(stack.deployment.txtc, provider, writer, stack.deployment.txtcBlock);
  const pinHash = await hashPin(PIN);
  const people: Person[] = [];
  const seen = new Set<string>();
  try {
    while (people.length < count) {
      const airtel = people.length % 4 === 3;
      const phone = airtel
        ? `+25473${String(randomInt(0, 10_000_000)).padStart(7, '0')}`
        : `+2547${randomInt(10, 30)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`.slice(0, 13);
      if (seen.has(phone)) continue;
      seen.add(phone);
      const operator = airtel ? 'airtel-ke' : 'safaricom-ke';
      await sim.topUp(phone, operator, 100_000_000n, `chaos-topup:${phone}`);
      await ussd.setPin(phone, pinHash);
      await ussd.completeRegistration(phone, 'en');
      const wallet = await wallets.ensure(phone);
      await token.mintOnce(wallet, 200n * 10n ** 18n, `chaos-fund:${phone}`, 30_000);
      people.push({ phone, operator });
    }
  } finally {
    provider.destroy();
  }
  return people;
}
