/**
 * The workflow tier's tools: the real workflows on the Temporal dev server with stub activities (no Postgres,
 * no chain, no operator), as the Temporal samples test a workflow's logic. Every activity the worker offers is
 * a recorder: a stubbed one answers as the test says, any other fails at once (`NotStubbed`, never retried),
 * so a branch that reaches an activity the test did not expect says which.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowIdConflictPolicy } from '@temporalio/common';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { loadConfig, type Config } from '../../lib/config';
import { createPool } from '../../lib/db/pool';
import { createProvider } from '../../lib/chain/provider';
import { createLogger } from '../../lib/log';
import { createBridgeWorker } from '../../workers/worker';
import { quoteWithRates } from '../../lib/money/conversion';
import { toWire } from '../../lib/money/wire';
import { limitsWire } from '../../activities/shared';
import { hopUpdate, ussdWorkflowId, type FraudVerdict } from '../../lib/definitions';
import { ussdSessionWorkflow } from '../../workflows';
import type { Profile } from '../../lib/ussd/types';
import { workflowBundle } from '../support/stack';

/** The configuration the stubs answer from (local defaults; nothing is connected). */
export const config: Config = loadConfig({ APP_ENV: 'local', LOG_LEVEL: 'silent' });

const KES = { operator: 'safaricom-ke', currency: 'KES', minorDigits: 2, minorUnitsPerUsd: 12900n, operatorFeeBps: 0n };
const TXTC = { numerator: 100n * 10n ** 18n, denominator: 1n, source: 'fixed' };

/**
 * What prepareConversion answers for KES 1,290.00 (USD 10), worked out by the product's own pure quote, with
 * the fraud rules' verdict when one is given (none: allowed).
 */
export const preparedConversion = (fraud?: FraudVerdict) => ({
  quote: toWire(quoteWithRates(129_000n, KES, TXTC, config.fees)),
  limits: limitsWire(config.limits, 0n),
  phoneHash: 'ab'.repeat(16),
  ...(fraud ? { fraud } : {}),
});

/** A registered Kenyan number's USSD profile, as the API passes it to a session's first hop. */
export const profile: Profile = {
  phoneNumber: '+254712345678',
  operator: 'safaricom-ke',
  currency: 'KES',
  minorDigits: 2,
  language: 'sw',
  registered: true,
  pinResetRequired: false,
  pinLocked: false,
  minAirtimeMinor: '12900',
  maxAirtimeMinor: '1290000',
  shortcode: '*123*456#',
};

let names: string[] | undefined;
/** The worker's activity names, from the real factory over deps that never connect. */
function activityNames(): string[] {
  if (!names) {
    const pool = createPool('postgres://nobody@127.0.0.1:1/none');
    const provider = createProvider('http://127.0.0.1:1');
    const real = createActivities({
      config,
      pool,
      provider,
      addresses: { txtc: `0x${'1'.repeat(40)}`, txtcFromBlock: 0, ratePair: undefined },
      log: createLogger('silent', 'workflow-tier'),
    });
    names = Object.keys(real);
    provider.destroy();
    void pool.end();
  }
  return names;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stubs take what the workflow passes
type Stub = (...args: any[]) => unknown;

export interface Recorder {
  activities: Record<string, Stub>;
  calls: { name: string; args: unknown[] }[];
  called(name: string): unknown[][];
}

export function stubActivities(stubs: Record<string, Stub>): Recorder {
  const calls: Recorder['calls'] = [];
  const activities = Object.fromEntries(
    activityNames().map((name) => [
      name,
      async (...args: unknown[]) => {
        calls.push({ name, args });
        const stub = stubs[name];
        if (!stub) throw ApplicationFailure.nonRetryable(`activity ${name} is not stubbed`, 'NotStubbed');
        return stub(...args);
      },
    ]),
  );
  return { activities, calls, called: (name) => calls.filter((c) => c.name === name).map((c) => c.args) };
}

/** A worker with `activities` on a task queue of its own, on the tier's dev server, while `fn` runs. */
export async function withStubWorker<T>(
  activities: Record<string, Stub>,
  fn: (client: Client, taskQueue: string) => Promise<T>,
): Promise<T> {
  const address = process.env.TXTC_WORKFLOW_TEMPORAL;
  if (!address) throw new Error('the workflow tier runs under its global setup (jest --selectProjects workflow)');
  const taskQueue = `workflow-tier-${randomUUID()}`;
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const worker = await createBridgeWorker({
      connection: native,
      namespace: 'default',
      taskQueue,
      // every name the worker offers is there: the recorder made one per real activity
      activities: activities as unknown as Activities,
      workflowBundle: await workflowBundle(),
    });
    return await worker.runUntil(fn(new Client({ connection, namespace: 'default' }), taskQueue));
  } finally {
    await connection.close();
    await native.close();
  }
}

/** Waits until `done` holds, checking every 50 ms, for at most `ms`. */
export async function until(done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('the condition never held');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Dials `profile`'s USSD session as the API does: the first hop (seq 0) starts the session's workflow with the
 * given whole-session and idle limits and the profile the API read. The first screen.
 */
export async function dialUssd(
  client: Client,
  taskQueue: string,
  sessionId: string,
  limits: { timeoutSeconds: number; idleSeconds: number },
): Promise<string> {
  const reply = await client.workflow.executeUpdateWithStart(hopUpdate, {
    args: [{ seq: 0, input: { text: '' }, phoneNumber: profile.phoneNumber }],
    updateId: `${sessionId}:0`,
    startWorkflowOperation: new WithStartWorkflowOperation(ussdSessionWorkflow, {
      workflowId: ussdWorkflowId(sessionId),
      taskQueue,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [
        {
          sessionId,
          phoneNumber: profile.phoneNumber,
          operator: profile.operator,
          ...limits,
          resumeWindowSeconds: 120,
          start: { profile },
        },
      ],
    }),
  });
  return reply.text;
}
