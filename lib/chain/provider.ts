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

/**
 * When a write sent now can land, in unix seconds: the latest of the wall clock, the latest block and the
 * pending block the node would mine next (a dev chain's clock moved forward, or a chain ahead of us). A
 * node without a pending block answers the latest one, which the wall clock covers for an idle chain.
 */
export async function landingTime(provider: JsonRpcProvider): Promise<number> {
  // Raw: ethers refuses a pending block without a number (anvil's), but its timestamp is what we need.
  const [latest, pending] = await Promise.all([
    provider.getBlock('latest'),
    (provider.send('eth_getBlockByNumber', ['pending', false]) as Promise<{ timestamp?: string } | null>).catch(
      () => null,
    ),
  ]);
  if (!latest) throw new Error('the node returned no latest block');
  const next = pending?.timestamp ? Number(BigInt(pending.timestamp)) : 0;
  return Math.max(Math.floor(Date.now() / 1000), latest.timestamp, next);
}
