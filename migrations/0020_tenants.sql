-- Tenants (issue 23): every API key belongs to one. A tenant's Idempotency-Keys and transfers are its own:
-- two tenants' order-0001 are two transfers, and one reads only its own (ops keys read all). Keys made
-- before tenants belong to 'default', whose workflow ids keep their old shape.
ALTER TABLE api_keys ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default' CHECK (tenant ~ '^[a-z0-9][a-z0-9-]{0,39}$');
