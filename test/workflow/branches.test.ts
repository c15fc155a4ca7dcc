/**
 * Workflow branches with stub activities (the workflow tier): a consent wait that expires or is refused, and
 * a USSD session that ends idle, each on the dev server alone with timeouts of seconds. What the workflow
 * asked of its activities, in order, is the evidence: nothing may be debited on a refused or expired consent.
 */
import { conversionWorkflow } from '../../workflows';
import {
  conversionWorkflowId,
  smsConfirmationSignal,
  ussdWorkflowId,
  type ConversionInput,
} from '../../lib/definitions';
import { dialUssd, preparedConversion, profile, stubActivities, until, withStubWorker } from './support';

/** The stubs a conversion needs until it waits for the payer (and what it records meanwhile). */
const consentStubs = (updates: unknown[]) => ({
  prepareConversion: () => preparedConversion(),
  smsSender: () => ({
    currency: 'KES',
    minorDigits: 2,
    shortcode: '*123*456#',
    pin: 'set',
    confirmAboveUsdCents: '2000',
    confirmTimeoutSeconds: 300,
  }),
  openConsent: () => true,
  closeSmsConfirmation: () => undefined,
  updateConversion: (_id: string, update: unknown) => void updates.push(update),
  sendSms: () => ({ parts: 1 }),
  takePayerTurn: () => ({ taken: true }),
  givePayerTurn: () => undefined,
});

const MONEY = ['debitAirtime', 'creditAirtime', 'transferAirtime', 'mintTxtc', 'submitMint', 'sendTxtc', 'recordDebit'];

const buy = (timeoutSeconds: number): ConversionInput => ({
  channel: 'api',
  phoneNumber: '+254712345678',
  operator: 'safaricom-ke',
  airtimeAmountMinor: '129000',
  consent: { timeoutSeconds, requester: 'acme-till', tenant: 'acme' },
});

test('a consent nobody answers expires: ConsentExpired, the SMS said so, and no money activity ran', async () => {
  const updates: unknown[] = [];
  const stubs = stubActivities(consentStubs(updates));
  const id = conversionWorkflowId('api', `tier-${Date.now()}-expire`);
  const failure = await withStubWorker(stubs.activities, (client, taskQueue) =>
    client.workflow.execute(conversionWorkflow, { taskQueue, workflowId: id, args: [buy(2)] }).catch((e: unknown) => e),
  );
  expect(failure).toMatchObject({ cause: { type: 'ConsentExpired' } });
  expect(stubs.calls.filter((c) => MONEY.includes(c.name))).toEqual([]);
  expect(stubs.called('closeSmsConfirmation')).toEqual([[{ workflowId: id, outcome: 'expired' }]]);
  expect(updates).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ stage: 'awaiting_payer' }),
      expect.objectContaining({ stage: 'rejected', status: 'failed' }),
    ]),
  );
  const texts = stubs.called('sendSms').map((args) => String(args[1]));
  expect(texts[0]).toMatch(/asked by acme-till/);
  expect(texts.length).toBeGreaterThanOrEqual(2); // the ask, then the refusal
});

test('NO ends it ConsentRefused at once, nothing moved; the tenant is not approved', async () => {
  const updates: unknown[] = [];
  const stubs = stubActivities({ ...consentStubs(updates), approveTenant: () => undefined });
  const id = conversionWorkflowId('api', `tier-${Date.now()}-refuse`);
  const failure = await withStubWorker(stubs.activities, async (client, taskQueue) => {
    const handle = await client.workflow.start(conversionWorkflow, { taskQueue, workflowId: id, args: [buy(60)] });
    await until(() => stubs.called('openConsent').length > 0);
    await handle.signal(smsConfirmationSignal, { messageId: 'sms-1', decision: 'decline' });
    return handle.result().catch((e: unknown) => e);
  });
  // Refused, not expired: the NO ended it (the wait was 60 s).
  expect(failure).toMatchObject({ cause: { type: 'ConsentRefused' } });
  expect(stubs.calls.filter((c) => MONEY.includes(c.name))).toEqual([]);
  expect(stubs.called('approveTenant')).toEqual([]);
  expect(stubs.called('closeSmsConfirmation')).toEqual([[{ workflowId: id, outcome: 'declined' }]]);
});

test('a USSD session left without input ends idle: its state is saved once, nothing to resume from the menu', async () => {
  const stubs = stubActivities({ endUssdSession: () => undefined });
  const sessionId = `ATUid_tier_${Date.now()}`;
  const workflowId = ussdWorkflowId(sessionId);
  const { screen, state } = await withStubWorker(stubs.activities, async (client, taskQueue) => {
    const screen = await dialUssd(client, taskQueue, sessionId, { timeoutSeconds: 60, idleSeconds: 1 });
    return { screen, state: await client.workflow.getHandle(workflowId).result() };
  });
  // The first screen in the person's language, from the start the API passed (no lookup activity).
  expect(screen).toMatch(/^CON 1 Nunua TXTC/);
  expect(stubs.called('loadUssdSession')).toEqual([]);
  expect(state).toMatchObject({ phase: 'ended', endReason: 'idle', hops: 1 });
  expect(stubs.called('endUssdSession')).toEqual([
    [{ sessionId, phoneNumber: profile.phoneNumber, workflowId, resumable: null }],
  ]);
});
