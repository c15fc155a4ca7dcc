-- One money movement at a time per payer (issue 21): the movement that holds a number's turn, by workflow id.
-- A movement takes the turn before it reads the payer's balances and gives it back when it ends; another
-- movement from the same number waits for it. A turn whose holder is no longer running is taken over.
CREATE TABLE payer_turns (
  phone_number TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  taken_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Who waits for a number's turn, oldest first: the movement giving the turn back wakes the oldest at once
-- (a signal); every waiter also asks again every few seconds, so a waiter that went away delays nobody long.
CREATE TABLE payer_turn_waiters (
  phone_number TEXT NOT NULL,
  owner TEXT NOT NULL,
  since TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (phone_number, owner)
);
