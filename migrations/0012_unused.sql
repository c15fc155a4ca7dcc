-- 0012 was reserved for the MTN MoMo adapter, which keeps no table of its own (it settles by the operator's
-- status on the same reference). Kept, empty, so the numbering stays consecutive.
SELECT 1;
