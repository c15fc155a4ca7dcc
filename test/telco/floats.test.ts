/**
 * The float (issue 24): every operator's payout balance is read on a schedule (floatReadingWorkflow) into
 * operator_floats and shown on /metrics; an airtime payout the float cannot cover is refused before any
 * debit. Here Safaricom numbers are served by the simulated operator and Airtel Kenya's airtime is sent by
 * Africa's Talking (the local AT, whose application balance is the float).
 */
import { randomInt } from 'node:crypto';
import { airtimeTransferWorkflow, floatReadingWorkflow } from '../../workflows';
import { transferWorkflowId } from '../../lib/definitions';
import { createActivities } from '../../activities';
import { createRecordMetrics } from '../../lib/record-metrics';
import { openStack, testLog, uniqueId, withWorker, type TestStackHandle } from '../support/stack';
import { airtimeBalance, newSafaricomNumber, telcoOperations, topUp } from '../support/money';
import { AfricasTalkingServer } from '../support/protocol/africastalking-server';

let stack: TestStackHandle;
let at: AfricasTalkingServer;
beforeAll(async () => {
  // KES 300.00 at AT: what Airtel Kenya's airtime payouts are paid from.
  at = await new AfricasTalkingServer({ accountMinor: { KES: 30_000n } }).start();
  stack = await openStack({
    TELCO_ADAPTER: 'simulated',
    TELCO_OPERATOR_ADAPTERS: 'airtel-ke=africastalking',
    ...at.env(),
  });
});
afterAll(async () => {
  // The run's database is shared: this test's KES 300.00 reading must not refuse another file's AT payouts.
  await stack?.runtime.pool.query("DELETE FROM operator_floats WHERE adapter = 'africastalking'");
  await stack?.close();
  await at?.stop();
});

const airtelNumber = () => `+254733${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;

test('the schedule’s workflow reads the float; a payout it cannot cover is refused before any debit', async () => {
  const [from, to] = [newSafaricomNumber(), airtelNumber()];
  await topUp(stack.runtime.pool, from, 'safaricom-ke', 500_000n);
  const result = await withWorker(stack, createActivities({ ...stack.runtime, log: testLog }), async (taskQueue) => {
    const read = await stack.client.workflow.execute(floatReadingWorkflow, {
      taskQueue,
      workflowId: uniqueId('float-reading'),
    });
    expect(read).toEqual({ read: ['africastalking'], failed: [] });
    // KES 500.00 to an Airtel number: AT's KES 300.00 cannot pay it.
    return stack.client.workflow
      .execute(airtimeTransferWorkflow, {
        taskQueue,
        workflowId: transferWorkflowId('api', uniqueId('float')),
        args: [
          {
            channel: 'api',
            kind: 'airtime',
            fromPhone: from,
            fromOperator: 'safaricom-ke',
            toPhone: to,
            toOperator: 'airtel-ke',
            amountMinor: '50000',
          },
        ],
      })
      .catch((e: unknown) => e);
  });
  expect(result).toMatchObject({ cause: { type: 'PayoutUnavailable' } });
  expect(String((result as { cause: Error }).cause.message)).toMatch(/cannot pay out this amount right now/);
  // Nothing moved: no debit at the simulated operator, no airtime sent by AT.
  expect(await telcoOperations(stack.runtime.pool, from)).toEqual([]);
  expect(await airtimeBalance(stack.runtime.pool, from)).toBe(500_000n);
  expect(at.airtime.filter((e) => e.phoneNumber === to)).toEqual([]);

  // /metrics: the float as read, in minor units.
  const metrics = await createRecordMetrics({ pool: stack.runtime.pool, cacheTtlMs: 0 }).metrics();
  expect(metrics).toMatch(
    /txtc_operator_float_minor\{adapter="africastalking",account="application",currency="KES"\} 30000\b/,
  );
  expect(metrics).toMatch(/txtc_operator_float_age_seconds\{adapter="africastalking",account="application"\} \d/);
});
