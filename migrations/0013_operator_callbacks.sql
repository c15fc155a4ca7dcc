-- Callbacks from the mobile-money operators (MTN MoMo, Airtel Money): the final state of a payment they
-- post to us. A callback is only a hint: anyone holding the URL could post one, so it never settles money by
-- itself. The adapter waiting for that payment reads this table between its status polls and, when a new
-- callback names its payment, asks the operator's status at once instead of at the next poll; that answer
-- decides. Each distinct word is kept once per payment (a repeated delivery adds nothing).
CREATE TABLE operator_callbacks (
  id            BIGSERIAL PRIMARY KEY,
  -- 'momo' or 'airtel' (the adapter's operator API, not a mobile network such as mtn-ug)
  operator      TEXT NOT NULL CHECK (operator IN ('momo', 'airtel')),
  -- MoMo: 'collection' or 'disbursement' (from the URL we gave); Airtel's callback does not say: ''
  product       TEXT NOT NULL CHECK (product IN ('collection', 'disbursement', '')),
  -- the operator's id of the payment: MoMo's X-Reference-Id, Airtel's transaction id (both derived from
  -- our reference, lib/telco/http.ts uuidFromReference)
  reference_id  TEXT NOT NULL,
  -- as the operator said it: SUCCESSFUL / FAILED (MoMo), TS / TF (Airtel)
  status        TEXT NOT NULL,
  -- MoMo's reason code, Airtel's message
  reason        TEXT,
  -- the callback's body, only the fields we know (nothing the operator may add is kept unread)
  raw           JSONB NOT NULL,
  received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (operator, reference_id, product, status)
);
