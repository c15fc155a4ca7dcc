/**
 * Who may read a number (issue 23): ops keys, and tenants the number approved a debit for (its YES <PIN> to
 * one of their requests; SMS STOP <tenant> revokes it). Anyone else gets the same 404 as an unknown number,
 * so a key cannot even learn that a number is a customer. With API keys off (local development) all may read.
 */
import type { Context } from 'hono';
import { BridgeError } from '../workflows/definitions';
import type { ApiContext } from './app';

export async function mayReadNumber(ctx: ApiContext, c: Context, phoneNumber: string): Promise<void> {
  const key = c.get('apiKey');
  if (!key || key.scopes.includes('ops')) return;
  if (await ctx.services.tenantApprovals.approved(phoneNumber, key.tenant)) return;
  throw new BridgeError('NotFound', 'no such number for this key: its owner has not approved a payment to you');
}
