/**
 * The production shape survives its Temporal server dying: the full server on Postgres
 * (scripts/local/temporal-postgres.ts, configured like docker-compose.yml's) is SIGKILLed while a REST
 * conversion sits between its debit and its mint and a USSD session waits for its next hop, then started
 * again on the same ports and databases. The worker and the clients reconnect by themselves; the conversion
 * completes once (one debit, one mint), the session answers its next hop and buys, and each person gets one SMS.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createActivities, type Activities } from '../../activities';
import { conversionWorkflowId } from '../../lib/definitions';
import { TxtcToken } from '../../lib/chain/txtc';
import { WalletDirectory } from '../../lib/wallets';
import { createWalletRepo } from '../../lib/db/wallets';
import { startTemporalOnPostgres, type TemporalOnPostgres } from '../../scripts/local/temporal-postgres';
import { openStack, testLog, withWorker, type TestStackHandle } from '../support/stack';
import { settled, type App } from '../support/api';
import { gatewayHeaders } from '../support/webhooks';
import { newSafaricomNumber, registeredPayer, smsTo, telcoOperations, topUp } from '../support/money';

// The first run on a machine builds the server with Go (2 to 4 minutes); later ones start it in seconds.
const SETUP_MS = 600_000;
jest.setTimeout(300_000);

let server: TemporalOnPostgres;
let stack: TestStackHandle;
beforeAll(async () => {
  server = await startTemporalOnPostgres({ log: (line) => process.stderr.write(`[temporal-postgres] ${line}\n`) });
  stack = await openStack({ TEMPORAL_ADDRESS: server.address });
}, SETUP_MS);
afterAll(async () => {
  await stack?.close();
  await server?.stop();
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls `check` until it gives a value, for at most `ms`. */
async function within<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A USSD session as the gateway posts it, with the cumulative text. */
function ussdSession(app: App, phoneNumber: string) {
  const sessionId = `ATUid_${randomUUID()}`;
  const inputs: string[] = [];
  const post = async (text: string) => {
    const res = await app.request('/ussd', {
      method: 'POST',
      headers: gatewayHeaders(stack.config, 'ussd'),
      body: new URLSearchParams({ sessionId, serviceCode: '*123*456#', phoneNumber, networkCode: '63902', text }),
    });
    expect(res.status).toBe(200);
    return res.text();
  };
  return {
    sessionId,
    dial: () => post(''),
    type: (input: string) => {
      inputs.push(input);
      return post(inputs.join('*'));
    },
  };
}

async function mintsTo(phoneNumber: string): Promise<number> {
  const wallet = await new WalletDirectory(createWalletRepo(stack.runtime.pool), stack.config.walletMnemonic).find(
    phoneNumber,
  );
  if (!wallet) return 0;
  const token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
  return (await token.contract.queryFilter(token.contract.filters.ReferencedMint!(null, wallet), 0)).length;
}

/** A workflow's result once it exists and ends (the session starts the conversion a moment after it answers). */
async function resultOf(workflowId: string, ms: number): Promise<unknown> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await stack.client.workflow.getHandle(workflowId).result();
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

test('a conversion between its debit and its mint and an open USSD session outlive a SIGKILL of the Temporal server', async () => {
  const buyer = newSafaricomNumber();
  await topUp(stack.runtime.pool, buyer, 'safaricom-ke', 200000n);
  const caller = await registeredPayer(stack.runtime.pool, '2468');

  // The buyer's conversion stops after its debit, in the bookkeeping before the mint, until the server is dead.
  const activities = createActivities({ ...stack.runtime, log: testLog });
  const held = deferred();
  const release = deferred();
  let holds = 0;
  const gated: Activities = {
    ...activities,
    recordDebit: async (input) => {
      if (input.phoneNumber === buyer && holds++ === 0) {
        held.resolve();
        await release.promise;
      }
      return activities.recordDebit(input);
    },
  };

  await withWorker(stack, gated, async (taskQueue) => {
    const config = { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } };
    const app = createApp({ ...stack.runtime, config, temporal: stack.client, log: testLog });

    const res = await app.request('/api/airtime/buy', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': randomUUID() },
      body: JSON.stringify({ phoneNumber: buyer, airtimeAmount: '645' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const session = ussdSession(app, caller);
    expect(await session.dial()).toMatch(/^CON [\s\S]*Buy/);
    expect(await session.type('1')).toMatch(/^CON [\s\S]*KES/);

    await held.promise;
    expect(await telcoOperations(stack.runtime.pool, buyer)).toHaveLength(1); // debited...
    expect(await mintsTo(buyer)).toBe(0); // ...not minted

    const killedAt = Date.now();
    const killedPid = server.pid();
    await server.kill();
    expect(server.pid()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1000));
    release.resolve(); // the bookkeeping ends while nobody can hear it
    await new Promise((r) => setTimeout(r, 2000));
    await server.restart();
    const upAt = Date.now();
    expect(server.pid()).not.toBe(killedPid);

    // The session goes on where it was: the amount asked before the kill is answered with the confirmation.
    const confirm = await within('the next USSD hop', 60_000, async () => {
      const screen = await session.type('1290');
      return /^CON /.test(screen) ? screen : undefined;
    });
    const hopAt = Date.now();
    expect(confirm).toContain('KES 1,290.00');
    expect(await session.type('2468')).toMatch(/^END [\s\S]*SMS/);

    const view = await settled(app, id, { tries: 1200 });
    const convertedAt = Date.now();
    expect(view).toMatchObject({ status: 'completed' });
    expect(await resultOf(conversionWorkflowId('ussd', session.sessionId), 120_000)).toMatchObject({
      status: 'completed',
    });
    const ussdAt = Date.now();
    process.stderr.write(
      `${JSON.stringify({
        temporalDownMs: upAt - killedAt,
        firstHopAfterRestartMs: hopAt - upAt,
        heldConversionCompletedAfterRestartMs: convertedAt - upAt,
        ussdBuyCompletedAfterRestartMs: ussdAt - upAt,
        recordDebitCalls: holds,
      })}\n`,
    );
  });

  // Exactly once: one debit each, one mint each, one SMS each.
  for (const person of [buyer, caller]) {
    const operations = await telcoOperations(stack.runtime.pool, person);
    expect(operations).toHaveLength(1);
    expect(operations[0]).toMatchObject({ kind: 'debit' });
    expect(await mintsTo(person)).toBe(1);
    expect(await smsTo(stack.runtime.pool, person)).toEqual([expect.stringMatching(/^You bought \d+ TXTC/)]);
  }
});
