/** What tests of ops actions share: the temporal CLI as ops run it, visibility queries, a workflow's failure type. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { readStack } from './stack-file';

const execFileAsync = promisify(execFile);

/**
 * The temporal CLI against the test's server, as ops run it; its standard output. Asynchronous: the worker
 * runs in the test's process, and a blocked event loop could not answer the update the CLI waits for.
 */
export async function temporalCli(cli: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(
    cli,
    [...args, '--address', readStack().temporalAddress, '--namespace', 'default'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return stdout;
}

/** The workflow ids a visibility query finds, polled until `expected` are there: the dev server's visibility lags. */
export async function visibleWorkflowIds(
  client: Client,
  query: string,
  expected: string[],
  timeoutMs = 20_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
    if (expected.every((id) => ids.includes(id)) || Date.now() > deadline) return ids;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The failure type a workflow ended with (it must have failed). */
export async function failureType(result: Promise<unknown>): Promise<string | undefined> {
  const err = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return ((err as WorkflowFailedError).cause as ApplicationFailure).type ?? undefined;
}
