-- Request counts for the API's rate limits, one row per limited thing (a client address, a phone number,
-- later an API key), shared by every API process. A fixed window: the row's window starts at a multiple of
-- its length in the database's clock, and one atomic upsert either counts a hit in it or starts the next.
-- `notified` says the person was already told (one polite SMS per window, not one per message).
CREATE TABLE rate_limit_counters (
  bucket        TEXT PRIMARY KEY,
  window_start  TIMESTAMPTZ NOT NULL,
  hits          INTEGER NOT NULL CHECK (hits > 0),
  notified      BOOLEAN NOT NULL DEFAULT false
);

CREATE INDEX rate_limit_counters_window_start ON rate_limit_counters (window_start);
