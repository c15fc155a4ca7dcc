/** createActivities wires every activity to the service graph; the worker and the tests both call it. */
import type { Logger } from '../lib/log';
import { createServices, type ServiceDeps } from '../lib/services';
import { createSystemActivities } from './system';
import { createTelcoActivities } from './telco';
import { createChainActivities } from './chain';
import { createChainWriterActivities } from './chain-writer';
import { createConversionActivities } from './conversion';
import { createTransferActivities } from './transfers';
import { createUssdActivities } from './ussd';
import { createSmsActivities } from './sms';
import { createSwapActivities } from './swaps';
import { createVoucherActivities } from './vouchers';
import { createReconcileActivities } from './reconcile';
import { createFraudActivities } from './fraud';
import { createPayerTurnActivities } from './payer-turns';
import { createPriceActivities } from './price';
import { createFloatActivities } from './floats';
import { withTypedFailures } from './shared';

export interface ActivityDeps extends ServiceDeps {
  log: Logger;
}

export function createActivities(deps: ActivityDeps) {
  const services = createServices(deps);
  const { log, config } = deps;
  return withTypedFailures({
    ...createSystemActivities(services),
    ...createTelcoActivities({ ...services, log }),
    ...createChainActivities({
      ...services,
      signer: services.txtc,
      receiptTimeoutMs: config.chain.receiptTimeoutMs,
      log,
      batching: services.batches && {
        signer: services.batches.address,
        settings: { ...config.chain.batch, blockTimeMs: config.chain.blockTimeMs },
        more: services.moreBatches.map((b) => b.address),
        minBalanceWei: config.chain.signerMinBalanceWei,
      },
    }),
    ...createChainWriterActivities({
      batches: services.batches,
      moreBatches: services.moreBatches,
      minBalanceWei: BigInt(config.chain.signerMinBalanceWei),
      log,
    }),
    ...createConversionActivities({ ...services, config }),
    ...createTransferActivities({ ...services, config }),
    ...createUssdActivities({ ...services, config }),
    ...createSmsActivities({ ...services, config }),
    ...createSwapActivities({ ...services, config }),
    ...createVoucherActivities({ ...services, config }),
    ...createFraudActivities(services),
    ...createPayerTurnActivities({ ...services, log }),
    ...createPriceActivities(services),
    ...createFloatActivities(services),
    ...createReconcileActivities({ ...services, firstBlock: deps.addresses.txtcFromBlock, log }),
  });
}

export type Activities = ReturnType<typeof createActivities>;
