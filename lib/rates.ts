/**
 * The quote inputs: TXTC per USD from the TXTC/USD Uniswap V2 pair's reserves (or a fixed rate), and the
 * airtime value of each operator from operator_rates. Both cached for RATES_CACHE_TTL_MS.
 */
import { Contract, type JsonRpcProvider } from 'ethers';
import type { Pool } from 'pg';
import type { Config } from './config';
import type { OperatorRate, TxtcRate } from './money/conversion';
import { BridgeError } from './definitions/errors';
import { createOperatorRateRepo } from './db/operator-rates';
import { createPriceObservationRepo } from './db/price-observations';
import { Q112, cumulativeNow, guardPrice } from './money/price-guard';
import { priceRefusals } from './metrics';

/** The pool's price left its own time-weighted average (a push?) or nobody watches it: no quote now. */
export class PriceUnavailableError extends BridgeError {
  constructor(why: string) {
    super('PriceUnavailable', `no price right now (${why}); try again in a few minutes`);
    this.name = 'PriceUnavailableError';
  }
}

const PAIR_ABI = [
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
  'function price0CumulativeLast() view returns (uint256)',
  'function price1CumulativeLast() view returns (uint256)',
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
        // A price the guard refused is not an outage: no quote at all, never the fallback.
        if (!rates.fallbackToFixed || e instanceof PriceUnavailableError) throw e;
        value = { ...this.fixed(), source: 'fixed-fallback' };
      }
    }
    this.txtc = { value, at: (this.deps.now ?? Date.now)() };
    return value;
  }

  private fixed(): TxtcRate {
    return { numerator: this.deps.config.rates.fixedTxtcPerUsd, denominator: 1n, source: 'fixed' };
  }

  /**
   * The pair's cumulative price of TXTC in the USD token now (UQ112.112 * seconds, raw units), for the
   * schedule's observations: what the guard averages over.
   */
  watchesPair(): boolean {
    return this.deps.config.rates.source === 'uniswap' && !!this.deps.addresses.ratePair;
  }

  async observePair(): Promise<{ pair: string; at: number; cumulative: bigint }> {
    const state = await this.pairState();
    return { pair: state.pair, at: state.now, cumulative: state.cumulative };
  }

  private async pairState() {
    const pairAddress = this.deps.addresses.ratePair;
    if (!pairAddress) throw new Error('no rate pair configured');
    const pair = new Contract(pairAddress, PAIR_ABI, this.deps.provider);
    const [[reserve0, reserve1, lastAt], token0, token1, cum0, cum1, latest] = (await Promise.all([
      pair.getFunction('getReserves')(),
      pair.getFunction('token0')(),
      pair.getFunction('token1')(),
      pair.getFunction('price0CumulativeLast')(),
      pair.getFunction('price1CumulativeLast')(),
      this.deps.provider.getBlock('latest'),
    ])) as [[bigint, bigint, bigint], string, string, bigint, bigint, { timestamp: number } | null];
    const txtcIs0 = token0.toLowerCase() === this.deps.addresses.txtc.toLowerCase();
    if (!txtcIs0 && token1.toLowerCase() !== this.deps.addresses.txtc.toLowerCase())
      throw new Error('rate pair does not hold TXTC');
    const txtcReserve = txtcIs0 ? reserve0 : reserve1;
    const usdReserve = txtcIs0 ? reserve1 : reserve0;
    if (txtcReserve === 0n || usdReserve === 0n) throw new Error('rate pair has no liquidity');
    const now = latest?.timestamp ?? Number(lastAt);
    // TXTC per USD token is token0 per token1 when TXTC is token0: price1 (reserve0 / reserve1).
    const cumulative = cumulativeNow(txtcIs0 ? cum1 : cum0, Number(lastAt), (txtcReserve * Q112) / usdReserve, now);
    return { pair: pairAddress, usdToken: txtcIs0 ? token1 : token0, txtcReserve, usdReserve, now, cumulative };
  }

  /** Mid price of the pair: TXTC reserve per USD reserve, scaled by the USD token's decimals. */
  private async fromPair(): Promise<TxtcRate> {
    const state = await this.pairState();
    const usdDecimals = Number(
      await new Contract(state.usdToken, ERC20_ABI, this.deps.provider).getFunction('decimals')(),
    );
    const scale = 10n ** BigInt(usdDecimals);
    // The spot is quoted only when it agrees with the pair's own time-weighted average (or, before any
    // observation, with the configured reference rate): a one-block push is refused, never paid.
    const { guard, fixedTxtcPerUsd } = this.deps.config.rates;
    const observations = await createPriceObservationRepo(this.deps.pool).since(
      state.pair,
      state.now - guard.windowSeconds,
    );
    const verdict = guardPrice({
      spot: { numerator: state.txtcReserve, denominator: state.usdReserve },
      now: state.now,
      cumulative: state.cumulative,
      observations,
      reference: { numerator: fixedTxtcPerUsd, denominator: scale },
      settings: guard,
    });
    if (!verdict.ok) {
      priceRefusals.inc({ reason: verdict.reason });
      throw new PriceUnavailableError(verdict.message);
    }
    return {
      numerator: state.txtcReserve * scale,
      denominator: state.usdReserve,
      source: `uniswap-v2:${state.pair}`,
    };
  }
}
