import { TelcoRouter, createTelco } from '../../../lib/telco/factory';
import { SimulatedOperator } from '../../../lib/telco/simulated';
import { loadConfig as loadConfigOf } from '../../../lib/config';
import type { MovementLookup, TelcoOperator } from '../../../lib/telco/types';

/** The configuration as an environment gives it; these tests mean local mode unless they say production
 * (which needs its webhook allowlist). */
const loadConfig = (env: NodeJS.ProcessEnv = {}) =>
  loadConfigOf({
    APP_ENV: 'local',
    ...(env.APP_ENV === 'production'
      ? { WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8', PIN_PEPPER: 'a-production-pepper-0123456789' }
      : {}),
    ...env,
  });

/** An adapter that records which calls reached it. */
function recording(name: string, calls: string[], withTransfer = false): TelcoOperator {
  const result = { reference: 'r', status: 'committed' as const };
  return {
    name,
    checkBalance: (phoneNumber, operator) => {
      calls.push(`${name}:balance:${operator}`);
      return Promise.resolve({ phoneNumber, operator, currency: 'KES', balanceMinor: 0n });
    },
    debit: (m) => (calls.push(`${name}:debit:${m.operator}`), Promise.resolve(result)),
    credit: (m) => (calls.push(`${name}:credit:${m.operator}`), Promise.resolve(result)),
    status: (l: MovementLookup) => (calls.push(`${name}:status:${l.operator}:${l.kind}`), Promise.resolve(undefined)),
    ...(withTransfer
      ? { transfer: (t) => (calls.push(`${name}:transfer:${t.operator}`), Promise.resolve(result)) }
      : {}),
  };
}

test('the router sends each call to the adapter configured for its operator, the default otherwise', async () => {
  const calls: string[] = [];
  const router = new TelcoRouter(new Map([['mtn-ug', recording('momo', calls, true)]]), recording('default', calls));
  const movement = { phoneNumber: '+256772123456', operator: 'mtn-ug', amountMinor: 1n, reference: 'r' };
  await router.debit(movement);
  await router.credit({ ...movement, operator: 'safaricom-ke' });
  await router.status({ reference: 'r', operator: 'mtn-ug', kind: 'debit' });
  await router.checkBalance('+254712345678', 'safaricom-ke');
  expect(calls).toEqual([
    'momo:debit:mtn-ug',
    'default:credit:safaricom-ke',
    'momo:status:mtn-ug:debit',
    'default:balance:safaricom-ke',
  ]);
  expect(router.supportsTransfer('mtn-ug')).toBe(true);
  expect(router.supportsTransfer('safaricom-ke')).toBe(false);
  expect(() =>
    router.transfer({ fromPhone: 'a', toPhone: 'b', operator: 'safaricom-ke', amountMinor: 1n, reference: 'r' }),
  ).toThrow(/no transfer/);
});

test('configuration picks the adapters: the simulated operator by default, for airtime and for SMS', () => {
  const config = loadConfig({ TELCO_OPERATOR_ADAPTERS: 'mtn-ug=simulated, airtel-ke=simulated' });
  expect(config.telco.operatorAdapters).toEqual({ 'mtn-ug': 'simulated', 'airtel-ke': 'simulated' });
  const { airtime, messaging } = createTelco(config, {} as never);
  expect(airtime.adapterFor('mtn-ug')).toBeInstanceOf(SimulatedOperator);
  expect(airtime.adapterFor('glo-ng')).toBeInstanceOf(SimulatedOperator);
  expect(messaging).toBeInstanceOf(SimulatedOperator);
  expect(() => loadConfig({ TELCO_OPERATOR_ADAPTERS: 'mtn-ug=mpesa' })).toThrow(
    /TELCO_OPERATOR_ADAPTERS.*unknown adapter "mpesa"/,
  );
});
