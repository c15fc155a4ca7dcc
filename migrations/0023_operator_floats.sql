-- The float (issue 24): what the platform holds at each operator to pay out from (MoMo's disbursement and
-- collection accounts, Africa's Talking's application balance), read on a schedule. One row per account:
-- the latest reading. A payout the float cannot cover is refused before any debit.
CREATE TABLE operator_floats (
  adapter        TEXT NOT NULL,
  account        TEXT NOT NULL,
  currency       CHAR(3) NOT NULL,
  balance_minor  NUMERIC(30, 0) NOT NULL,
  read_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (adapter, account)
);
