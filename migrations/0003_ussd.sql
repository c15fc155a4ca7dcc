-- USSD: who registered (language, terms, PIN as a salted scrypt hash, lockout), what a session expects
-- next (a secret the API handles before the workflow sees it), the outcome of each secret hop (so a
-- redelivered hop is not counted twice), and a dropped session's menu state for a redial within 60 s.

CREATE TABLE ussd_profiles (
  phone_number        TEXT PRIMARY KEY,
  language            TEXT CHECK (language IN ('en', 'sw')),
  terms_accepted_at   TIMESTAMPTZ,
  -- scrypt$N$r$p$salt$hash (base64); never the PIN
  pin_hash            TEXT,
  pin_failed_attempts SMALLINT NOT NULL DEFAULT 0 CHECK (pin_failed_attempts >= 0),
  pin_locked_at       TIMESTAMPTZ,
  pin_reset_required  BOOLEAN NOT NULL DEFAULT false,
  registered_at       TIMESTAMPTZ,
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ussd_profiles_locked ON ussd_profiles (pin_locked_at) WHERE pin_locked_at IS NOT NULL;

ALTER TABLE ussd_sessions
  ALTER COLUMN expires_at SET DEFAULT now() + interval '3 minutes',
  ADD COLUMN expects_secret   TEXT CHECK (expects_secret IN ('pin', 'new-pin', 'confirm-pin')),
  -- a new PIN between its two entries, hashed; cleared once confirmed or the session ends
  ADD COLUMN pending_pin_hash TEXT,
  ADD COLUMN ended_at         TIMESTAMPTZ,
  -- the menu state of a session dropped mid-flow, offered to a redial within 60 s, then consumed
  ADD COLUMN resumable_state  JSONB,
  ADD COLUMN resumed_at       TIMESTAMPTZ;
CREATE INDEX ussd_sessions_resumable ON ussd_sessions (phone_number, ended_at DESC) WHERE resumable_state IS NOT NULL;

CREATE TABLE ussd_secret_outcomes (
  session_id TEXT NOT NULL,
  seq        INTEGER NOT NULL CHECK (seq > 0),
  outcome    JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, seq)
);
