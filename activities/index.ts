/** createActivities wires every activity to its dependencies; the worker and the tests both call it. */
import type { Pool } from 'pg';
import type { JsonRpcProvider } from 'ethers';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/log';
import type { ChainAddresses } from '../lib/runtime';
import type { ChainWriter } from '../lib/chain/writer';
import type { TelcoOperator } from '../lib/telco/types';
import { createTelco } from '../lib/telco/factory';
import { TxtcToken } from '../lib/chain/txtc';
import { RateService } from '../lib/rates';
import { WalletDirectory } from '../lib/wallets';
import { createConversionRepo } from '../lib/db/conversions';
import { createSystemActivities } from './system';
import { createTelcoActivities } from './telco';
import { createChainActivities, type MintingToken } from './chain';
import { createConversionActivities } from './conversion';

export interface ActivityDeps {
  config: Config;
  pool: Pool;
  provider: JsonRpcProvider;
  writer: ChainWriter;
  addresses: ChainAddresses;
  log: Logger;
  /** defaults: the adapter TELCO_ADAPTER names, TXTC at addresses.txtc through `writer` */
  telco?: TelcoOperator;
  token?: MintingToken;
  rates?: RateService;
}

export function createActivities(deps: ActivityDeps) {
  const telco = deps.telco ?? createTelco(deps.config, deps.pool);
  const token = deps.token ?? new TxtcToken(deps.addresses.txtc, deps.provider, deps.writer, deps.addresses.txtcFromBlock);
  const rates = deps.rates ?? new RateService(deps);
  return {
    ...createSystemActivities(deps),
    ...createTelcoActivities({ telco, log: deps.log }),
    ...createChainActivities({
      token,
      wallets: new WalletDirectory(deps.pool, deps.config.walletMnemonic),
      receiptTimeoutMs: deps.config.chain.receiptTimeoutMs,
      log: deps.log,
    }),
    ...createConversionActivities({ rates, conversions: createConversionRepo(deps.pool), config: deps.config }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
