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
import { Hono, type Context } from 'hono';
import { identifySubscriber, normalizePhone } from '../lib/telco/detect';
import type { ApiContext } from './context';

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

function simulatorPage(shortcode: string, nonce: string): string {
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TXTC USSD simulator</title>
<style nonce="${nonce}">
  * { box-sizing: border-box; }
  body { margin: 0; padding: 24px; background: #e9ecef; color: #1d2329;
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  .hint { margin: 0 0 20px; color: #555; }
  main { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
  .handset { width: 300px; padding: 18px 18px 22px; border-radius: 34px 34px 44px 44px;
    background: linear-gradient(#3a4048, #23272d); box-shadow: 0 10px 24px rgba(0,0,0,.35); color: #e8e8e8; }
  .number { display: block; font-size: 12px; margin: 0 4px 10px; color: #c9d1d9; }
  .number input { display: block; width: 100%; margin-top: 3px; padding: 6px 8px; border-radius: 6px;
    border: 1px solid #596270; background: #15181c; color: #f2f2f2; font: 15px ui-monospace, "DejaVu Sans Mono", monospace; }
  .number input:disabled { opacity: .7; }
  .lcd { border-radius: 10px; padding: 10px; background: #b9c99a; color: #1b240f;
    border: 4px solid #11151a; box-shadow: inset 0 0 12px rgba(0,0,0,.25);
    font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
  .bar { display: flex; justify-content: space-between; font-size: 11px; border-bottom: 1px solid #7f8f63;
    padding-bottom: 3px; margin-bottom: 6px; }
  #screen { margin: 0; min-height: 11.5em; font-family: inherit; font-size: 15px; line-height: 1.35;
    white-space: pre-wrap; overflow-wrap: anywhere; }
  .reply { display: flex; gap: 6px; margin-top: 8px; }
  #entry { flex: 1; min-width: 0; padding: 4px 6px; border: 1px solid #56663c; border-radius: 4px;
    background: #d3e0b8; color: #1b240f; font: 16px ui-monospace, "DejaVu Sans Mono", monospace; letter-spacing: 2px; }
  #entry:disabled { background: #aebd90; }
  .soft { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin: 14px 0 10px; }
  button { font: inherit; cursor: pointer; border: 0; border-radius: 14px; padding: 9px 4px; }
  button:disabled { cursor: default; opacity: .45; }
  #dial { grid-column: 1 / -1; background: #2f9e44; color: #fff; font-weight: 600; }
  #send { background: #1971c2; color: #fff; font-weight: 600; }
  #cancel { background: #c92a2a; color: #fff; font-weight: 600; }
  .keypad { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
  .keypad button { background: #454c56; color: #fff; font-size: 18px; border-radius: 18px; }
  .keypad .del { grid-column: 1 / -1; font-size: 13px; background: #3b4149; }
  .inbox { flex: 1; min-width: 280px; max-width: 520px; background: #fff; border-radius: 12px; padding: 14px 16px;
    box-shadow: 0 2px 8px rgba(0,0,0,.12); }
  .inbox h2 { font-size: 15px; margin: 0 0 2px; }
  .inbox .who { margin: 0 0 10px; color: #666; font-size: 12px; }
  #sms { list-style: none; margin: 0; padding: 0; }
  #sms li { margin: 0 0 8px; padding: 8px 10px; border-radius: 10px; background: #f1f3f5; }
  #sms time { display: block; font-size: 11px; color: #777; }
  #sms p { margin: 2px 0 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px;
    white-space: pre-wrap; overflow-wrap: anywhere; }
  #sms .empty { background: none; color: #888; padding-left: 0; }
</style>
</head>
<body>
<h1>TXTC USSD simulator</h1>
<p class="hint">Local mode only. Each Send posts to <code>/ussd</code> exactly as the gateway does; replies are masked.</p>
<main>
  <section class="handset" id="handset" data-state="idle" aria-label="Phone">
    <label class="number">Phone number
      <input id="phone" type="tel" value="${escapeHtml(DEMO_NUMBER)}" autocomplete="off" spellcheck="false">
    </label>
    <div class="lcd">
      <div class="bar"><span>TXTC</span><span id="status" role="status">Ready</span></div>
      <pre id="screen" data-seq="0" aria-live="polite">Dial ${escapeHtml(shortcode)} to start.</pre>
      <div class="reply">
        <input id="entry" type="password" inputmode="tel" autocomplete="off" spellcheck="false"
          aria-label="Reply" placeholder="reply" disabled>
      </div>
    </div>
    <div class="soft">
      <button id="dial" type="button">Dial ${escapeHtml(shortcode)}</button>
      <button id="send" type="button" disabled>Send</button>
      <button id="cancel" type="button" disabled>Cancel</button>
    </div>
    <div class="keypad" id="keypad">
      ${keys.map((k) => `<button type="button" data-key="${k}" disabled>${k}</button>`).join('\n      ')}
      <button type="button" class="del" data-key="del" disabled>Del</button>
    </div>
  </section>
  <section class="inbox" aria-label="SMS inbox">
    <h2>SMS inbox</h2>
    <p class="who" id="inbox-who">&nbsp;</p>
    <ol id="sms"></ol>
  </section>
</main>
<script nonce="${nonce}">
(() => {
  'use strict';
  const SHORTCODE = ${scriptValue(shortcode)};
  const $ = (id) => document.getElementById(id);
  const handset = $('handset'), phone = $('phone'), screen = $('screen'), entry = $('entry'), status = $('status');
  const dial = $('dial'), send = $('send'), cancel = $('cancel'), sms = $('sms'), who = $('inbox-who');
  const keys = Array.from(document.querySelectorAll('#keypad button'));
  const LABELS = { idle: 'Ready', open: 'Session open', busy: 'Sending...', ended: 'Session ended' };

  // The session: its id and every input so far. The inputs live here only, never on the page.
  let session = null;
  let busy = false;
  let shown = 0;
  let known = { number: '', networkCode: '' };

  function sessionId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return 'ATUid_sim_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function sync(state) {
    handset.dataset.state = state;
    status.textContent = LABELS[state];
    const open = session !== null && !busy;
    entry.disabled = !open;
    send.disabled = !open;
    cancel.disabled = session === null || busy;
    dial.disabled = busy;
    phone.disabled = session !== null || busy;
    for (const k of keys) k.disabled = !open;
  }

  function show(text, state) {
    screen.textContent = text;
    shown += 1;
    screen.dataset.seq = String(shown);
    sync(state);
  }

  function form(fields) {
    return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) };
  }

  async function hop(text) {
    const s = session;
    busy = true;
    sync('busy');
    let reply;
    try {
      const res = await fetch('/simulator/ussd', form({
        sessionId: s.id, serviceCode: SHORTCODE, phoneNumber: s.phoneNumber, networkCode: s.networkCode, text,
      }));
      reply = await res.text();
      if (!res.ok) reply = 'END The gateway refused the request (HTTP ' + res.status + ').';
    } catch {
      reply = 'END Could not reach the USSD webhook.';
    }
    busy = false;
    entry.value = '';
    if (reply.startsWith('CON ')) {
      show(reply.slice(4), 'open');
      entry.focus();
    } else {
      session = null;
      show(reply.startsWith('END ') ? reply.slice(4) : reply, 'ended');
    }
  }

  /** The gateway's end-of-session notice, as it sends one when the person cancels. */
  async function notifyEnd(s, statusText) {
    try {
      await fetch('/simulator/ussd/end', form({
        sessionId: s.id, serviceCode: SHORTCODE, phoneNumber: s.phoneNumber, networkCode: s.networkCode,
        status: statusText, durationInMillis: String(Date.now() - s.startedAt),
      }));
    } catch {
      // the session times out on its own
    }
  }

  async function startSession() {
    if (busy) return;
    const number = phone.value.trim();
    if (number === '') { phone.focus(); return; }
    if (session) {
      const s = session;
      session = null;
      await notifyEnd(s, 'Incomplete');
    }
    await refreshInbox();
    if (known.number !== number) await refreshInbox();
    session = {
      id: sessionId(), phoneNumber: number, networkCode: known.number === number ? known.networkCode : '',
      inputs: [], startedAt: Date.now(),
    };
    await hop('');
  }

  async function sendReply() {
    if (!session || busy) return;
    const value = entry.value.trim();
    entry.value = '';
    if (value === '') { entry.focus(); return; }
    session.inputs.push(value);
    await hop(session.inputs.join('*'));
  }

  async function cancelSession() {
    if (!session || busy) return;
    const s = session;
    session = null;
    entry.value = '';
    busy = true;
    sync('busy');
    await notifyEnd(s, 'Incomplete');
    busy = false;
    show('Session cancelled.', 'ended');
  }

  // The SMS inbox of the number in the field, refreshed every 2 s.
  let loading = null;
  let rendered = '';
  function refreshInbox() {
    loading ??= loadInbox().finally(() => { loading = null; });
    return loading;
  }

  function note(text) {
    sms.replaceChildren();
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = text;
    sms.append(li);
  }

  async function loadInbox() {
    const number = phone.value.trim();
    if (number === '') { rendered = ''; who.textContent = ' '; note('Enter a phone number.'); return; }
    try {
      const res = await fetch('/simulator/sms/' + encodeURIComponent(number), { cache: 'no-store' });
      const data = await res.json();
      if (phone.value.trim() !== number) return;
      if (!res.ok) {
        known = { number, networkCode: '' };
        rendered = '';
        who.textContent = number;
        note((data.error && data.error.message) || 'Cannot read this inbox.');
        return;
      }
      known = { number, networkCode: data.networkCode || '' };
      const key = data.phoneNumber + '|' + data.messages.map((m) => m.id + ':' + m.status).join(',');
      if (key === rendered) return;
      rendered = key;
      who.textContent = data.phoneNumber + (data.operator ? ' (' + data.operator + ')' : '') + ', newest first';
      if (data.messages.length === 0) { note('No messages yet.'); return; }
      sms.replaceChildren(...data.messages.map((m) => {
        const li = document.createElement('li');
        const time = document.createElement('time');
        time.dateTime = m.sentAt;
        time.textContent = new Date(m.sentAt).toLocaleTimeString() + (m.status ? ' · ' + m.status : '');
        const p = document.createElement('p');
        p.textContent = m.message;
        li.append(time, p);
        return li;
      }));
    } catch {
      note('Inbox unavailable; retrying.');
      rendered = '';
    }
  }

  dial.addEventListener('click', () => void startSession());
  send.addEventListener('click', () => void sendReply());
  cancel.addEventListener('click', () => void cancelSession());
  entry.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); void sendReply(); }
  });
  for (const k of keys) {
    k.addEventListener('click', () => {
      if (entry.disabled) return;
      entry.value = k.dataset.key === 'del' ? entry.value.slice(0, -1) : entry.value + k.dataset.key;
      entry.focus();
    });
  }
  let typing;
  phone.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => void refreshInbox(), 300);
  });
  setInterval(() => void refreshInbox(), 2000);
  void refreshInbox();
})();
</script>
</body>
</html>
`;
}
