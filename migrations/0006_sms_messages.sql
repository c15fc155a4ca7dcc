-- Every SMS we receive and send, one row per message: inbound as the gateway posted it (a PIN in the text is
-- stored redacted), outbound one row per part sent through the messaging port, its status kept up to date
-- by the provider's delivery reports.
CREATE TABLE sms_messages (
  id                 BIGSERIAL PRIMARY KEY,
  direction          TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  phone_number       TEXT NOT NULL,
  -- in: the gateway's message id; out: the provider's message id the send returned (delivery reports name it)
  gateway_message_id TEXT,
  -- out: our reference for the part, the send's idempotency key
  reference          TEXT UNIQUE,
  -- in: the number the message was sent to (our shortcode)
  short_code         TEXT,
  text               TEXT NOT NULL,
  -- out: which part of a reply split into several SMS
  part               SMALLINT CHECK (part >= 1),
  parts              SMALLINT CHECK (parts >= 1),
  -- in: 'received'. out: the provider's word as it said it ('Sent', 'Success', 'Failed', 'Rejected',
  -- 'Buffered', ...), free text because providers differ and a report must never be refused for its status.
  status             TEXT NOT NULL CHECK (status <> ''),
  failure_reason     TEXT,
  network_code       TEXT,
  link_id            TEXT,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT sms_messages_inbound CHECK (
    direction = 'out' OR (gateway_message_id IS NOT NULL AND status = 'received' AND reference IS NULL)),
  CONSTRAINT sms_messages_outbound CHECK (
    direction = 'in' OR (reference IS NOT NULL AND part IS NOT NULL AND parts IS NOT NULL AND part <= parts))
);

-- A message the gateway delivers twice is stored once.
CREATE UNIQUE INDEX sms_messages_inbound_id ON sms_messages (gateway_message_id) WHERE direction = 'in';
-- Delivery reports find the part they are about by the provider's id.
CREATE INDEX sms_messages_outbound_id ON sms_messages (gateway_message_id) WHERE direction = 'out';
CREATE INDEX sms_messages_phone ON sms_messages (phone_number, id);
