-- Vouchers count like any money a number receives (issue 21): the USD value at redemption counts toward the
-- redeemer's daily limit; a redemption worth more than VOUCHER_HOLD_ABOVE_USD waits for ops, and one they
-- reject is revoked (an undecided one goes back to issued, the code still good).
ALTER TABLE vouchers ADD COLUMN redeemed_usd_micros BIGINT CHECK (redeemed_usd_micros >= 0);
CREATE INDEX vouchers_redeemed_usd ON vouchers (redeemed_by, redeemed_at) WHERE redeemed_usd_micros IS NOT NULL;
ALTER TABLE fraud_holds DROP CONSTRAINT fraud_holds_kind_check;
ALTER TABLE fraud_holds ADD CONSTRAINT fraud_holds_kind_check
  CHECK (kind IN ('conversion', 'airtime', 'txtc', 'hybrid', 'swap', 'voucher'));
