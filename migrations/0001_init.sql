-- txtc-bridge schema, first migration. Money is never REAL: airtime in integer minor units of the
-- operator's currency (BIGINT), TXTC in base units (NUMERIC(78,0)), USD in micro-dollars (BIGINT).

-- Operators we serve and what their airtime is worth. minor_units_per_usd: airtime minor units that
-- one US dollar buys (KES at 129.00 per USD -> 12900 cents). Updated by ops; read through a cache.
CREATE TABLE operator_rates (
  operator            TEXT PRIMARY KEY,
  display_name        TEXT NOT NULL,
  country             CHAR(2) NOT NULL,
  currency            CHAR(3) NOT NULL,
  minor_digits        SMALLINT NOT NULL CHECK (minor_digits BETWEEN 0 AND 4),
  minor_units_per_usd BIGINT NOT NULL CHECK (minor_units_per_usd > 0),
  operator_fee_bps    INTEGER NOT NULL DEFAULT 0 CHECK (operator_fee_bps BETWEEN 0 AND 10000),
  last_updated        TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO operator_rates (operator, display_name, country, currency, minor_digits, minor_units_per_usd) VALUES
  ('safaricom-ke', 'Safaricom', 'KE', 'KES', 2, 12900),
  ('airtel-ke', 'Airtel Kenya', 'KE', 'KES', 2, 12900),
  ('telkom-ke', 'Telkom Kenya', 'KE', 'KES', 2, 12900),
  ('mtn-ug', 'MTN Uganda', 'UG', 'UGX', 0, 3700),
  ('airtel-ug', 'Airtel Uganda', 'UG', 'UGX', 0, 3700),
  ('mtn-gh', 'MTN Ghana', 'GH', 'GHS', 2, 1550),
  ('telecel-gh', 'Telecel Ghana', 'GH', 'GHS', 2, 1550),
  ('airteltigo-gh', 'AirtelTigo', 'GH', 'GHS', 2, 1550),
  ('mtn-ng', 'MTN Nigeria', 'NG', 'NGN', 2, 155000),
  ('airtel-ng', 'Airtel Nigeria', 'NG', 'NGN', 2, 155000),
  ('glo-ng', 'Globacom', 'NG', 'NGN', 2, 155000),
  ('9mobile-ng', '9mobile', 'NG', 'NGN', 2, 155000);

CREATE TYPE transfer_status AS ENUM ('pending', 'completed', 'failed');
CREATE TYPE request_channel AS ENUM ('api', 'ussd', 'sms');

-- Custodial wallets: one per phone number, derived from the master seed at hd_index. No key is stored.
CREATE TABLE wallets (
  phone_number TEXT PRIMARY KEY,
  hd_index     INTEGER NOT NULL UNIQUE CHECK (hd_index >= 0),
  address      TEXT NOT NULL UNIQUE,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE SEQUENCE wallet_hd_index AS INTEGER MINVALUE 0 START 0;

-- Airtime -> TXTC conversions. id is the workflow id, itself the request's idempotency key.
CREATE TABLE airtime_transactions (
  id                   TEXT PRIMARY KEY,
  channel              request_channel NOT NULL,
  phone_number         TEXT NOT NULL,
  operator             TEXT NOT NULL REFERENCES operator_rates (operator),
  currency             CHAR(3) NOT NULL,
  airtime_amount_minor BIGINT NOT NULL CHECK (airtime_amount_minor > 0),
  usd_micros           BIGINT NOT NULL CHECK (usd_micros >= 0),
  txtc_gross           NUMERIC(78, 0) NOT NULL CHECK (txtc_gross >= 0),
  platform_fee         NUMERIC(78, 0) NOT NULL CHECK (platform_fee >= 0),
  operator_fee         NUMERIC(78, 0) NOT NULL CHECK (operator_fee >= 0),
  gas_fee              NUMERIC(78, 0) NOT NULL CHECK (gas_fee >= 0),
  txtc_amount          NUMERIC(78, 0) NOT NULL CHECK (txtc_amount >= 0),
  txtc_per_usd         NUMERIC(78, 0) NOT NULL CHECK (txtc_per_usd > 0),
  minor_units_per_usd  BIGINT NOT NULL CHECK (minor_units_per_usd > 0),
  rate_source          TEXT NOT NULL,
  wallet_address       TEXT,
  debit_reference      TEXT UNIQUE,
  mint_reference       TEXT UNIQUE,
  refund_reference     TEXT UNIQUE,
  tx_hash              TEXT,
  status               transfer_status NOT NULL DEFAULT 'pending',
  stage                TEXT NOT NULL DEFAULT 'quoted'
                       CHECK (stage IN ('quoted', 'debited', 'minted', 'completed', 'refunded', 'rejected', 'refund_failed')),
  failure_code         TEXT,
  failure_message      TEXT,
  refunded_at          TIMESTAMPTZ,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (txtc_gross = txtc_amount + platform_fee + operator_fee + gas_fee)
);
CREATE INDEX airtime_transactions_phone_created ON airtime_transactions (phone_number, created_at DESC);
CREATE INDEX airtime_transactions_open ON airtime_transactions (status, created_at) WHERE status = 'pending';

-- P2P transfers (airtime, TXTC or hybrid). Filled by the transfer workflows.
CREATE TYPE transfer_type AS ENUM ('airtime', 'txtc', 'hybrid');
CREATE TABLE p2p_transfers (
  id             TEXT PRIMARY KEY,
  channel        request_channel NOT NULL,
  from_phone     TEXT NOT NULL,
  to_phone       TEXT NOT NULL,
  transfer_type  transfer_type NOT NULL,
  currency       CHAR(3),
  amount_minor   BIGINT CHECK (amount_minor > 0),
  txtc_amount    NUMERIC(78, 0) CHECK (txtc_amount >= 0),
  tx_hash        TEXT,
  status         transfer_status NOT NULL DEFAULT 'pending',
  failure_code   TEXT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (amount_minor IS NOT NULL OR txtc_amount IS NOT NULL)
);
CREATE INDEX p2p_transfers_from_created ON p2p_transfers (from_phone, created_at DESC);
CREATE INDEX p2p_transfers_to_created ON p2p_transfers (to_phone, created_at DESC);

-- USSD sessions (one long-lived workflow each; this row is what ops and history screens read).
CREATE TABLE ussd_sessions (
  session_id   TEXT PRIMARY KEY,
  phone_number TEXT NOT NULL,
  workflow_id  TEXT NOT NULL UNIQUE,
  current_menu TEXT,
  session_data JSONB NOT NULL DEFAULT '{}',
  expires_at   TIMESTAMPTZ NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ussd_sessions_expires ON ussd_sessions (expires_at);

-- The simulated operator (the default telco adapter): its own accounts, an operation log keyed by the
-- caller's reference (a repeated reference returns the first result), and the SMS it "delivered".
CREATE TABLE sim_telco_accounts (
  phone_number  TEXT PRIMARY KEY,
  operator      TEXT NOT NULL REFERENCES operator_rates (operator),
  currency      CHAR(3) NOT NULL,
  balance_minor BIGINT NOT NULL CHECK (balance_minor >= 0),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sim_telco_operations (
  reference     TEXT PRIMARY KEY,
  phone_number  TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('debit', 'credit', 'topup')),
  amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
  status        TEXT NOT NULL CHECK (status IN ('committed', 'rejected')),
  reason        TEXT,
  balance_after BIGINT,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sim_telco_operations_phone ON sim_telco_operations (phone_number, created_at);

CREATE TABLE sim_telco_sms (
  id           BIGSERIAL PRIMARY KEY,
  phone_number TEXT NOT NULL,
  message      TEXT NOT NULL,
  reference    TEXT UNIQUE,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sim_telco_sms_phone ON sim_telco_sms (phone_number, id);
