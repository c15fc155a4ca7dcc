-- A price nobody can push (issue 23): readings of the TXTC/USD pair's cumulative price (Uniswap V2's
-- oracle), recorded every minute by a schedule; a quote compares the spot with their time-weighted average.
CREATE TABLE price_observations (
  pair TEXT NOT NULL,
  observed_at BIGINT NOT NULL,
  cumulative NUMERIC(78, 0) NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (pair, observed_at)
);
