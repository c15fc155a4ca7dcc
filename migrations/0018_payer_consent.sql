-- The payer's consent (issue 23): a debit asked for through REST by a key that is not `trusted` waits in
-- stage awaiting_payer for the payer's YES <PIN> (or NO, or the timeout) before any money moves.
ALTER TABLE airtime_transactions DROP CONSTRAINT airtime_transactions_stage_check;
ALTER TABLE airtime_transactions ADD CONSTRAINT airtime_transactions_stage_check
  CHECK (stage IN ('quoted', 'held', 'awaiting_payer', 'debited', 'minted', 'completed', 'refunded', 'rejected',
                   'refund_failed'));
ALTER TABLE p2p_transfers DROP CONSTRAINT p2p_transfers_stage_check;
ALTER TABLE p2p_transfers ADD CONSTRAINT p2p_transfers_stage_check
  CHECK (stage IN ('recorded', 'held', 'awaiting_payer', 'debited', 'converted', 'completed', 'rejected', 'refunded',
                   'refund_failed', 'send_failed'));
