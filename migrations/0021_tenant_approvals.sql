-- A number's balance and history are read only by ops keys and by tenants the number approved a debit for
-- (its YES <PIN> to a tenant's request records the approval); SMS STOP <tenant> revokes it.
CREATE TABLE tenant_approvals (
  phone_number TEXT NOT NULL,
  tenant TEXT NOT NULL,
  approved_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at TIMESTAMPTZ,
  PRIMARY KEY (phone_number, tenant)
);
