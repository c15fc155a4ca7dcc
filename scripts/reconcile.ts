/**
 * `npm run reconcile -- --since <ISO time | 2h> [--until <ISO time | 10m>]`: reconciles the window now (no
 * worker needed), stores the report like the hourly schedule does, prints it as JSON and exits 1 when it has
 * mismatches. Options: `--phone <number>` (repeatable: only these numbers), `--ignore-prefix <text>` and
 * `--ignore-ref <reference>` (repeatable: movements that are not the product's, e.g. test funding),
 * `--no-store` (print only).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../lib/config';
import { createRuntime } from '../lib/runtime';
import { TxtcToken } from '../lib/chain/txtc';
import { operatorLedger } from '../activities/reconcile';
import { collectAndReconcile, runReconciliation, type ReconcileOptions } from '../lib/reconcile/run';
import { parseWhen } from '../lib/reconcile/window';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      phone: { type: 'string', multiple: true },
      'ignore-prefix': { type: 'string', multiple: true },
      'ignore-ref': { type: 'string', multiple: true },
      'no-store': { type: 'boolean', default: false },
    },
  });
  if (!values.since) {
    process.stderr.write('usage: npm run reconcile -- --since <ISO time | 2h> [--until <ISO time | 10m>]\n');
    return 2;
  }
  const now = new Date();
  const options: ReconcileOptions = {
    window: { since: parseWhen(values.since, now), until: values.until ? parseWhen(values.until, now) : now },
    phones: values.phone,
    ignore: { referencePrefixes: values['ignore-prefix'], references: values['ignore-ref'] },
  };
  const config = loadConfigOrExit();
  const runtime = await createRuntime(config);
  try {
    const deps = {
      pool: runtime.pool,
      txtc: new TxtcToken(runtime.addresses.txtc, runtime.provider, undefined, runtime.addresses.txtcFromBlock),
      firstBlock: runtime.addresses.txtcFromBlock,
      ledger: operatorLedger(config, runtime.pool),
    };
    if (values['no-store']) {
      const report = await collectAndReconcile(deps, options);
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.status === 'clean' ? 0 : 1;
    }
    const run = await runReconciliation(deps, {
      ...options,
      runId: `reconciliation:cli:${now.toISOString()}:${randomUUID().slice(0, 8)}`,
      triggeredBy: 'npm run reconcile',
    });
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return run.status === 'clean' ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`reconcile failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
