-- The ops console (issue 26). A sign-in with an ops-scoped API key opens a session: the browser holds a random
-- token in an HttpOnly cookie, the database only its SHA-256 (a dump cannot sign anybody in). A session ends at
-- expires_at, at sign-out, or when its key is revoked. Every ops action, from the console or the REST routes,
-- lands in ops_audit: who, what, on which record, why, and how it went.
CREATE TABLE ops_sessions (
  token_hash  TEXT PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  api_key_id  TEXT NOT NULL REFERENCES api_keys (id),
  actor       TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at  TIMESTAMPTZ NOT NULL,
  ended_at    TIMESTAMPTZ
);

CREATE TABLE ops_audit (
  id          BIGSERIAL PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor       TEXT NOT NULL,
  api_key_id  TEXT,
  channel     TEXT NOT NULL CHECK (channel IN ('console', 'api')),
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  reason      TEXT NOT NULL,
  ok          BOOLEAN NOT NULL,
  outcome     TEXT NOT NULL
);
CREATE INDEX ops_audit_at ON ops_audit (at DESC);
CREATE INDEX ops_audit_target ON ops_audit (target, at DESC);

-- What the console reads on every page: money not yet final (pending, or a refund or return that failed), and
-- the last day's movements by hour. Partial indexes keep the first small however many movements have ended.
CREATE INDEX p2p_transfers_open ON p2p_transfers (created_at) WHERE status = 'pending' OR stage = 'refund_failed';
CREATE INDEX txtc_swaps_open ON txtc_swaps (created_at) WHERE status = 'pending' OR stage = 'return_failed';
CREATE INDEX airtime_transactions_refund_failed ON airtime_transactions (created_at) WHERE stage = 'refund_failed';
CREATE INDEX airtime_transactions_created ON airtime_transactions (created_at);
CREATE INDEX p2p_transfers_created ON p2p_transfers (created_at);
CREATE INDEX txtc_swaps_created ON txtc_swaps (created_at);
