/**
 * The quote inputs: TXTC per USD from the TXTC/USD Uniswap V2 pair's reserves (or a fixed rate), and the
 * airtime value of each operator from operator_rates. Both cached for RATES_CACHE_TTL_MS.
 */
import { Contract, type JsonRpcProvider } from 'ethers';
import type { Pool } from 'pg';
import type { Config } from './config';
import type { OperatorRate, TxtcRate } from './money/conversion';
import { BridgeError } from '../workflows/definitions/errors';
import { createOperatorRateRepo } from './db/operator-rates';

const PAIR_ABI = [
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
  'function token0() view returns (address)',
  'function token1() view returns (address)',
];
const ERC20_ABI = ['function decimals() view returns (uint8)'];

export class UnknownOperatorError extends BridgeError {
  constructor(readonly operator: string) {
    super('UnknownOperator', `unknown operator "${operator}"`);
    this.name = 'UnknownOperatorError';
  }
}

interface Cached<T> {
  value: T;
  at: number;
}

export class RateService {
  private operators: Cached<Map<string, OperatorRate>> | undefined;
  private txtc: Cached<TxtcRate> | undefined;
  private readonly repo: ReturnType<typeof createOperatorRateRepo>;

  constructor(
    private readonly deps: {
      pool: Pool;
      provider: JsonRpcProvider;
      config: Pick<Config, 'rates'>;
      addresses: { txtc: string; ratePair?: string };
      now?: () => number;
    },
  ) {
    this.repo = createOperatorRateRepo(deps.pool);
  }

  private fresh<T>(cached: Cached<T> | undefined): cached is Cached<T> {
    return !!cached && (this.deps.now ?? Date.now)() - cached.at < this.deps.config.rates.cacheTtlMs;
  }

  async operatorRates(): Promise<Map<string, OperatorRate>> {
    if (this.fresh(this.operators)) return this.operators.value;
    const value = new Map((await this.repo.all()).map((r) => [r.operator, r]));
    this.operators = { value, at: (this.deps.now ?? Date.now)() };
    return value;
  }

  async operatorRate(operator: string): Promise<OperatorRate> {
    const rate = (await this.operatorRates()).get(operator);
    if (!rate) throw new UnknownOperatorError(operator);
    return rate;
  }

  async txtcRate(): Promise<TxtcRate> {
    if (this.fresh(this.txtc)) return this.txtc.value;
    const { rates } = this.deps.config;
    let value: TxtcRate;
    if (rates.source === 'fixed') {
      value = this.fixed();
    } else {
      try {
        value = await this.fromPair();
      } catch (e) {
        if (!rates.fallbackToFixed) throw e;
        value = { ...this.fixed(), source: 'fixed-fallback' };
      }
    }
    this.txtc = { value, at: (this.deps.now ?? Date.now)() };
    return value;
  }

  private fixed(): TxtcRate {
    return { numerator: this.deps.config.rates.fixedTxtcPerUsd, denominator: 1n, source: 'fixed' };
  }

  /** Mid price of the pair: TXTC reserve per USD reserve, scaled by the USD token's decimals. */
  private async fromPair(): Promise<TxtcRate> {
    const pairAddress = this.deps.addresses.ratePair;
    if (!pairAddress) throw new Error('no rate pair configured');
    const pair = new Contract(pairAddress, PAIR_ABI, this.deps.provider);
    const [[reserve0, reserve1], token0, token1] = (await Promise.all([
      pair.getFunction('getReserves')(),
      pair.getFunction('token0')(),
      pair.getFunction('token1')(),
    ])) as [[bigint, bigint], string, string];
    const txtcIs0 = token0.toLowerCase() === this.deps.addresses.txtc.toLowerCase();
    if (!txtcIs0 && token1.toLowerCase() !== this.deps.addresses.txtc.toLowerCase())
      throw new Error('rate pair does not hold TXTC');
    const usdToken = txtcIs0 ? token1 : token0;
    const usdDecimals = Number(await new Contract(usdToken, ERC20_ABI, this.deps.provider).getFunction('decimals')());
    const txtcReserve = txtcIs0 ? reserve0 : reserve1;
    const usdReserve = txtcIs0 ? reserve1 : reserve0;
    if (txtcReserve === 0n || usdReserve === 0n) throw new Error('rate pair has no liquidity');
    return {
      numerator: txtcReserve * 10n ** BigInt(usdDecimals),
      denominator: usdReserve,
      source: `uniswap-v2:${pairAddress}`,
    };
  }
}
