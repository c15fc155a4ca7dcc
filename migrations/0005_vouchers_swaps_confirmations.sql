-- SMS money commands beyond BUY/SEND/TRANSFER: vouchers (REDEEM), swaps of TXTC back to airtime (SWAP), and
-- the confirmations that large SMS requests wait for (YES <pin>).

-- One-time voucher codes issued by ops. Only a SHA-256 of the code is kept (the code is shown once, at
-- issue); a claim is one conditional UPDATE, so two messages with one code claim it once, and the mint's
-- reference comes from the voucher id, so the contract mints it once whatever is retried.
CREATE TABLE vouchers (
  id                  TEXT PRIMARY KEY,
  code_hash           TEXT NOT NULL UNIQUE,
  txtc_amount         NUMERIC(78, 0) NOT NULL CHECK (txtc_amount > 0),
  note                TEXT,
  expires_at          TIMESTAMPTZ,
  revoked_at          TIMESTAMPTZ,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  redeemed_by         TEXT,
  redeemed_message_id TEXT,
  redeemed_at         TIMESTAMPTZ,
  wallet              TEXT,
  mint_reference      TEXT UNIQUE,
  mint_tx_hash        TEXT,
  minted_at           TIMESTAMPTZ,
  mint_failure        TEXT,
  CONSTRAINT vouchers_redeemed_together CHECK ((redeemed_by IS NULL) = (redeemed_at IS NULL)),
  CONSTRAINT vouchers_minted_after_redeemed CHECK (minted_at IS NULL OR redeemed_at IS NOT NULL)
);
CREATE INDEX vouchers_redeemed_by ON vouchers (redeemed_by, redeemed_at DESC) WHERE redeemed_by IS NOT NULL;

-- SWAP: the person's TXTC moves to the treasury, then their airtime is credited; a credit that fails for good
-- returns the TXTC. One reference per side effect, each unique.
CREATE TABLE txtc_swaps (
  id                TEXT PRIMARY KEY,
  channel           request_channel NOT NULL,
  phone_number      TEXT NOT NULL,
  operator          TEXT NOT NULL REFERENCES operator_rates (operator),
  txtc_amount       NUMERIC(78, 0) NOT NULL CHECK (txtc_amount > 0),
  platform_fee_txtc NUMERIC(78, 0) NOT NULL CHECK (platform_fee_txtc >= 0),
  usd_micros        BIGINT NOT NULL CHECK (usd_micros >= 0),
  currency          TEXT NOT NULL,
  airtime_minor     BIGINT NOT NULL CHECK (airtime_minor > 0),
  txtc_per_usd      NUMERIC(78, 0) NOT NULL,
  rate_source       TEXT NOT NULL,
  stage             TEXT NOT NULL DEFAULT 'recorded'
                    CHECK (stage IN ('recorded', 'sent', 'completed', 'rejected', 'returned', 'return_failed')),
  status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed', 'failed')),
  wallet            TEXT,
  treasury          TEXT,
  send_reference    TEXT UNIQUE,
  send_tx_hash      TEXT,
  credit_reference  TEXT UNIQUE,
  return_reference  TEXT UNIQUE,
  return_tx_hash    TEXT,
  failure_type      TEXT,
  failure_message   TEXT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX txtc_swaps_phone ON txtc_swaps (phone_number, created_at DESC);

-- A large SMS request waiting for YES <pin> (or NO) from the same number: the newest open one is confirmed.
CREATE TABLE sms_confirmations (
  workflow_id  TEXT PRIMARY KEY,
  phone_number TEXT NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL,
  closed_at    TIMESTAMPTZ,
  outcome      TEXT CHECK (outcome IN ('confirmed', 'declined', 'expired', 'locked')),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sms_confirmations_open ON sms_confirmations (phone_number, created_at DESC) WHERE closed_at IS NULL;
