-- REST API keys (issue 12). A key is shown once, when it is created; only its SHA-256 is kept (the key is
-- 32 random bytes, so a hash without salt or stretching cannot be reversed by guessing). `scopes` says which
-- routes it may call; a revoked key is refused from the moment `revoked_at` is set. `last_used_at` is
-- refreshed at most once a minute per key, not on every request.
CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  key_hash      TEXT NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  scopes        TEXT[] NOT NULL CHECK (cardinality(scopes) > 0),
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at    TIMESTAMPTZ,
  last_used_at  TIMESTAMPTZ
);
