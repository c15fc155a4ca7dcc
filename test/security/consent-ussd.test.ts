/**
 * The payer's consent on USSD (issue 23): a REST request waiting for the payer is offered first when they
 * dial, approved with their PIN or refused there, with the same outcome as YES <PIN> / NO by SMS. The
 * partners a number approved are listed under My account, where the payer stops one reading it.
 */
import { randomUUID } from 'node:crypto';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { createUssdRepo } from '../../lib/db/ussd';
import { openStack, uniqueId, type TestStackHandle } from '../support/stack';
import { withApi as withApiOn, type App } from '../support/api';
import { gatewayHeaders } from '../support/webhooks';
import { airtimeBalance, newSafaricomNumber, telcoOperations, registeredPayer } from '../support/money';

let stack: TestStackHandle;
let app: App;
let partner: string;
let ops: string;

beforeAll(async () => {
  stack = await openStack({ API_KEYS_REQUIRED: 'true', PAYER_CONSENT_TIMEOUT: '120' });
  const keys = createApiKeyRepo(stack.runtime.pool);
  partner = (
    await keys.create({ name: 'acme-till', tenant: 'acme', scopes: ['transfers:write', 'airtime:write', 'read'] })
  ).key;
  ops = (await keys.create({ name: 'ops-desk', tenant: 'operator', scopes: ['ops', 'read'] })).key;
});
afterAll(async () => {
  await stack.close();
});

const withApi = <T>(fn: () => Promise<T>) =>
  withApiOn(stack, (a) => {
    app = a;
    return fn();
  });

/** A registered number with airtime and the PIN 2468. */
const payer = () => registeredPayer(stack.runtime.pool);

/** One USSD session of the number: each call types one more input and returns the screen. */
function dial(number: string) {
  const sessionId = `ATUid_${randomUUID()}`;
  const inputs: string[] = [];
  const post = async (text: string) => {
    const res = await app.request('/ussd', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({
        sessionId,
        serviceCode: '*123*456#',
        phoneNumber: number,
        networkCode: '63902',
        text,
      }),
    });
    expect(res.status).toBe(200);
    return res.text();
  };
  return {
    open: () => post(''),
    type: (input: string) => {
      inputs.push(input);
      return post(inputs.join('*'));
    },
  };
}

async function send(from: string, to: string): Promise<string> {
  const res = await app.request('/api/airtime/transfer', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'Idempotency-Key': uniqueId('consent-ussd'),
      authorization: `Bearer ${partner}`,
    },
    body: JSON.stringify({ fromPhone: from, toPhone: to, amount: '500' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const view = async (id: string) =>
  (await (
    await app.request(`/api/transfers/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${ops}` } })
  ).json()) as { status: string; stage: string; failure: { code: string } | null };

async function until(id: string, done: (v: Awaited<ReturnType<typeof view>>) => boolean) {
  for (let i = 0; i < 300; i++) {
    const v = await view(id);
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${id} never got there: ${JSON.stringify(await view(id))}`);
}

const readBalance = async (number: string) =>
  (
    await app.request(`/api/balance/${encodeURIComponent(number)}`, {
      headers: { authorization: `Bearer ${partner}` },
    })
  ).status;

test('the waiting request is offered when the payer dials; a wrong PIN counts, the right one moves it once', async () => {
  const [from, to] = [await payer(), newSafaricomNumber()];
  await withApi(async () => {
    const id = await send(from, to);
    await until(id, (v) => v.stage === 'awaiting_payer');
    expect(await readBalance(from)).toBe(404);

    const phone = dial(from);
    expect(await phone.open()).toMatch(
      /^CON Approve this request\?\nsend KES 500\.00 \(\$3\.87\) airtime to \+254\d+ \(asked by acme-till\)\n1 Approve\n2 Refuse$/,
    );
    expect(await phone.type('1')).toBe('CON Enter your PIN to approve:\n0 Back');
    expect(await phone.type('1111')).toBe('CON Wrong PIN. 2 tries left.\nEnter your PIN to approve:\n0 Back');
    expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
    expect(await phone.type('2468')).toBe('END Approved. You will get an SMS when it is done.');
    expect(await until(id, (v) => v.status !== 'pending')).toMatchObject({ status: 'completed', failure: null });
    expect((await createUssdRepo(stack.runtime.pool).profile(from))?.pinFailedAttempts).toBe(0);

    // Approving acme's debit lets acme read the number, until the payer stops it under My account.
    expect(await readBalance(from)).toBe(200);
    const account = dial(from);
    expect(await account.open()).toMatch(/^CON 1 Buy TXTC/);
    await account.type('6');
    expect(await account.type('4')).toBe('CON Who sees your balance:\n1 acme\nChoose one to stop it\n0 Back');
    expect(await account.type('1')).toMatch(/^CON Partner stopped\.\nMy account\n/);
    expect(await readBalance(from)).toBe(404);
  });
  expect(await telcoOperations(stack.runtime.pool, from)).toHaveLength(1);
  expect(await airtimeBalance(stack.runtime.pool, to)).toBe(50000n);
});

test('2 Refuse on USSD ends it ConsentRefused with nothing moved; a request no longer waiting is not offered', async () => {
  const [from, to] = [await payer(), newSafaricomNumber()];
  await withApi(async () => {
    const id = await send(from, to);
    await until(id, (v) => v.stage === 'awaiting_payer');
    const phone = dial(from);
    await phone.open();
    expect(await phone.type('2')).toBe('END Refused. Nothing was sent.');
    expect(await until(id, (v) => v.status !== 'pending')).toMatchObject({
      status: 'failed',
      failure: { code: 'ConsentRefused' },
    });
    expect(await dial(from).open()).toMatch(/^CON 1 Buy TXTC/);
  });
  expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
  expect(await airtimeBalance(stack.runtime.pool, from)).toBe(500000n);
  expect(await airtimeBalance(stack.runtime.pool, to)).toBe(0n);
});
