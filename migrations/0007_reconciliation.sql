-- Reconciliation runs: for a window of time, the operator's ledger, the records and the chain's referenced
-- events matched by reference. One row per run (its window, what it compared, clean or not) and one row per
-- mismatch, so ops list them and a clean window says so. A run is written once per id; a retried run
-- replaces its own rows.
CREATE TABLE reconciliation_runs (
  id             TEXT PRIMARY KEY,
  window_start   TIMESTAMPTZ NOT NULL,
  window_end     TIMESTAMPTZ NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('clean', 'mismatches')),
  mismatch_count INTEGER NOT NULL CHECK (mismatch_count >= 0),
  -- records, pending, ledger entries, chain events and ignored movements compared
  counts         JSONB NOT NULL,
  -- the chain's blocks of the window, the operator ledger read, a phone filter and ignore lists if any
  scope          JSONB NOT NULL DEFAULT '{}',
  from_block     BIGINT,
  to_block       BIGINT,
  -- the workflow (schedule or on demand) or the command that ran it
  triggered_by   TEXT NOT NULL,
  started_at     TIMESTAMPTZ NOT NULL,
  finished_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (window_end > window_start),
  CHECK ((status = 'clean') = (mismatch_count = 0))
);
CREATE INDEX reconciliation_runs_finished ON reconciliation_runs (finished_at DESC);
CREATE INDEX reconciliation_runs_window ON reconciliation_runs (window_start, window_end);

CREATE TABLE reconciliation_mismatches (
  run_id      TEXT NOT NULL REFERENCES reconciliation_runs (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL CHECK (position >= 0),
  code        TEXT NOT NULL
              CHECK (code IN ('no_record', 'missing', 'unexpected', 'amount', 'party', 'reference', 'owed', 'leg')),
  source      TEXT NOT NULL CHECK (source IN ('ledger', 'chain', 'record')),
  record_kind TEXT,
  record_id   TEXT,
  step        TEXT,
  reference   TEXT,
  chain_ref   TEXT,
  expected    TEXT,
  found       TEXT,
  message     TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
);
CREATE INDEX reconciliation_mismatches_record ON reconciliation_mismatches (record_id) WHERE record_id IS NOT NULL;
