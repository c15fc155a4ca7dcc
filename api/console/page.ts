/**
 * The console's HTML, server-rendered with hono/html (every interpolated value is escaped), no client script:
 * a page of panels that works on a laptop and a phone. Each form posts to /ops/actions/<action> with the
 * session's CSRF token and a reason.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { maskPhone } from '../../lib/log';
import { formatUsdMicros } from '../../lib/money/format';
import type { HeldRow, HourVolume, MovementRow, StageCount, AuditEntry } from '../../lib/db/ops-console';
import type { StoredReconciliation } from '../../lib/db/reconciliations';
import type { BlocklistEntry } from '../../lib/db/fraud';
import type { OpsAlert } from '../../lib/db/ops-alerts';
import { formatGas, type ConsoleHealth, type Probe } from './health';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface ConsoleView {
  actor: string;
  csrf: string;
  notice?: { ok: boolean; text: string };
  temporalUi: (workflowId: string) => string;
  byStage: StageCount[];
  inFlight: MovementRow[];
  held: HeldRow[];
  awaitingPayer: MovementRow[];
  refundFailed: MovementRow[];
  locked: { phoneNumber: string; lockedAt: Date; failedAttempts: number }[];
  blocklist: BlocklistEntry[];
  reconciliations: StoredReconciliation[];
  alerts: OpsAlert[];
  lastDay: HourVolume[];
  audit: (AuditEntry & { at: Date })[];
  health: ConsoleHealth;
  now: Date;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f4}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;
 padding:.6rem 1rem;background:#143d2b;color:#fff}
header h1{font-size:1.1rem;margin:0}main{padding:.5rem 1rem 2rem;display:grid;gap:1rem;
 grid-template-columns:repeat(auto-fit,minmax(min(100%,34rem),1fr))}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem;overflow-x:auto}
section.wide{grid-column:1/-1}h2{font-size:1rem;margin:.2rem 0 .5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid #eee;
 vertical-align:top;white-space:nowrap}td.r,th.r{text-align:right}td.actions{white-space:normal}td a{white-space:normal;word-break:break-all}#held td{white-space:normal}.owed td{background:#fff1e6}
.bad{color:#a31515;font-weight:600}.ok{color:#17692e}.muted{color:#666}.notice{margin:.6rem 1rem;padding:.5rem .8rem;
 border-radius:6px;background:#e8f5ec}.notice.bad{background:#fdecea}form.inline{display:inline-flex;gap:.3rem;
 flex-wrap:wrap}input{font:inherit;padding:.2rem .3rem;max-width:14rem}button{font:inherit;padding:.2rem .6rem;
 cursor:pointer}a{color:#0b5cad}.login{max-width:24rem;margin:4rem auto;background:#fff;padding:1.2rem;
 border:1px solid #ddd;border-radius:6px}.login input{width:100%;max-width:none;box-sizing:border-box;margin:.4rem 0}`;

export function layout(title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title}</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html>`;
}

export function loginPage(error?: string): Html {
  return layout(
    'TXTC ops: sign in',
    html`<form class="login" method="post" action="/ops/login">
      <h1>TXTC ops console</h1>
      <p class="muted">Sign in with an API key that holds the <b>ops</b> scope (npm run apikey -- --scopes ops).</p>
      ${error ? html`<p class="bad" role="alert">${error}</p>` : ''}
      <label for="key">Ops key</label>
      <input id="key" name="key" type="password" autocomplete="off" required />
      <button type="submit">Sign in</button>
    </form>`,
  );
}

const age = (from: Date, now: Date) => {
  const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
};

/** A form to one action: the CSRF token, the hidden fields, a reason and a button. */
function actionForm(
  v: ConsoleView,
  action: string,
  fields: Record<string, string>,
  label: string,
  options: { reason?: boolean; inputs?: Html } = {},
): Html {
  return html`<form class="inline" method="post" action="/ops/actions/${action}">
    <input type="hidden" name="csrf" value="${v.csrf}" />
    ${Object.entries(fields).map(([k, val]) => html`<input type="hidden" name="${k}" value="${val}" />`)}
    ${options.inputs ?? ''}
    ${options.reason === false
      ? ''
      : html`<input name="reason" placeholder="reason" required maxlength="500" aria-label="reason" />`}
    <button type="submit">${label}</button>
  </form>`;
}

const link = (v: ConsoleView, id: string) => html`<a href="${v.temporalUi(id)}" rel="noreferrer">${id}</a>`;
const usd = (micros: bigint) => formatUsdMicros(micros);

