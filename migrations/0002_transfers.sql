-- P2P and hybrid transfers: what p2p_transfers lacked (operators, USD value for the one daily limit, stage,
-- one reference column per side effect, failure, wallets, the link to a hybrid's conversion), conversion legs
-- linked to their transfer, and same-operator transfers in the simulated operator.

ALTER TABLE p2p_transfers
  ADD COLUMN from_operator       TEXT REFERENCES operator_rates (operator),
  ADD COLUMN to_operator         TEXT REFERENCES operator_rates (operator),
  ADD COLUMN usd_micros          BIGINT NOT NULL DEFAULT 0 CHECK (usd_micros >= 0),
  ADD COLUMN stage               TEXT NOT NULL DEFAULT 'recorded'
                                 CHECK (stage IN ('recorded', 'debited', 'converted', 'completed', 'rejected',
                                                  'refunded', 'refund_failed', 'send_failed')),
  ADD COLUMN transfer_reference  TEXT UNIQUE,
  ADD COLUMN debit_reference     TEXT UNIQUE,
  ADD COLUMN credit_reference    TEXT UNIQUE,
  ADD COLUMN send_reference      TEXT UNIQUE,
  ADD COLUMN refund_reference    TEXT UNIQUE,
  ADD COLUMN conversion_id       TEXT,
  -- hybrid: the part of txtc_amount the sender's own TXTC covered (the rest was converted)
  ADD COLUMN txtc_from_balance   NUMERIC(78, 0) CHECK (txtc_from_balance >= 0),
  ADD COLUMN from_wallet         TEXT,
  ADD COLUMN to_wallet           TEXT,
  ADD COLUMN failure_message     TEXT,
  ADD COLUMN refunded_at         TIMESTAMPTZ,
  ADD CONSTRAINT p2p_transfers_not_to_self CHECK (from_phone <> to_phone),
  ADD CONSTRAINT p2p_transfers_amount_by_type CHECK (
    (transfer_type = 'airtime' AND amount_minor IS NOT NULL) OR (transfer_type <> 'airtime' AND txtc_amount IS NOT NULL));

-- A hybrid's conversion leg points at its transfer; the transfer's value counts once towards the daily limit.
ALTER TABLE airtime_transactions ADD COLUMN parent_transfer_id TEXT REFERENCES p2p_transfers (id);
ALTER TABLE p2p_transfers ADD CONSTRAINT p2p_transfers_conversion FOREIGN KEY (conversion_id) REFERENCES airtime_transactions (id);

-- History reads a number's movements in both directions, newest first.
CREATE INDEX airtime_transactions_phone_history ON airtime_transactions (phone_number, created_at DESC) WHERE parent_transfer_id IS NULL;

-- The simulated operator moves airtime between two of its subscribers in one call.
ALTER TABLE sim_telco_operations DROP CONSTRAINT sim_telco_operations_kind_check;
ALTER TABLE sim_telco_operations
  ADD CONSTRAINT sim_telco_operations_kind_check CHECK (kind IN ('debit', 'credit', 'topup', 'transfer')),
  ADD COLUMN counterparty               TEXT,
  ADD COLUMN counterparty_balance_after BIGINT,
  ADD CONSTRAINT sim_telco_operations_transfer_counterparty CHECK ((kind = 'transfer') = (counterparty IS NOT NULL));
