/** Which adapter serves which operator. Today every operator is served by the simulated operator. */
import type { Pool } from 'pg';
import type { Config } from '../config';
import { SimulatedOperator } from './simulated';
import type { TelcoOperator } from './types';

export function createTelco(config: Pick<Config, 'telco'>, pool: Pool): TelcoOperator {
  switch (config.telco.adapter) {
    case 'simulated':
      return new SimulatedOperator(pool, config.telco.simulated);
  }
}