function probeCell<T>(p: Probe<T>, show: (value: T) => Html | string): Html {
  return p.ok
    ? html`<span class="ok">ok</span> ${show(p.value)} <span class="muted">${p.ms} ms</span>`
    : html`<span class="bad">${p.error}</span>`;
}

function movementsTable(v: ConsoleView, rows: MovementRow[], action?: (r: MovementRow) => Html): Html {
  if (!rows.length) return html`<p class="muted">None.</p>`;
  return html`<table>
    <tr>
      <th>Movement</th>
      <th>Kind</th>
      <th>Stage</th>
      <th>Number</th>
      <th class="r">USD</th>
      <th class="r">Age</th>
      ${action ? html`<th></th>` : ''}
    </tr>
    ${rows.map(
      (r) =>
        html`<tr class="${r.owed ? 'owed' : ''}">
          <td>${link(v, r.id)}</td>
          <td>${r.kind}</td>
          <td>${r.owed ? html`<b>${r.stage}</b>` : r.stage}</td>
          <td>${maskPhone(r.phone)}</td>
          <td class="r">${usd(r.usdMicros)}</td>
          <td class="r">${age(r.createdAt, v.now)}</td>
          ${action ? html`<td>${action(r)}</td>` : ''}
        </tr>`,
    )}
  </table>`;
}

/** Completed (green) and failed (red) movements per hour, as an inline SVG bar chart. */
function volumeChart(hours: HourVolume[]): Html {
  const max = Math.max(1, ...hours.map((h) => h.completed + h.failed));
  const w = 12;
  const bars = hours.map((h, i) => {
    const c = Math.round((h.completed / max) * 60);
    const f = Math.round((h.failed / max) * 60);
    return `<rect x="${i * w}" y="${64 - c - f}" width="${w - 2}" height="${c}" fill="#2e8b57"><title>${h.hour.toISOString().slice(11, 16)} ${h.completed} completed</title></rect><rect x="${i * w}" y="${64 - f}" width="${w - 2}" height="${f}" fill="#c0392b"><title>${h.failed} failed</title></rect>`;
  });
  const completed = hours.reduce((a, h) => a + h.completed, 0);
  const failed = hours.reduce((a, h) => a + h.failed, 0);
  const rate = completed + failed ? ((failed / (completed + failed)) * 100).toFixed(1) : '0.0';
  return html`<svg
      viewBox="0 0 ${hours.length * w} 66"
      width="100%"
      height="80"
      role="img"
      aria-label="movements per hour over the last 24 hours"
    >
      ${raw(bars.join(''))}
    </svg>
    <p>
      Last 24 h: <b>${completed}</b> completed, <b class="${failed ? 'bad' : ''}">${failed}</b> failed (failure rate
      ${rate}%).
    </p>`;
}

