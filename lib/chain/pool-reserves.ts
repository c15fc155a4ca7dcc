/** The TXTC/USD pair's reserves for the liquidity gauge (lib/record-metrics.ts). */
import { Contract, type JsonRpcProvider } from 'ethers';

const PAIR_ABI = [
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
  'function token0() view returns (address)',
  'function token1() view returns (address)',
];
const ERC20_ABI = ['function decimals() view returns (uint8)'];

/** The TXTC/USD pair's reserves, in whole tokens (a float is fine for a gauge). */
export async function readPoolReserves(
  provider: JsonRpcProvider,
  addresses: { txtc: string; ratePair?: string },
): Promise<{ txtc: number; usd: number } | undefined> {
  if (!addresses.ratePair) return undefined;
  const pair = new Contract(addresses.ratePair, PAIR_ABI, provider);
  const [[reserve0, reserve1], token0, token1] = (await Promise.all([
    pair.getFunction('getReserves')(),
    pair.getFunction('token0')(),
    pair.getFunction('token1')(),
  ])) as [[bigint, bigint], string, string];
  const txtcIs0 = token0.toLowerCase() === addresses.txtc.toLowerCase();
  const usdToken = txtcIs0 ? token1 : token0;
  const usdDecimals = Number(await new Contract(usdToken, ERC20_ABI, provider).getFunction('decimals')());
  const whole = (v: bigint, decimals: number) => Number(v) / 10 ** decimals;
  return {
    txtc: whole(txtcIs0 ? reserve0 : reserve1, 18),
    usd: whole(txtcIs0 ? reserve1 : reserve0, usdDecimals),
  };
}
