/**
 * Real operator adapters picked by configuration alone, end to end on the real stack: a Ugandan MTN number
 * converts airtime through MTN MoMo (request-to-pay, approved on the phone, against the local MoMo) with every
 * SMS sent through Africa's Talking (against the local AT), while a Safaricom number's conversion at the same
 * time is served by the simulated operator. Each debit happens once, at its own operator; each mint once.
 */
import { randomInt } from 'node:crypto';
import { parseUnits } from 'ethers';
import { conversionWorkflow } from '../../workflows';
import { conversionWorkflowId, stepReference, type ConversionState } from '../../lib/definitions';
import { createActivities } from '../../activities';
import { TxtcToken } from '../../lib/chain/txtc';
import { openStack, testLog, uniqueId, withWorker, type TestStackHandle } from '../support/stack';
import { newSafaricomNumber, telcoOperations, topUp } from '../support/money';
import { MomoServer } from '../support/protocol/momo-server';
import { AfricasTalkingServer } from '../support/protocol/africastalking-server';

const credentials = {
  collection: { subscriptionKey: 'coll-sub-key', apiUser: 'coll-user', apiKey: 'coll-api-key' },
  disbursement: { subscriptionKey: 'disb-sub-key', apiUser: 'disb-user', apiKey: 'disb-api-key' },
};

let stack: TestStackHandle;
let momo: MomoServer;
let at: AfricasTalkingServer;
beforeAll(async () => {
  momo = await new MomoServer({ currency: 'UGX', digits: 0, targetEnvironment: 'mtnuganda', ...credentials }).start();
  at = await new AfricasTalkingServer({ senderIds: ['TXTC'] }).start();
  // Only configuration: which adapter serves which operator, and which sends the SMS.
  stack = await openStack({
    TELCO_ADAPTER: 'simulated',
    TELCO_OPERATOR_ADAPTERS: 'mtn-ug=momo',
    SMS_ADAPTER: 'africastalking',
    ...at.env(),
    AT_SENDER_ID: 'TXTC',
    MOMO_BASE_URL: momo.url,
    MOMO_TARGET_ENVIRONMENT: 'mtnuganda',
    MOMO_CURRENCY: 'UGX',
    MOMO_COLLECTION_KEY: credentials.collection.subscriptionKey,
    MOMO_API_USER: credentials.collection.apiUser,
    MOMO_API_KEY: credentials.collection.apiKey,
    MOMO_DISBURSEMENT_KEY: credentials.disbursement.subscriptionKey,
    MOMO_DISBURSEMENT_API_USER: credentials.disbursement.apiUser,
    MOMO_DISBURSEMENT_API_KEY: credentials.disbursement.apiKey,
  });
});
afterAll(async () => {
  await stack?.close();
  await at?.stop();
  await momo?.stop();
});

test('MoMo debits the MTN number, Africa’s Talking sends the SMS, the simulated operator serves Safaricom meanwhile', async () => {
  const mtn = `+25677${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  momo.payer(mtn, { balanceMinor: 10_000_000n, approval: { afterPolls: 2 } });
  const safaricom = newSafaricomNumber();
  await topUp(stack.runtime.pool, safaricom, 'safaricom-ke', 300000n);

  const [viaMomo, viaSimulated] = await withWorker(
    stack,
    createActivities({ ...stack.runtime, log: testLog }),
    (taskQueue): Promise<ConversionState[]> => {
      const convert = (phoneNumber: string, operator: string) =>
        stack.client.workflow.execute(conversionWorkflow, {
          taskQueue,
          workflowId: conversionWorkflowId('api', uniqueId('operators')),
          args: [{ channel: 'api', phoneNumber, operator, usdCents: '500' }],
        });
      return Promise.all([convert(mtn, 'mtn-ug'), convert(safaricom, 'safaricom-ke')]);
    },
  );

  expect([viaMomo!.status, viaSimulated!.status]).toEqual(['completed', 'completed']);
  // MoMo: one collection of the quoted airtime, under the debit's reference; nothing at the simulated operator.
  // Worked by hand from the seeded rate: $5.00 at UGX 3,700 per USD = UGX 18,500 (no minor digits) = 18500 minor.
  const debited = 18500n;
  expect(BigInt(viaMomo!.quote!.airtimeAmountMinor)).toBe(debited);
  expect(momo.movementsOf(mtn)).toEqual([expect.objectContaining({ product: 'collection', amountMinor: debited })]);
  expect(momo.balance(mtn)).toBe(10_000_000n - debited);
  expect(await telcoOperations(stack.runtime.pool, mtn)).toEqual([]);
  // The simulated operator: one debit of the Safaricom number, nothing at MoMo.
  expect(await telcoOperations(stack.runtime.pool, safaricom)).toEqual([
    expect.objectContaining({
      reference: stepReference(viaSimulated!.id, 'debit'),
      kind: 'debit',
      status: 'committed',
    }),
  ]);
  expect(momo.movementsOf(safaricom)).toEqual([]);
  // Every SMS went out through Africa's Talking, from the sender id: the approval request, then each receipt.
  const to = (phone: string) => at.sms.filter((m) => m.to === phone).map((m) => m.message);
  expect(to(mtn)).toEqual([
    expect.stringMatching(/^Approve the payment of UGX /),
    expect.stringMatching(/^You bought /),
  ]);
  expect(to(safaricom)).toEqual([expect.stringMatching(/^You bought /)]);
  expect(new Set(at.sms.map((m) => m.from))).toEqual(new Set(['TXTC']));
  // One mint each.
  const token = new TxtcToken(stack.runtime.addresses.txtc, stack.runtime.provider);
  for (const state of [viaMomo!, viaSimulated!]) {
    expect((await token.findMint(stepReference(state.id, 'mint')))?.txHash).toBe(state.txHash);
    expect(await token.balanceOf(state.walletAddress!)).toBe(parseUnits('490', 18));
  }
});