export function consolePage(v: ConsoleView): Html {
  const owed = v.byStage.filter((s) =>
    ['debited', 'converted', 'sent', 'refund_failed', 'return_failed'].includes(s.stage),
  );
  const owedTotal = owed.reduce((a, s) => a + s.usdMicros, 0n);
  const { health: h } = v;
  return layout(
    'TXTC ops console',
    html`<header>
        <h1>TXTC ops console</h1>
        <span>Signed in as <b>${v.actor}</b></span>
        ${actionForm(v, 'logout', {}, 'Sign out', { reason: false })}
      </header>
      ${v.notice ? html`<p class="notice ${v.notice.ok ? '' : 'bad'}" role="status">${v.notice.text}</p>` : ''}
      <main>
        <section class="wide" id="alerts">
          <h2>Alerts firing (${v.alerts.length})</h2>
          ${v.alerts.length
            ? html`<table>
                ${v.alerts.map(
                  (a) =>
                    html`<tr>
                      <td class="${a.severity === 'critical' ? 'bad' : ''}">${a.severity}</td>
                      <td>${a.alertname}</td>
                      <td>${a.summary}</td>
                      <td class="muted">${a.startsAt ?? ''}</td>
                    </tr>`,
                )}
              </table>`
            : html`<p class="ok">Nothing is firing.</p>`}
        </section>
        <section class="wide" id="in-flight">
          <h2>Money in flight</h2>
          <p>
            Owed (debited, not yet minted, paid or refunded):
            <b class="${owedTotal ? 'bad' : 'ok'}">${usd(owedTotal)}</b> in ${owed.reduce((a, s) => a + s.n, 0)}
            movements.
          </p>
          <table>
            <tr>
              <th>Kind</th>
              <th>Stage</th>
              <th class="r">Movements</th>
              <th class="r">USD</th>
              <th class="r">Oldest</th>
            </tr>
            ${v.byStage.map(
              (s) =>
                html`<tr>
                  <td>${s.kind}</td>
                  <td>${s.stage}</td>
                  <td class="r">${s.n}</td>
                  <td class="r">${usd(s.usdMicros)}</td>
                  <td class="r">${age(s.oldest, v.now)}</td>
                </tr>`,
            )}
          </table>
          <h2>Oldest first, money owed at the top (${v.inFlight.length} shown)</h2>
          ${movementsTable(v, v.inFlight)}
        </section>
        <section id="held">
          <h2>Held for ops (${v.held.length})</h2>
          ${v.held.length
            ? html`<table>
                <tr>
                  <th>Movement</th>
                  <th>Why</th>
                  <th class="r">USD</th>
                  <th class="r">Expires in</th>
                </tr>
                ${v.held.map(
                  (r) =>
                    html`<tr>
                        <td>${link(v, r.id)}<br /><span class="muted">${r.kind} ${maskPhone(r.phone)}</span></td>
                        <td>${r.reason}<br /><span class="muted">${r.rules}</span></td>
                        <td class="r">${usd(r.usdMicros)}</td>
                        <td class="r">${age(v.now, r.expiresAt)}</td>
                      </tr>
                      <tr>
                        <td colspan="4" class="actions">
                          ${actionForm(v, 'approve', { id: r.id }, 'Approve')}
                          ${actionForm(v, 'reject', { id: r.id }, 'Reject')}
                        </td>
                      </tr>`,
                )}
              </table>`
            : html`<p class="muted">Nothing is held.</p>`}
        </section>
        <section id="refunds">
          <h2>Failed refunds (${v.refundFailed.length})</h2>
          ${movementsTable(v, v.refundFailed, (r) =>
            r.kind === 'swap'
              ? html`<span class="muted">return: Temporal UI</span>`
              : actionForm(v, 'retry-refund', { id: r.id }, 'Retry refund'),
          )}
          <h2>Waiting for the payer's YES (${v.awaitingPayer.length})</h2>
          ${movementsTable(v, v.awaitingPayer)}
        </section>
        <section id="pins">
          <h2>Locked PINs (${v.locked.length})</h2>
          ${v.locked.length
            ? html`<table>
                ${v.locked.map(
                  (l) =>
                    html`<tr>
                      <td>${l.phoneNumber}</td>
                      <td class="muted">${age(l.lockedAt, v.now)} ago</td>
                      <td>${actionForm(v, 'reset-pin', { phone: l.phoneNumber }, 'Reset PIN')}</td>
                    </tr>`,
                )}
              </table>`
            : html`<p class="muted">No PIN is locked.</p>`}
        </section>
        <section id="blocklist">
          <h2>Blocklist (${v.blocklist.length})</h2>
          ${actionForm(v, 'block', {}, 'Block', {
            inputs: html`<input name="party" placeholder="+2547... or 0x..." required aria-label="number or wallet" />`,
          })}
          <table>
            ${v.blocklist.map(
              (e) =>
                html`<tr>
                  <td>${e.value}</td>
                  <td>${e.reason}<br /><span class="muted">by ${e.addedBy}, ${age(e.createdAt, v.now)} ago</span></td>
                  <td>${actionForm(v, 'unblock', { party: e.value }, 'Remove')}</td>
                </tr>`,
            )}
          </table>
        </section>
        <section id="vouchers">
          <h2>Vouchers</h2>
          ${actionForm(v, 'issue-vouchers', {}, 'Issue', {
            inputs: html`<input
                name="amount"
                placeholder="TXTC each, e.g. 50"
                required
                inputmode="decimal"
                aria-label="TXTC each"
              />
              <input name="count" type="number" min="1" max="100" value="1" aria-label="how many" />`,
          })}
          ${actionForm(v, 'revoke-voucher', {}, 'Revoke', {
            inputs: html`<input name="id" placeholder="voucher id v_..." required aria-label="voucher id" />`,
          })}
        </section>
        <section id="reconciliations">
          <h2>Reconciliations</h2>
          ${actionForm(v, 'reconcile', {}, 'Run one now (last hour)')}
          <table>
            <tr>
              <th>Window</th>
              <th>Status</th>
              <th class="r">Mismatches</th>
              <th>By</th>
            </tr>
            ${v.reconciliations.map(
              (r) =>
                html`<tr>
                  <td>${r.windowStart.toISOString().slice(0, 16)} to ${r.windowEnd.toISOString().slice(11, 16)}</td>
                  <td class="${r.status === 'clean' ? 'ok' : 'bad'}">${r.status}</td>
                  <td class="r">${r.mismatchCount}</td>
                  <td class="muted">${r.triggeredBy}</td>
                </tr>`,
            )}
          </table>
        </section>
        <section id="health">
          <h2>Health</h2>
          <table>
            <tr>
              <th>Postgres</th>
              <td>${probeCell(h.postgres, () => '')}</td>
            </tr>
            <tr>
              <th>Temporal</th>
              <td>${probeCell(h.temporal, () => '')}</td>
            </tr>
            <tr>
              <th>Chain</th>
              <td>${probeCell(h.chain, (c) => `block ${c.block}, ${c.ageSeconds} s old`)}</td>
            </tr>
            <tr>
              <th>Chain writers</th>
              <td>
                ${probeCell(h.writers, (ws) =>
                  ws.length
                    ? html`${ws.map(
                        (w) =>
                          html`<br />${w.signer.slice(0, 10)}…: ${w.pending} waiting, ${w.inFlight} in the batch being
                            written, last batch
                            ${w.lastMinedAt ? `${age(new Date(w.lastMinedAt), v.now)} ago` : 'none yet'}, gas
                            ${w.gasWei === undefined ? '?' : formatGas(w.gasWei)}`,
                      )}`
                    : 'none running',
                )}
              </td>
            </tr>
            <tr>
              <th>Operator floats</th>
              <td>
                ${probeCell(h.floats, (fs) =>
                  fs.length
                    ? html`${fs.map(
                        (f) =>
                          html`<br />${f.adapter} ${f.account}: ${f.currency} ${f.balanceMinor.toString()} (minor), read
                            ${age(f.readAt, v.now)} ago`,
                      )}`
                    : 'no reading yet',
                )}
              </td>
            </tr>
            <tr>
              <th>Operator circuits</th>
              <td>
                ${h.circuits
                  ? probeCell(h.circuits, (cs) =>
                      Object.keys(cs).length
                        ? html`${Object.entries(cs).map(
                            ([op, open]) =>
                              html`<br />${op}:
                                <span class="${open ? 'bad' : 'ok'}">${open ? 'open' : 'closed'}</span>`,
                          )}`
                        : 'no operator called yet',
                    )
                  : html`<span class="muted">set OPS_PROMETHEUS_URL to see each worker's circuits</span>`}
              </td>
            </tr>
          </table>
          <h2>Volumes</h2>
          ${volumeChart(v.lastDay)}
        </section>
        <section class="wide" id="audit">
          <h2>Audit (latest ${v.audit.length})</h2>
          <table>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>On</th>
              <th>Why</th>
              <th>Outcome</th>
            </tr>
            ${v.audit.map(
              (a) =>
                html`<tr>
                  <td class="muted">${age(a.at, v.now)} ago</td>
                  <td>${a.actor} <span class="muted">${a.channel}</span></td>
                  <td>${a.action}</td>
                  <td>${a.target}</td>
                  <td>${a.reason}</td>
                  <td class="${a.ok ? 'ok' : 'bad'}">${a.outcome}</td>
                </tr>`,
            )}
          </table>
        </section>
      </main>`,
  );
}

export function vouchersIssuedPage(codes: { id: string; code: string; amount: string }[], expiresAt: Date): Html {
  return layout(
    'TXTC ops: vouchers issued',
    html`<main>
      <section class="wide">
        <h2>${codes.length} voucher(s) issued</h2>
        <p class="bad">Each code is shown this once and stored only as a hash: copy them now.</p>
        <table>
          <tr>
            <th>Id</th>
            <th>Code</th>
            <th>TXTC</th>
          </tr>
          ${codes.map(
            (c) =>
              html`<tr>
                <td>${c.id}</td>
                <td><code>${c.code}</code></td>
                <td>${c.amount}</td>
              </tr>`,
          )}
        </table>
        <p>Expire ${expiresAt.toISOString().slice(0, 10)}. <a href="/ops">Back to the console</a></p>
      </section>
    </main>`,
  );
}
