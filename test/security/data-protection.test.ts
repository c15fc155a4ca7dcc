/**
 * Data protection (issue 12): the product runs as its own processes (the API and a worker, JSON logs at debug
 * level captured) with secrets of this run's own: a fresh wallet seed, webhook secrets and an API key. Money
 * moves through REST (a conversion, airtime, TXTC and hybrid transfers, reads), USSD (registration with a PIN,
 * a wrong PIN, a purchase) and SMS (a balance, a purchase, a large SEND confirmed with a wrong then the right
 * YES <pin>). Then every log line, every response body, every text column of every table and the Temporal
 * history of every workflow the run started are searched: no seed, private key, derived key, webhook secret,
 * API key or PIN in any of them, and no unmasked phone number in any log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HDNodeWallet, Mnemonic, Wallet } from 'ethers';
import { WorkflowNotFoundError } from '@temporalio/client';
import { freePort, waitFor } from '../../scripts/local/processes';
import { createApiKeyRepo } from '../../lib/db/api-keys';
import { apiKeyHash } from '../../lib/api-keys';
import { maskPhone } from '../../lib/log';
import { conversionWorkflowId, smsWorkflowId, ussdWorkflowId } from '../../lib/definitions';
import { reconciliationWorkflowId } from '../../lib/definitions/reconcile';
import { openStack, type TestStackHandle } from '../support/stack';
import { readStack } from '../support/stack-file';
import { newAirtelKeNumber, newSafaricomNumber, smsTo, topUp } from '../support/money';

const ROOT = resolve(__dirname, '..', '..');
const PIN = '8264';
const WRONG_PIN = '3917';

const children: ChildProcess[] = [];
let stack: TestStackHandle;
beforeAll(async () => {
  stack = await openStack();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await stack.close();
});

function start(entry: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  children.push(child);
  return { child, output: () => output };
}

/** Every string Temporal keeps for a workflow, payloads decoded: what anyone with the history can read. */
async function historyText(workflowId: string): Promise<string> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  // Walked by hand: the history's own toJSON would show payloads as base64, hiding what they hold.
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) out.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') out.push(String(v));
  };
  walk(history.events);
  return out.join('\n');
}

/** Every row of every table as JSON (every column, whatever its type), named by its table. */
async function databaseRows(): Promise<{ where: string; text: string }[]> {
  const { rows: tables } = await stack.runtime.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const out: { where: string; text: string }[] = [];
  for (const { table_name: table } of tables) {
    const { rows } = await stack.runtime.pool.query<{ v: string }>(
      `SELECT row_to_json(t)::text AS v FROM "${table}" t`,
    );
    for (const r of rows) out.push({ where: table, text: r.v });
  }
  return out;
}

