-- Alerts that reach a person (issue 26): Alertmanager posts each alert to the API, which keeps its latest state
-- here (the console lists what is firing) and SMSes the on-call numbers once per change of status, however
-- often Alertmanager repeats it; oncall_sms counts what each number got, for the hourly cap.
CREATE TABLE ops_alerts (
  fingerprint      TEXT PRIMARY KEY,
  alertname        TEXT NOT NULL,
  severity         TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  summary          TEXT NOT NULL,
  labels           JSONB NOT NULL,
  starts_at        TIMESTAMPTZ,
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- the status the on-call numbers were last told of (null: never)
  notified_status  TEXT
);

CREATE TABLE oncall_sms (
  id            BIGSERIAL PRIMARY KEY,
  phone_number  TEXT NOT NULL,
  fingerprint   TEXT NOT NULL,
  status        TEXT NOT NULL,
  sent_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX oncall_sms_recent ON oncall_sms (phone_number, sent_at DESC);
