/**
 * The chain's side of a reconciliation: TXTC's referenced mints and transfers in a range of blocks, and
 * the blocks a window of time covers (found by the blocks' timestamps; a window's blocks are those stamped
 * in [since, until) to the second, so consecutive windows share no block and miss none).
 */
import type { EventLog, JsonRpcProvider } from 'ethers';
import type { TxtcToken } from '../chain/txtc';
import type { ChainEvent } from './types';

/** Most providers cap a log query's range; ranges are read in slices of this many blocks. */
const LOG_SLICE = 5000;

/** The first block at or after `low` stamped at or after `seconds`; `latest + 1` when none is yet. */
export async function firstBlockAtOrAfter(
  provider: JsonRpcProvider,
  seconds: number,
  low: number,
  latest: number,
): Promise<number> {
  let [lo, hi] = [low, latest + 1];
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const block = await provider.getBlock(mid);
    if (!block) throw new Error(`the node has no block ${mid}`);
    if (block.timestamp >= seconds) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The window's blocks, `from..to` inclusive (empty when `to < from`). */
export async function blocksOfWindow(
  provider: JsonRpcProvider,
  since: Date,
  until: Date,
  firstBlock: number,
): Promise<{ from: number; to: number; latest: number }> {
  const latest = await provider.getBlockNumber();
  const from = await firstBlockAtOrAfter(provider, Math.floor(since.getTime() / 1000), firstBlock, latest);
  const end = await firstBlockAtOrAfter(provider, Math.floor(until.getTime() / 1000), from, latest);
  return { from, to: end - 1, latest };
}

/** Every ReferencedMint and ReferencedTransfer of TXTC in `from..to`. */
export async function referencedEvents(token: TxtcToken, from: number, to: number): Promise<ChainEvent[]> {
  const events: ChainEvent[] = [];
  for (let start = from; start <= to; start += LOG_SLICE) {
    const end = Math.min(to, start + LOG_SLICE - 1);
    const [mints, transfers] = await Promise.all([
      token.contract.queryFilter(token.contract.filters.ReferencedMint!(), start, end),
      token.contract.queryFilter(token.contract.filters.ReferencedTransfer!(), start, end),
    ]);
    for (const log of mints as EventLog[]) {
      events.push({
        kind: 'mint',
        ref: log.args[0] as string,
        from: null,
        to: log.args[1] as string,
        amount: log.args[2] as bigint,
        txHash: log.transactionHash,
        blockNumber: log.blockNumber,
      });
    }
    for (const log of transfers as EventLog[]) {
      events.push({
        kind: 'transfer',
        ref: log.args[0] as string,
        from: log.args[1] as string,
        to: log.args[2] as string,
        amount: log.args[3] as bigint,
        txHash: log.transactionHash,
        blockNumber: log.blockNumber,
      });
    }
  }
  return events;
}