async function result(workflowId: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await stack.client.workflow.getHandle(workflowId).result();
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError) || attempt >= 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('no seed, key, webhook secret, API key or PIN in logs, responses, tables or histories; no unmasked number in logs', async () => {
  const startedAt = Date.now();
  const stackFile = readStack();
  const mnemonic = Wallet.createRandom().mnemonic!.phrase;
  const secrets = {
    ussd: `dp-ussd-${randomUUID()}`,
    sms: `dp-sms-${randomUUID()}`,
  };
  const apiPort = await freePort();
  const taskQueue = `data-protection-${randomUUID()}`;
  const env = {
    APP_ENV: 'local',
    LOG_LEVEL: 'debug',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'txtc-dp-')),
    DATABASE_URL: stackFile.databaseUrl,
    TEMPORAL_ADDRESS: stackFile.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CHAIN_RPC_URL: stackFile.rpcUrl,
    TXTC_ADDRESS: stackFile.deployment.txtc,
    TXTC_DEPLOY_BLOCK: String(stackFile.deployment.txtcBlock),
    RATE_PAIR_ADDRESS: stackFile.deployment.ratePair,
    PORT: String(apiPort),
    WORKER_METRICS_PORT: '0',
    TEMPORAL_WORKER_METRICS_PORT: '0',
    WALLET_MNEMONIC: mnemonic,
    USSD_WEBHOOK_SECRET: secrets.ussd,
    SMS_WEBHOOK_SECRET: secrets.sms,
    API_KEYS_REQUIRED: 'true',
    SMS_CONFIRM_TIMEOUT: '120',
  };
  const { key: apiKey } = await createApiKeyRepo(stack.runtime.pool).create({
    name: 'data-protection',
    // trusted: moves money at once (consent: consent.test.ts); ops: reads any number (tenants: tenants.test.ts)
    scopes: 'airtime:write,transfers:write,read,trusted,ops',
  });

  const [a, b, c] = [newSafaricomNumber(), newSafaricomNumber(), newAirtelKeNumber()];
  await topUp(stack.runtime.pool, a, 'safaricom-ke', 10_000_000n);

  const api = start('api/main.ts', env);
  const worker = start('workers/main.ts', env);
  const base = `http://127.0.0.1:${apiPort}`;
  await waitFor('the API', async () => (await fetch(`${base}/health`)).status === 200, 90_000, api.child);
  await waitFor('the worker', () => Promise.resolve(worker.output().includes('worker started')), 90_000, worker.child);

  // Every response body the run receives, searched at the end.
  const responses: string[] = [];
  const call = async (path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    responses.push(`${init.method ?? 'GET'} ${path} ${res.status} ${text}`);
    return { status: res.status, text };
  };
  const rest = (path: string, body?: unknown, key = randomUUID()) =>
    call(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': `dp-${key}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const started = async (path: string, body: unknown) => {
    const res = await rest(path, body);
    expect(res.status).toBe(202);
    return (JSON.parse(res.text) as { id: string }).id;
  };
  const form = (secret: string, fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-webhook-secret': secret },
    body: new URLSearchParams(fields),
  });

  // REST: a conversion, then airtime, TXTC and hybrid transfers from the TXTC it bought; reads.
  const moneyIds: string[] = [];
  const buy = await started('/api/airtime/buy', { phoneNumber: a, airtimeAmount: '10', currency: 'USD' });
  expect(await result(buy)).toMatchObject({ status: 'completed' });
  moneyIds.push(buy);
  for (const body of [
    { fromPhone: a, toPhone: b, amount: '2', currency: 'USD', transferType: 'airtime' },
    { fromPhone: a, toPhone: c, amount: '200', transferType: 'txtc' },
    { fromPhone: a, toPhone: b, amount: '15', currency: 'USD', transferType: 'hybrid' },
  ]) {
    const id = await started('/api/transfers', body);
    expect(await result(id)).toMatchObject({ status: 'completed' });
    moneyIds.push(id);
  }
  for (const id of moneyIds) expect((await rest(`/api/transfers/${id}`)).status).toBe(200);
  expect((await rest(`/api/balance/${encodeURIComponent(a)}`)).status).toBe(200);
  expect((await rest(`/api/transactions/${encodeURIComponent(a)}?limit=10`)).status).toBe(200);
  expect((await rest('/api/airtime/rates')).status).toBe(200);
  // Refused calls: a wrong key, a forged webhook (both logged).
  expect((await call('/api/airtime/rates', { headers: { authorization: 'Bearer txtc_wrong' } })).status).toBe(401);
  expect(
    (await call('/sms/inbound', form('forged-secret-value', { from: a, to: '12345', text: 'HELP', id: 'x' }))).status,
  ).toBe(401);

  // USSD: registration with a PIN, a purchase confirmed after one wrong PIN.
  const sessionId = `ATUid_${randomUUID()}`;
  const inputs: string[] = [];
  const hop = async (input?: string) => {
    if (input !== undefined) inputs.push(input);
    const res = await call(
      '/ussd',
      form(secrets.ussd, {
        sessionId,
        serviceCode: '*123*456#',
        phoneNumber: a,
        networkCode: '63902',
        text: inputs.join('*'),
      }),
    );
    expect(res.status).toBe(200);
    return res.text;
  };
  await hop();
  await hop('1'); // English
  await hop('1'); // terms
  await hop(PIN);
  expect(await hop(PIN)).toMatch(/Buy/);
  await hop('1');
  expect(await hop('645')).toMatch(/^CON /);
  expect(await hop(WRONG_PIN)).toMatch(/^CON /);
  expect(await hop(PIN)).toMatch(/^END [\s\S]*SMS/);
  expect(await result(conversionWorkflowId('ussd', sessionId))).toMatchObject({ status: 'completed' });
  moneyIds.push(conversionWorkflowId('ussd', sessionId), ussdWorkflowId(sessionId));

  // SMS: a balance, a small purchase, a large SEND confirmed after one wrong PIN.
  const sms = async (text: string) => {
    const id = `ATXid_${randomUUID()}`;
    const res = await call('/sms/inbound', form(secrets.sms, { from: a, to: '12345', text, id, date: '2026-01-01' }));
    expect(res.status).toBe(200);
    return id;
  };
  const smsDone = async (id: string) => {
    const done = (await result(smsWorkflowId(id))) as { startedWorkflowId?: string };
    moneyIds.push(smsWorkflowId(id));
    if (done.startedWorkflowId) {
      moneyIds.push(done.startedWorkflowId);
      await result(done.startedWorkflowId);
    }
    return done;
  };
  await smsDone(await sms('BALANCE'));
  await smsDone(await sms('BUY 500'));
  const send = await sms(`SEND $25 TO ${c}`);
  await waitFor('the confirmation request', async () =>
    (await smsTo(stack.runtime.pool, a)).some((m) => /reply YES/.test(m)),
  );
  await smsDone(await sms(`YES ${WRONG_PIN}`));
  await smsDone(await sms(`yes ${PIN}`));
  expect(await smsDone(send)).toMatchObject({ startedWorkflowId: expect.any(String) });

  // A reconciliation that finds a debit no record explains (planted on b's operator ledger): ops are told.
  const planted = `conversion:api:dp-planted-${randomUUID()}:debit`;
  await stack.runtime.pool.query(
    `INSERT INTO sim_telco_operations (reference, phone_number, kind, amount_minor, status, balance_after)
     VALUES ($1, $2, 'debit', 12345, 'committed', 0)`,
    [planted, b],
  );
  const reconciliation = reconciliationWorkflowId(`dp-${randomUUID()}`);
  const summary = await stack.client.workflow.execute('reconciliationWorkflow', {
    taskQueue,
    workflowId: reconciliation,
    args: [{ since: new Date(startedAt - 60_000).toISOString(), until: new Date().toISOString(), phones: [a, b, c] }],
  });
  expect(summary).toMatchObject({ status: 'mismatches' });
  moneyIds.push(reconciliation);

  // Let the processes flush, then stop them.
  await new Promise((r) => setTimeout(r, 500));
  for (const p of [api, worker]) p.child.kill('SIGTERM');
  await Promise.all(
    [api, worker].map((p) => new Promise((r) => (p.child.exitCode !== null ? r(0) : p.child.once('exit', r)))),
  );
  const logs = [api.output(), worker.output()].join('\n');
  // The search covers what matters: debug lines, and the lines that name people's numbers (masked).
  expect(logs).toContain('"level":20');
  expect(logs).toContain('reconciliation found mismatches');
  expect(logs).toContain('webhook refused');
  expect(logs).toContain(maskPhone(b));

  // What must never be written anywhere.
  const wallets = (
    await stack.runtime.pool.query<{ phone_number: string; hd_index: number }>(
      'SELECT phone_number, hd_index FROM wallets WHERE phone_number = ANY($1)',
      [[a, b, c]],
    )
  ).rows;
  expect(wallets.length).toBeGreaterThanOrEqual(2);
  const root = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(mnemonic), "m/44'/60'/1'/0");
  const seedHex = Mnemonic.fromPhrase(mnemonic).computeSeed();
  const forbidden: Record<string, string> = {
    'wallet seed': mnemonic,
    'wallet seed (hex)': seedHex.slice(2),
    'wallet root key': HDNodeWallet.fromSeed(seedHex).extendedKey,
    'treasury key': HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(mnemonic), "m/44'/60'/2'/0/0").privateKey.slice(2),
    'phone-hash key': createHash('sha256').update(`txtc-bridge phone hash\0${mnemonic}`).digest('hex'),
    'signer key': stack.config.chain.signerPrivateKey.slice(2).toLowerCase(),
    'USSD webhook secret': secrets.ussd,
    'SMS webhook secret': secrets.sms,
    'API key': apiKey,
    ...Object.fromEntries(
      wallets.map((w) => [`wallet key of ${w.phone_number}`, root.deriveChild(w.hd_index).privateKey.slice(2)]),
    ),
  };
  const pins = [PIN, WRONG_PIN].map((p) => new RegExp(`(?<![0-9A-Za-z_.,:-])${p}(?![0-9A-Za-z_.,-])`));

  const findings: string[] = [];
  const search = (where: string, text: string, what: { phones?: boolean; pins?: boolean } = {}) => {
    const lower = text.toLowerCase();
    for (const [name, value] of Object.entries(forbidden))
      if (lower.includes(value.toLowerCase())) findings.push(`${where}: ${name}`);
    if (what.pins !== false)
      for (const pin of pins) {
        const m = pin.exec(text);
        if (m) findings.push(`${where}: PIN in clear (…${text.slice(Math.max(0, m.index - 60), m.index + 10)}…)`);
      }
    if (what.phones)
      for (const number of [a, b, c]) {
        const national = number.slice(4); // the 9 digits after +254
        const at = text.indexOf(national);
        if (at >= 0) findings.push(`${where}: unmasked ${number} (…${text.slice(Math.max(0, at - 80), at + 20)}…)`);
      }
  };

  // The search finds what it looks for: a PIN in a gateway's text and in a YES, the seed, a whole number.
  search('self-check', `{"text":"1*1*${PIN}"} YES ${WRONG_PIN} ${mnemonic} paid by ${a}`, { phones: true });
  expect(findings.map((f) => f.replace(/ \(.*$/, ''))).toEqual([
    'self-check: wallet seed',
    'self-check: PIN in clear',
    'self-check: PIN in clear',
    `self-check: unmasked ${a}`,
  ]);
  findings.length = 0;
  for (const [i, line] of logs.split('\n').entries()) search(`log line ${i}`, line, { phones: true });
  for (const body of responses) search(`response ${body.slice(0, 60)}`, body);
  // PINs in the database: in this run's rows (other test files write rows with PINs of their own).
  const rows = await databaseRows();
  // The search reads every table: the key's own row is there, with its hash.
  expect(rows.filter((r) => r.where === 'api_keys' && r.text.includes(apiKeyHash(apiKey)))).toHaveLength(1);
  for (const { where, text } of rows) {
    const ours = [a, b, c].some((n) => text.includes(n)) || text.includes(sessionId);
    search(`table ${where}`, text, { pins: ours });
  }

  // Every workflow this run's worker ran (the list catches up with the run a moment later).
  const runs: string[] = [];
  await waitFor('the visibility list', async () => {
    runs.length = 0;
    for await (const wf of stack.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
      runs.push(wf.workflowId);
    return moneyIds.every((id) => runs.includes(id));
  });
  for (const id of new Set(runs)) search(`history of ${id}`, await historyText(id));
  expect(await historyText(buy)).toContain(a); // payloads are decoded: a history holds the number, legitimately

  // Every one of them (REST movements, hybrid legs, SMS messages, the USSD session, the chain writer) was started
  // with the product's 5 s workflow task timeout (WORKFLOW_TASK_TIMEOUT), not Temporal's default 10 s.
  const taskTimeouts = new Map<string, number>();
  for (const id of new Set(runs)) {
    if (id === reconciliation) continue; // this test started it itself, above
    const { raw } = await stack.client.workflow.getHandle(id).describe();
    taskTimeouts.set(id.split(':')[0]!, Number(raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds));
  }
  expect([...taskTimeouts.keys()].sort()).toEqual(
    expect.arrayContaining(['chain-writer', 'conversion', 'sms', 'ussd']),
  );
  expect(Object.fromEntries(taskTimeouts)).toEqual(Object.fromEntries([...taskTimeouts.keys()].map((k) => [k, 5])));

  expect(findings).toEqual([]);
});
