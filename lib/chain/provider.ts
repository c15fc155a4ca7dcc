import { JsonRpcProvider } from 'ethers';

/** cacheTimeout -1: the default 250 ms cache hands a fresh send a stale nonce (see shared/OFFLINE.md). */
export function createProvider(rpcUrl: string): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, undefined, {
    cacheTimeout: -1,
    staticNetwork: false,
    polling: true,
    pollingInterval: 250,
  });
}
