/**
 * The console's HTML, server-rendered with hono/html (every interpolated value is escaped), no client script:
 * a page of panels that works on a laptop and a phone. Each form posts to /ops/actions/<action> with the
 * session's CSRF token and a reason.
 */
import { html } from 'hono/html';
import { maskPhone } from '../../../lib/log';
import { actionForm, layout, link, movementsTable, table, usd, age, type Html } from './parts';
import type { ConsoleView } from './view';
import { lowerPanels } from './panels';

export { loginPage, vouchersIssuedPage } from './parts';
export type { ConsoleView } from './view';

export function consolePage(v: ConsoleView): Html {
  const owed = v.byStage.filter((s) =>
    ['debited', 'converted', 'sent', 'refund_failed', 'return_failed'].includes(s.stage),
  );
  const owedTotal = owed.reduce((a, s) => a + s.usdMicros, 0n);
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
          ${table(
            [],
            v.alerts,
            (a) =>
              html`<tr>
                <td class="${a.severity === 'critical' ? 'bad' : ''}">${a.severity}</td>
                <td>${a.alertname}</td>
                <td>${a.summary}</td>
                <td class="muted">${a.startsAt ?? ''}</td>
              </tr>`,
            html`<p class="ok">Nothing is firing.</p>`,
          )}
        </section>
        <section class="wide" id="in-flight">
          <h2>Money in flight</h2>
          <p>
            Owed (debited, not yet minted, paid or refunded):
            <b class="${owedTotal ? 'bad' : 'ok'}">${usd(owedTotal)}</b> in ${owed.reduce((a, s) => a + s.n, 0)}
            movements.
          </p>
          ${table(
            ['Kind', 'Stage', { right: 'Movements' }, { right: 'USD' }, { right: 'Oldest' }],
            v.byStage,
            (s) =>
              html`<tr>
                <td>${s.kind}</td>
                <td>${s.stage}</td>
                <td class="r">${s.n}</td>
                <td class="r">${usd(s.usdMicros)}</td>
                <td class="r">${age(s.oldest, v.now)}</td>
              </tr>`,
          )}
          <h2>Oldest first, money owed at the top (${v.inFlight.length} shown)</h2>
          ${movementsTable(v, v.inFlight)}
        </section>
        <section id="held">
          <h2>Held for ops (${v.held.length})</h2>
          ${table(
            ['Movement', 'Why', { right: 'USD' }, { right: 'Expires in' }],
            v.held,
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
            html`<p class="muted">Nothing is held.</p>`,
          )}
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
        ${lowerPanels(v)}
      </main>`,
  );
}
