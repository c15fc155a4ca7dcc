-- Which hop set a session's "next input is a secret": a late or redelivered older hop must neither read
-- nor overwrite a newer hop's expectation.
ALTER TABLE ussd_sessions ADD COLUMN expect_seq INTEGER;
