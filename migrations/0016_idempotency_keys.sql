-- One Idempotency-Key, one request, whatever the route (issue 21): a key is claimed by the first money
-- request that uses it, with the workflow it started and a fingerprint of the request. The same key on
-- another route (another workflow id) or with another body is a 409, never a second movement. `tenant`
-- scopes keys to whoever owns them ('' until keys belong to tenants).
CREATE TABLE api_idempotency_keys (
  tenant TEXT NOT NULL DEFAULT '',
  key TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, key)
);
