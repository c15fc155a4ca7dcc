/**
 * The console's layout and the pieces its panels are made of: the page shell and its style, the sign-in page,
 * forms (each with the session's CSRF token and a reason), links to the Temporal UI, tables and the chart.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { maskPhone } from '../../../lib/log';
import { formatUsdMicros } from '../../../lib/money/format';
import type { HourVolume, MovementRow } from '../../../lib/db/ops-console';
import type { Probe } from './health';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What every piece needs of the page: the form token, where a workflow's link goes, the time it was read. */
export interface ViewBase {
  csrf: string;
  temporalUi: (workflowId: string) => string;
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
      <p class="muted">
        Sign in with an API key that holds the <b>ops</b> scope (npm run apikey -- create --name you --scopes ops).
      </p>
      ${error ? html`<p class="bad" role="alert">${error}</p>` : ''}
      <label for="key">Ops key</label>
      <input id="key" name="key" type="password" autocomplete="off" required />
      <button type="submit">Sign in</button>
    </form>`,
  );
}

export const age = (from: Date, now: Date) => {
  const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
};

/** A form to one action: the CSRF token, the hidden fields, a reason and a button. */
export function actionForm(
  v: ViewBase,
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

export const link = (v: ViewBase, id: string) => html`<a href="${v.temporalUi(id)}" rel="noreferrer">${id}</a>`;
export const usd = (micros: bigint) => formatUsdMicros(micros);

export function probeCell<T>(p: Probe<T>, show: (value: T) => Html | string): Html {
  return p.ok
    ? html`<span class="ok">ok</span> ${show(p.value)} <span class="muted">${p.ms} ms</span>`
    : html`<span class="bad">${p.error}</span>`;
}

/** A column's heading: `right` for a number's, aligned with its cells. */
export type Heading = string | { right: string };

/**
 * Every table of the console: its heading row (none without headings), then a row per item; `empty` in its
 * place when given and there is nothing to list.
 */
export function table<T>(headings: Heading[], items: readonly T[], row: (item: T) => Html, empty?: Html): Html {
  if (!items.length && empty) return empty;
  return html`<table>
    ${headings.length
      ? html`<tr>
          ${headings.map((h) => (typeof h === 'string' ? html`<th>${h}</th>` : html`<th class="r">${h.right}</th>`))}
        </tr>`
      : ''}
    ${items.map(row)}
  </table>`;
}

/** What a probe found, one item a line, or `none` when it found none. */
export function lines<T>(items: T[], line: (item: T) => Html, none: string): Html | string {
  return items.length ? html`${items.map((item) => html`<br />${line(item)}`)}` : none;
}

export function movementsTable(v: ViewBase, rows: MovementRow[], action?: (r: MovementRow) => Html): Html {
  return table(
    ['Movement', 'Kind', 'Stage', 'Number', { right: 'USD' }, { right: 'Age' }, ...(action ? [''] : [])],
    rows,
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
    html`<p class="muted">None.</p>`,
  );
}

/** Completed (green) and failed (red) movements per hour, as an inline SVG bar chart. */
export function volumeChart(hours: HourVolume[]): Html {
  const max = Math.max(1, ...hours.map((h) => h.completed + h.failed));
  const w = 12;
  const bars = hours.map((h, i) => {
    const c = Math.round((h.completed / max) * 60);
    const f = Math.round((h.failed / max) * 60);
    return `<rect x="${i * w}" y="${64 - c - f}" width="${w - 2}" height="${c}" fill="#2e8b57"><title>${h.hour.toISOString().slice(11, 16)} ${h.completed} completed</title></rect><rect x="${i * w}" y="${64 - f}" width="${w - 2}" height="${f}" fill="#c0392b"><title>${h.failed} failed</title></rect>`;
  });
  const completed = hours.reduce((a, h) => a + h.completed, 0);
  const failed = hours.reduce((a, h) => a + h.failed, 0);
  // The failure rate in tenths of a percent, in integers.
  const total = completed + failed;
  const permille = total ? Math.round((failed * 1000) / total) : 0;
  const rate = `${Math.floor(permille / 10)}.${permille % 10}`;
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

export function vouchersIssuedPage(codes: { id: string; code: string; amount: string }[], expiresAt: Date): Html {
  return layout(
    'TXTC ops: vouchers issued',
    html`<main>
      <section class="wide">
        <h2>${codes.length} voucher(s) issued</h2>
        <p class="bad">Each code is shown this once and stored only as a hash: copy them now.</p>
        ${table(
          ['Id', 'Code', 'TXTC'],
          codes,
          (c) =>
            html`<tr>
              <td>${c.id}</td>
              <td><code>${c.code}</code></td>
              <td>${c.amount}</td>
            </tr>`,
        )}
        <p>Expire ${expiresAt.toISOString().slice(0, 10)}. <a href="/ops">Back to the console</a></p>
      </section>
    </main>`,
  );
}
