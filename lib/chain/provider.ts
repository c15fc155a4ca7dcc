import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { FetchRequest, JsonRpcProvider } from 'ethers';

/**
 * Idle keep-alive sockets are dropped after 4 s, before a node's own keep-alive timeout (5 s in Node's HTTP
 * server, which Hardhat uses) can close one under a request being sent on it ("socket hang up").
 */
const IDLE_SOCKET_MS = 4000;

/** cacheTimeout -1: the default 250 ms cache hands a fresh send a stale nonce (see shared/OFFLINE.md). */
export function createProvider(rpcUrl: string): JsonRpcProvider {
  const request = new FetchRequest(rpcUrl);
  const agent = rpcUrl.startsWith('https:')
    ? new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS })
    : new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  request.getUrlFunc = FetchRequest.createGetUrlFunc({ agent });
  return new JsonRpcProvider(request, undefined, {
    cacheTimeout: -1,
    staticNetwork: false,
    polling: true,
    pollingInterval: 250,
  });
}
