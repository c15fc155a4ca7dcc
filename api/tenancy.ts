/**
 * Who may read a number (issue 23): ops keys, and tenants the number approved a debit for (its YES <PIN> to
 * one of their requests; SMS STOP <tenant> revokes it). Anyone else gets the same 404 as an unknown number,
 * so a key cannot even learn that a number is a customer. With API keys off (local development) all may read.
 */
import type { Context } from 'hono';
import { BridgeError } from '../lib/definitions';
import { DEFAULT_TENANT } from '../lib/api-keys';
import type { ApiContext } from './context';

export async function mayReadNumber(ctx: ApiContext, c: Context, phoneNumber: string): Promise<void> {
  const key = c.get('apiKey');
  if (!key || key.scopes.includes('ops')) return;
  if (await ctx.services.tenantApprovals.approved(phoneNumber, key.tenant)) return;
  throw new BridgeError('NotFound', 'no such number for this key: its owner has not approved a payment to you');
}

/**
 * Who may read a movement: ops keys, and the tenant whose key started it (its id names the tenant, its record
 * the key); USSD and SMS movements only ops. Anything else is the 404 of an unknown id.
 */
export function movementReader(ctx: ApiContext, c: Context, id: string) {
  const key = c.get('apiKey');
  const open = !key || key.scopes.includes('ops');
  const idTenant = /^(?:conversion|transfer):api:(?:([a-z0-9-]+)~)?/.exec(id);
  return {
    /** false when the id itself says it is another tenant's (or no tenant's) */
    byId: open || (!!idTenant && (idTenant[1] ?? DEFAULT_TENANT) === key.tenant),
    /** whether the record started by this key may be read */
    async byRecord(apiKeyId: string | null | undefined): Promise<boolean> {
      if (open) return true;
      if (!apiKeyId) return false;
      return (await ctx.services.apiKeys.tenantOf(apiKeyId)) === key.tenant;
    },
  };
}
