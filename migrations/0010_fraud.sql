-- Fraud rules inside the money workflows (issue 12) and held transfers that ops approve or reject (issue 13).

-- Numbers (E.164) and TXTC wallet addresses (lower-case hex) that may neither send nor receive. Removing an
-- entry keeps it, with who removed it and when: the list is an audit trail. One live entry per value.
CREATE TABLE fraud_blocklist (
  id          BIGSERIAL PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('phone', 'wallet')),
  value       TEXT NOT NULL CHECK (
                (kind = 'phone' AND value ~ '^\+[1-9][0-9]{6,14}$') OR (kind = 'wallet' AND value ~ '^0x[0-9a-f]{40}$')),
  reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  added_by    TEXT NOT NULL CHECK (length(added_by) BETWEEN 1 AND 100),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  removed_by  TEXT,
  removed_at  TIMESTAMPTZ,
  CONSTRAINT fraud_blocklist_removed_together CHECK ((removed_by IS NULL) = (removed_at IS NULL))
);
CREATE UNIQUE INDEX fraud_blocklist_live ON fraud_blocklist (kind, value) WHERE removed_at IS NULL;

-- A money movement a rule held for review, and the decision: ops approve or reject it (who, why), or the
-- hold times out (decided_by 'timeout'). The workflow id is the movement's record id.
CREATE TABLE fraud_holds (
  workflow_id     TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('conversion', 'airtime', 'txtc', 'hybrid', 'swap')),
  phone_number    TEXT NOT NULL,
  usd_micros      BIGINT NOT NULL CHECK (usd_micros >= 0),
  rules           TEXT NOT NULL,
  reason          TEXT NOT NULL,
  held_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at      TIMESTAMPTZ NOT NULL,
  decision        TEXT CHECK (decision IN ('approved', 'rejected', 'expired', 'cancelled')),
  decided_by      TEXT,
  decision_reason TEXT,
  decided_at      TIMESTAMPTZ,
  CONSTRAINT fraud_holds_decided_together CHECK ((decision IS NULL) = (decided_at IS NULL))
);
CREATE INDEX fraud_holds_waiting ON fraud_holds (held_at) WHERE decision IS NULL;

-- The records' stage while a movement waits for ops.
ALTER TABLE airtime_transactions DROP CONSTRAINT airtime_transactions_stage_check;
ALTER TABLE airtime_transactions ADD CONSTRAINT airtime_transactions_stage_check
  CHECK (stage IN ('quoted', 'held', 'debited', 'minted', 'completed', 'refunded', 'rejected', 'refund_failed'));
ALTER TABLE p2p_transfers DROP CONSTRAINT p2p_transfers_stage_check;
ALTER TABLE p2p_transfers ADD CONSTRAINT p2p_transfers_stage_check
  CHECK (stage IN ('recorded', 'held', 'debited', 'converted', 'completed', 'rejected', 'refunded', 'refund_failed',
                   'send_failed'));
