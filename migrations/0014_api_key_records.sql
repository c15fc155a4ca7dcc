-- The API key that created a money movement (issue 12): set on conversions and transfers started through the
-- REST API with a key (a hybrid's conversion leg carries its transfer's key), NULL for USSD, SMS, and API calls
-- made with keys off. Keys are revoked, never deleted, so the reference always resolves.
ALTER TABLE airtime_transactions ADD COLUMN api_key_id TEXT REFERENCES api_keys (id);
ALTER TABLE p2p_transfers ADD COLUMN api_key_id TEXT REFERENCES api_keys (id);
CREATE INDEX airtime_transactions_api_key_id_idx ON airtime_transactions (api_key_id) WHERE api_key_id IS NOT NULL;
CREATE INDEX p2p_transfers_api_key_id_idx ON p2p_transfers (api_key_id) WHERE api_key_id IS NOT NULL;
