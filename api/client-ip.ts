/**
 * Who is calling: the client's IP address as the rate limits and the webhook allowlist see it.
 *
 * The TCP peer's address, unless the peer is one of TRUSTED_PROXIES: then X-Forwarded-For is read from the
 * right, past every entry that is itself a trusted proxy, and the first address that is not one is the
 * client. X-Forwarded-For from any other peer is the client's own words and ignored (a spoofed header from
 * the internet changes nothing). A request without a socket (app.request in tests) has no address unless
 * the test gives one: the allowlist refuses it and the per-address limit cannot key it.
 */
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/** An IPv4 peer arrives as ::ffff:a.b.c.d on a dual-stack socket: compare it as IPv4. */
function normalize(address: string | undefined): string | undefined {
  const trimmed = address?.trim();
  if (!trimmed) return undefined;
  const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed)?.[1] ?? trimmed;
  return isIP(plain) === 0 ? undefined : plain;
}

export type AddressMatcher = (ip: string | undefined) => boolean;

export function clientIp(c: Context, trustedProxies: AddressMatcher | undefined): string | undefined {
  let socket: string | undefined;
  try {
    socket = getConnInfo(c).remote.address;
  } catch {
    socket = undefined; // not served by @hono/node-server
  }
  const peer = normalize(socket);
  if (!trustedProxies || !trustedProxies(peer)) return peer;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((e) => normalize(e))
    .reverse();
  // Nearest first: each trusted proxy vouches for the address to its left.
  let client = peer;
  for (const hop of forwarded) {
    if (!trustedProxies(client)) break;
    if (hop === undefined) return undefined; // a trusted proxy wrote something that is not an address
    client = hop;
  }
  return client;
}

/** WEBHOOK_IP_ALLOWLIST as a matcher; undefined when the list is empty (every address may call). */
export function ipAllowlist(entries: string[]): AddressMatcher | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (ip) => ip !== undefined && list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}
