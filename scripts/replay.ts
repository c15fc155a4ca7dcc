/**
 * `npm run replay -- DIR`: replays recorded workflow histories against today's workflow code and exits non-zero
 * if one does not replay: the check to run before a change to workflows/ is deployed over workflows in flight
 * (a command added, dropped or reordered fails their next task). DIR holds one file per history, named by the
 * workflow id URI-encoded: `<id>.history`, a History proto in binary (`History.encode(await
 * handle.fetchHistory())`), or `<id>.json` as `temporal workflow show --output json` writes it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { cachedWorkflowBundle } from '../workers/bundle';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npm run replay -- DIR (recorded histories)');
  const files = readdirSync(dir).filter((f) => f.endsWith('.history') || f.endsWith('.json'));
  const histories = files.map((f) => {
    const bytes = readFileSync(join(dir, f));
    const history = f.endsWith('.history')
      ? temporal.api.history.v1.History.decode(bytes)
      : // The worker reads the JSON form itself (string event ids).
        (JSON.parse(bytes.toString('utf8')) as unknown);
    // The file is named by its workflow id, URI-encoded (a workflow may derive its children's ids from it).
    return { workflowId: decodeURIComponent(f.replace(/\.(history|json)$/, '')), history };
  });
  const workflowBundle = await cachedWorkflowBundle(join('data', 'cache'));
  let replayed = 0;
  const failed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    replayed += 1;
    if (result.error) failed.push(`${result.workflowId}: ${result.error.message.split('\n')[0]}`);
  }
  const report = { histories: files.length, replayed, failed: failed.length, failures: failed.slice(0, 20) };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(failed.length === 0 ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`replay failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
