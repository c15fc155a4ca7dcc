/** The chain: the node, the signer that mints and relays, batched writes, the contracts, the wallets' seed. */
import { z } from 'zod';
import { bool, httpUrl, int, nonNegativeInt } from './kinds';
import { secret, variable, type Read } from './variable';

/** Hardhat's first well-known development account: public knowledge, never valid outside local mode. */
export const LOCAL_DEV_SIGNER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
/** Development-only seed for custodial wallets; production must set WALLET_MNEMONIC. */
export const LOCAL_DEV_WALLET_MNEMONIC = 'rude shadow pair churn service mammal border infant quiz neglect success sad';

const contractAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed address')
  .optional();

export const chainVariables = {
  rpcUrl: secret('CHAIN_RPC_URL', httpUrl.default('http://127.0.0.1:8545')),
  startLocal: variable('START_LOCAL_CHAIN', bool.default(true)),
  blockTimeMs: variable('CHAIN_BLOCK_TIME_MS', nonNegativeInt.default(0)),
  signerPrivateKey: secret(
    'CHAIN_SIGNER_PRIVATE_KEY',
    z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex key')
      .optional(),
  ),
  /**
   * further signers for batched writes (comma-separated keys): each has its own chain writer and nonces, and
   * entries go to one by their reference (lib/definitions/signers.ts). Each needs the minter and relayer roles.
   */
  signerPrivateKeys: secret(
    'CHAIN_SIGNER_PRIVATE_KEYS',
    z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}(,0x[0-9a-fA-F]{64})*$/, 'must be comma-separated 0x-prefixed 32-byte hex keys')
      .optional(),
  ),
  /** a signer whose balance (wei) is below this is out of gas: its writer hands its new entries to another */
  signerMinBalanceWei: variable(
    'CHAIN_SIGNER_MIN_BALANCE_WEI',
    z
      .string()
      .regex(/^\d{1,30}$/, 'must be a whole number of wei')
      .default('10000000000000000'),
  ),
  receiptTimeoutMs: variable('CHAIN_RECEIPT_TIMEOUT_MS', nonNegativeInt.default(60000)),
  /** mints and relayed sends written in batches by the chain writer workflow (off: one transaction each) */
  batching: variable('CHAIN_BATCHING', bool.default(true)),
  batch: {
    /**
     * entries per batch transaction. With timed blocks it bounds throughput: one batch per block, so 300 entries
     * on 12 s blocks is 25 conversions/s (100 was 8.3/s, under bench:conversion's 20/s). A mint entry costs about
     * 38k gas (bench:conversion), so 300 mints are about 11.5M, 14M with the writer's 1.2x margin; a relayed send
     * costs more (its signature check). Keep entries x gas under the chain's block gas limit (30M on local nodes,
     * 60M on Sepolia).
     */
    maxEntries: variable('CHAIN_BATCH_MAX_ENTRIES', int(1, 500).default(300)),
    delayMs: variable('CHAIN_BATCH_DELAY_MS', nonNegativeInt.default(200)),
    /** a batch transaction unmined this long is replaced with a higher fee (default: 3 blocks, at least 30 s) */
    stuckAfterMs: variable('CHAIN_BATCH_STUCK_MS', nonNegativeInt.optional()),
  },
  txtcAddress: variable('TXTC_ADDRESS', contractAddress),
  /** first block to search for TXTC events when TXTC_ADDRESS is given */
  txtcDeployBlock: variable('TXTC_DEPLOY_BLOCK', nonNegativeInt.default(0)),
  ratePairAddress: variable('RATE_PAIR_ADDRESS', contractAddress),
  walletMnemonic: secret('WALLET_MNEMONIC', z.string().optional()),
};

/** The mnemonic as compared: words separated by single spaces. */
export const mnemonicWords = (mnemonic: string) => mnemonic.trim().split(/\s+/);

/**
 * `signs` false (the API, which only reads): no signer key and no wallet seed, whatever the environment
 * holds; '' for both. Otherwise the local development ones unless set (production refuses them unset).
 */
export function chainConfig(
  { walletMnemonic, signerPrivateKey, signerPrivateKeys, batch, ...chain }: Read<typeof chainVariables>,
  signs: boolean,
) {
  return {
    chain: {
      ...chain,
      signerPrivateKey: signs ? (signerPrivateKey ?? LOCAL_DEV_SIGNER_KEY) : '',
      /** the further signers' keys (none unless CHAIN_SIGNER_PRIVATE_KEYS; none for the API) */
      signerPrivateKeys: signs && signerPrivateKeys ? signerPrivateKeys.split(',') : [],
      batch: { ...batch, stuckAfterMs: batch.stuckAfterMs ?? Math.max(30000, 3 * chain.blockTimeMs) },
    },
    walletMnemonic: signs ? (walletMnemonic ?? LOCAL_DEV_WALLET_MNEMONIC) : '',
  };
}
