-- The payer's consent is offered on USSD too (issue 23): a waiting request keeps what it asks for ("send
-- KES 645.00 to +2547..98 (asked by acme)"), shown first when the payer dials. No secrets in it.
ALTER TABLE sms_confirmations ADD COLUMN action TEXT;
