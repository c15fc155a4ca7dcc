-- Africa's Talking airtime sends. AT answers a send with "Sent" and tells the outcome later, by the status
-- callback (Success or Failed) naming its requestId; AT has no status lookup by our reference. So every send
-- we make is kept here under our reference (its Idempotency-Key) before it goes out, and its status moves
-- on as AT answers: 'requested' (sent, no answer read yet), 'sent' (AT took it: requestId known), then
-- 'success' or 'failed'. The adapter's status(reference) answers from this table.
CREATE TABLE at_airtime_requests (
  reference     TEXT PRIMARY KEY,
  -- AT's requestId (ATQid_...), once its answer to the send was read
  request_id    TEXT UNIQUE,
  phone_number  TEXT NOT NULL,
  operator      TEXT NOT NULL,
  amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
  currency      CHAR(3) NOT NULL,
  minor_digits  SMALLINT NOT NULL CHECK (minor_digits BETWEEN 0 AND 4),
  status        TEXT NOT NULL CHECK (status IN ('requested', 'sent', 'success', 'failed')),
  -- failed: AT's errorMessage or the callback's description, as AT said it
  reason        TEXT,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT at_airtime_requests_sent CHECK (status IN ('requested', 'failed') OR request_id IS NOT NULL)
);

-- The validation callback looks for a send of ours to that number, in that currency, not yet settled.
CREATE INDEX at_airtime_requests_open ON at_airtime_requests (phone_number, currency)
  WHERE status IN ('requested', 'sent');

-- Every status callback as AT posted it, once per requestId (the first final word stands). Kept apart from
-- the requests because a callback may arrive before we have read AT's answer naming its requestId.
CREATE TABLE at_airtime_status_reports (
  request_id    TEXT PRIMARY KEY,
  status        TEXT NOT NULL CHECK (status IN ('Success', 'Failed')),
  description   TEXT,
  phone_number  TEXT,
  received_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
