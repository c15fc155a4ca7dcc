/**
 * A price nobody can push (issue 23). On main c3d9141 TXTC per USD was the pair's spot reserves: dump TXTC
 * into the pair, buy at the pushed rate, restore the pool, swap back. Now the spot is quoted only while it
 * agrees with the pair's own time-weighted average (observations the price schedule records): pushed tenfold
 * in one block, no conversion is paid at the pushed rate; it is refused PriceUnavailable with nothing moved.
 * On its own deployment of TXTC and the pair, so no other test's prices move.
 */
import { Contract, Interface, parseUnits, type InterfaceAbi } from 'ethers';
import { createApp } from '../../api/app';
import { createActivities } from '../../activities';
import { ChainWriter } from '../../lib/chain/writer';
import { loadArtifact } from '../../lib/chain/artifacts';
import { chainReference } from '../../lib/chain/txtc';
import { LOCAL_DEV_SIGNER_KEY } from '../../lib/config';
import { PriceUnavailableError, RateService } from '../../lib/rates';
import { createPriceActivities } from '../../activities/price';
import { createPriceObservationRepo } from '../../lib/db/price-observations';
import { deployAll } from '../../scripts/local/deploy';
import type { Deployment } from '../../lib/chain/deployment';
import { openStack, withWorker, testLog, uniqueId, type TestStackHandle } from '../support/stack';
import { airtimeBalance, newSafaricomNumber, telcoOperations, topUp } from '../support/money';

let stack: TestStackHandle;
let deployment: Deployment;
beforeAll(async () => {
  stack = await openStack({ RATES_CACHE_TTL_MS: '0' });
  deployment = await deployAll(new ChainWriter(LOCAL_DEV_SIGNER_KEY, stack.runtime.provider));
});
afterAll(async () => {
  await stack.close();
});

const addresses = () => ({
  txtc: deployment.txtc,
  txtcFromBlock: deployment.txtcBlock,
  ratePair: deployment.ratePair,
});
const rates = () => new RateService({ ...stack.runtime, addresses: addresses() });

/** The schedule's minute, compressed: one observation, then the chain moves on `seconds` and mines. */
async function observeThenWait(seconds: number): Promise<void> {
  await createPriceActivities({
    rates: rates(),
    priceObservations: createPriceObservationRepo(stack.runtime.pool),
  }).recordPriceObservation();
  await stack.runtime.provider.send('evm_increaseTime', [seconds]);
  await stack.runtime.provider.send('evm_mine', []);
}

/** The attack's first step: nine times the pair's TXTC dumped into it and synced, in one block. */
async function pushTenfold(): Promise<void> {
  const writer = new ChainWriter(LOCAL_DEV_SIGNER_KEY, stack.runtime.provider);
  const txtcAbi = loadArtifact('Txtc').abi as InterfaceAbi;
  const dump = parseUnits('900000000', 18);
  const mint = new Interface(txtcAbi).encodeFunctionData('mint', [
    deployment.ratePair,
    dump,
    chainReference(`push:${deployment.ratePair}`),
  ]);
  await (await writer.send({ to: deployment.txtc, data: mint })).wait();
  const sync = new Interface(['function sync()']).encodeFunctionData('sync', []);
  await (await writer.send({ to: deployment.ratePair, data: sync })).wait();
}

test('observed for a while, the steady pool quotes; pushed tenfold in one block, it is refused and no buy is paid at it', async () => {
  await observeThenWait(120);
  await observeThenWait(120);
  const steady = await rates().txtcRate();
  expect(steady.numerator / steady.denominator).toBe(100n * 10n ** 18n);

  await pushTenfold();
  const pair = new Contract(
    deployment.ratePair,
    ['function getReserves() view returns (uint112, uint112, uint32)'],
    stack.runtime.provider,
  );
  const [r0, r1] = (await pair.getFunction('getReserves')()) as [bigint, bigint];
  // The spot is now ten times the TXTC per USD...
  expect((r0 > r1 ? r0 * 10n ** 6n : r1 * 10n ** 6n) / (r0 > r1 ? r1 : r0)).toBe(1000n * 10n ** 18n);
  // ...and refused.
  await expect(rates().txtcRate()).rejects.toBeInstanceOf(PriceUnavailableError);

  // A buy through the API at that moment: 503 or a refused conversion, nothing debited, nothing minted.
  const phone = newSafaricomNumber();
  await topUp(stack.runtime.pool, phone, 'safaricom-ke', 200000n);
  await withWorker(
    stack,
    createActivities({ ...stack.runtime, addresses: addresses(), log: testLog }),
    async (taskQueue) => {
      const app = createApp({
        ...stack.runtime,
        addresses: addresses(),
        config: { ...stack.config, temporal: { ...stack.config.temporal, taskQueue } },
        temporal: stack.client,
        log: testLog,
      });
      const quote = await app.request('/api/airtime/rates?operator=safaricom-ke');
      expect(quote.status).toBe(503);
      expect(quote.headers.get('retry-after')).toBe('120');
      expect(await quote.json()).toMatchObject({ error: { code: 'PriceUnavailable' } });
      const res = await app.request('/api/airtime/buy', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': uniqueId('pushed') },
        body: JSON.stringify({ phoneNumber: phone, airtimeAmount: '645' }),
      });
      if (res.status === 202) {
        const { id } = (await res.json()) as { id: string };
        const failure = await stack.client.workflow
          .getHandle(id)
          .result()
          .then(
            () => 'completed',
            (e: { cause?: { type?: string } }) => e.cause?.type,
          );
        expect(failure).toBe('PriceUnavailable');
      } else {
        expect(res.status).toBe(503);
      }
    },
  );
  expect(await telcoOperations(stack.runtime.pool, phone)).toEqual([]);
  expect(await airtimeBalance(stack.runtime.pool, phone)).toBe(200000n);
});
