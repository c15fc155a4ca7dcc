/**
 * The service graph, built once per process by the worker and by the API: rates, the telco ports
 * (routed per operator), custodial wallets, TXTC and the repositories. Tests pass their own telco or
 * token (to inject faults); everything else is the real thing.
 */
import type { Pool } from 'pg';
import type { JsonRpcProvider } from 'ethers';
import type { Config } from './config';
import type { Logger } from './log';
import type { ChainAddresses } from './runtime';
import type { ChainWriter } from './chain/writer';
import { TxtcToken, type MintingToken, type TransferringToken } from './chain/txtc';
import { RateService } from './rates';
import { BatchWriter } from './chain/batch';
import { WalletDirectory } from './wallets';
import { createTelco, payoutsOf } from './telco/factory';
import { createFloatRepo } from './floats';
import type { MessagingPort, TelcoOperator } from './telco/types';
import { createConversionRepo } from './db/conversions';
import { createWalletRepo } from './db/wallets';
import { createTransferRepo } from './db/transfers';
import { createUssdRepo } from './db/ussd';
import { createSmsRepo } from './db/sms';
import { createVoucherRepo } from './db/vouchers';
import { createSwapRepo } from './db/swaps';
import { createSmsConfirmationRepo } from './db/sms-confirmations';
import { createBlocklistRepo, createHoldRepo } from './db/fraud';
import { createPayerTurnRepo } from './db/payer-turns';
import { createPriceObservationRepo } from './db/price-observations';
import { createTenantApprovalRepo } from './db/tenant-approvals';
import { createApiKeyRepo } from './db/api-keys';
import { createOpsConsoleRepo } from './db/ops-console';
import { instrumentMessaging, instrumentMinting, instrumentTelco, instrumentTransferring } from './metrics';

export interface ServiceDeps {
  config: Config;
  pool: Pool;
  provider: JsonRpcProvider;
  addresses: ChainAddresses;
  /** the signer's one writer (the worker); without it TXTC is read-only */
  writer?: ChainWriter;
  /** defaults: the adapters configuration names, TXTC at addresses.txtc */
  telco?: TelcoOperator;
  messaging?: MessagingPort;
  token?: MintingToken;
  relay?: TransferringToken;
  rates?: RateService;
  /** where real operator adapters log calls that got no answer (never a secret or a full number) */
  log?: Logger;
}

export function createServices(deps: ServiceDeps) {
  const routed = createTelco(deps.config, deps.pool, deps.log);
  const txtc = new TxtcToken(deps.addresses.txtc, deps.provider, deps.writer, deps.addresses.txtcFromBlock);
  return {
    config: deps.config,
    pool: deps.pool,
    provider: deps.provider,
    rates: deps.rates ?? new RateService(deps),
    telco: instrumentTelco(deps.telco ?? routed.airtime),
    /** the float each operator's payouts come from (lib/floats.ts) */
    payouts: payoutsOf(deps.telco ?? routed.airtime),
    floats: createFloatRepo(deps.pool),
    messaging: instrumentMessaging(deps.messaging ?? routed.messaging),
    wallets: new WalletDirectory(createWalletRepo(deps.pool), deps.config.walletMnemonic),
    txtc,
    /** batched chain writes (the signer's key): where the signer's writer is, and batching is on */
    // A test that wraps TXTC (deps.token / deps.relay, to inject node faults) writes through its wrapper: one
    // transaction per write.
    batches:
      deps.writer && deps.config.chain.batching && !deps.token && !deps.relay
        ? new BatchWriter(txtc, deps.config.chain.signerPrivateKey, deps.provider)
        : undefined,
    /** the further signers' batch writers (CHAIN_SIGNER_PRIVATE_KEYS), where batching is on */
    moreBatches:
      deps.writer && deps.config.chain.batching && !deps.token && !deps.relay
        ? deps.config.chain.signerPrivateKeys.map((key) => new BatchWriter(txtc, key, deps.provider))
        : [],
    /** what mints: TXTC itself unless a test wraps it */
    token: instrumentMinting(deps.token ?? txtc, deps.provider),
    /** what relays TXTC transfers: TXTC itself unless a test wraps it */
    relay: instrumentTransferring(deps.relay ?? txtc, deps.provider),
    conversions: createConversionRepo(deps.pool),
    transfers: createTransferRepo(deps.pool),
    ussd: createUssdRepo(deps.pool),
    smsMessages: createSmsRepo(deps.pool),
    vouchers: createVoucherRepo(deps.pool),
    swaps: createSwapRepo(deps.pool),
    smsConfirmations: createSmsConfirmationRepo(deps.pool),
    blocklist: createBlocklistRepo(deps.pool),
    holds: createHoldRepo(deps.pool),
    payerTurns: createPayerTurnRepo(deps.pool),
    priceObservations: createPriceObservationRepo(deps.pool),
    tenantApprovals: createTenantApprovalRepo(deps.pool),
    apiKeys: createApiKeyRepo(deps.pool),
    /** the console's reads, sessions and the audit of every ops action */
    opsConsole: createOpsConsoleRepo(deps.pool),
  };
}

export type Services = ReturnType<typeof createServices>;
