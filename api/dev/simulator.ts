/**
 * Local-mode USSD phone simulator (APP_ENV=local only, mounted beside /dev): GET /simulator is a
 * feature-phone page that drives the same webhook the gateway calls (POST /simulator/ussd and
 * /simulator/ussd/end hand the page's form, as Africa's Talking sends it, to POST /ussd and /ussd/end with
 * the gateway's secret, which the page never sees; the cumulative `text` is kept only in the page's
 * memory) and shows the simulated
 * operator's SMS for the number. GET /simulator/sms/:phone lists that number's SMS from sim_telco_sms,
 * newest first, each with its delivery status (sms_messages, moved on by POST /sms/delivery). Plain HTML
 * and vanilla JS, no build step and no external assets.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { identifySubscriber, normalizePhone } from '../../lib/telco/detect';
import type { ApiContext } from '../context';

/** The demo number seeded in local mode (README, "Demo numbers"). */
const DEMO_NUMBER = '+254712345678';

/** How many SMS the inbox shows. */
const INBOX_SIZE = 30;

/** MCC-MNC of each served operator: the `networkCode` Africa's Talking sends with every hop. */
const NETWORK_CODES: Record<string, string> = {
  'safaricom-ke': '63902',
  'airtel-ke': '63903',
  'telkom-ke': '63907',
  'mtn-ug': '64110',
  'airtel-ug': '64101',
  'mtn-gh': '62001',
  'telecel-gh': '62002',
  'airteltigo-gh': '62003',
  'mtn-ng': '62130',
  'airtel-ng': '62120',
  'glo-ng': '62150',
  '9mobile-ng': '62160',
};

interface SmsRow {
  id: string;
  message: string;
  sent_at: Date;
  status: string | null;
}

function operatorOf(phoneNumber: string): string | null {
  try {
    return identifySubscriber(phoneNumber).operator;
  } catch {
    return null;
  }
}

/** The USSD webhook as the gateway calls it: the app adds the secret; `env` carries the caller's connection. */
export type UssdGateway = (
  path: '/ussd' | '/ussd/end',
  init: RequestInit,
  env: unknown,
) => Response | Promise<Response>;

export function simulatorRoutes(ctx: ApiContext, ussdGateway: UssdGateway) {
  const { config, pool } = ctx.deps;
  const relay = (path: '/ussd' | '/ussd/end') => async (c: Context) =>
    ussdGateway(
      path,
      {
        method: 'POST',
        headers: { 'content-type': c.req.header('content-type') ?? 'application/x-www-form-urlencoded' },
        body: await c.req.text(),
      },
      c.env,
    );
  return new Hono()
    .post('/ussd', relay('/ussd'))
    .post('/ussd/end', relay('/ussd/end'))
    .get('/', (c) => {
      const nonce = randomBytes(16).toString('base64');
      c.header(
        'Content-Security-Policy',
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; ` +
          "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      c.header('Cache-Control', 'no-store');
      return c.html(simulatorPage(config.ussd.shortcode, nonce));
    })
    .get('/sms/:phone', async (c) => {
      const { phoneNumber } = normalizePhone(c.req.param('phone'));
      const operator = operatorOf(phoneNumber);
      const { rows } = await pool.query<SmsRow>(
        // The simulated operator's message id is `sim-<id>`: the part we recorded as sent carries it.
        `SELECT s.id::text, s.message, s.created_at AS sent_at, m.status
         FROM sim_telco_sms s
         LEFT JOIN sms_messages m ON m.direction = 'out' AND m.gateway_message_id = 'sim-' || s.id
         WHERE s.phone_number = $1 ORDER BY s.id DESC LIMIT $2`,
        [phoneNumber, INBOX_SIZE],
      );
      c.header('Cache-Control', 'no-store');
      return c.json({
        phoneNumber,
        operator,
        networkCode: (operator && NETWORK_CODES[operator]) ?? null,
        messages: rows.map((r) => ({
          id: r.id,
          message: r.message,
          sentAt: r.sent_at.toISOString(),
          status: r.status,
        })),
      });
    });
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** A value for an inline script: JSON with `<` escaped, so no `</script>` can close the element. */
const scriptValue = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** The page (simulator.html, read once), its placeholders filled: every value escaped for where it goes. */
const PAGE = readFileSync(join(__dirname, 'simulator.html'), 'utf8');

function simulatorPage(shortcode: string, nonce: string): string {
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
  const values: Record<string, string> = {
    nonce,
    demoNumber: escapeHtml(DEMO_NUMBER),
    shortcode: escapeHtml(shortcode),
    shortcodeJson: scriptValue(shortcode),
    keys: keys.map((k) => `<button type="button" data-key="${k}" disabled>${k}</button>`).join('\n      '),
  };
  return PAGE.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
}
