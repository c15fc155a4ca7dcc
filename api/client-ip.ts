/**
 * Who is calling: the client's IP address as the rate limits and the webhook allowlist see it.
 *
 * With TRUST_PROXY_HOPS=0 (the default) it is the TCP peer's address. Behind N proxies that each append the
 * address they saw to X-Forwarded-For, it is the address the outermost trusted proxy saw: counting from the
 * socket, past N-1 entries from the right of X-Forwarded-For. Entries further left are written by the
 * client and never trusted. A request without a socket (app.request in tests) and without a trusted
 * X-Forwarded-For has no address: the allowlist refuses it and the per-address limit cannot key it.
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

export function clientIp(c: Context, trustProxyHops: number): string | undefined {
  let socket: string | undefined;
  try {
    socket = getConnInfo(c).remote.address;
  } catch {
    socket = undefined; // not served by @hono/node-server
  }
  if (trustProxyHops === 0) return normalize(socket);
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  // Nearest first: the socket, then what each proxy appended, right to left.
  const hops = [socket, ...forwarded.reverse()];
  return normalize(hops[Math.min(trustProxyHops, hops.length - 1)]);
}

/** WEBHOOK_IP_ALLOWLIST as a matcher; undefined when the list is empty (every address may call). */
export function ipAllowlist(entries: string[]): ((ip: string | undefined) => boolean) | undefined {
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
