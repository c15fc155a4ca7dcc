/** What the local operator servers share: listening on a free port, reading and recording a request, decimal amounts. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server on 127.0.0.1 at a free port, and its base URL. */
export async function listen(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/**
 * An amount as an operator takes it: "1500.5" with 2 digits -> 150050n (what the operator's ledger holds).
 * Undefined for what it refuses: not a plain decimal, more decimals than the currency has ("100.005" KES,
 * "18500.5" UGX), or nothing at all (0). Never truncated: a refused amount moves nothing.
 */
export function amountMinorOf(amount: string, digits: number): bigint | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) return undefined;
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > digits) return undefined;
  const minor = BigInt(whole + fraction.padEnd(digits, '0'));
  return minor > 0n ? minor : undefined;
}

/** An amount the server already took (amountMinorOf said yes), in minor units. */
export function toMinor(amount: string, digits: number): bigint {
  const minor = amountMinorOf(amount, digits);
  if (minor === undefined) throw new RangeError(`an amount the operator refuses: ${amount}`);
  return minor;
}

/** A request as it came: method, path, query, headers (names lower-cased) and the raw body. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export function recordOf(req: IncomingMessage, body: string): RecordedRequest {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
  };
}
