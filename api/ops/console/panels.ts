/**
 * The console's lower panels: people (locked PINs, the blocklist), vouchers, reconciliations, health and the
 * audit. Every form posts through lib/ops/actions.ts like the REST routes.
 */
import { html } from 'hono/html';
import { formatGas } from './health';
import { actionForm, age, lines, probeCell, table, volumeChart, type Html } from './parts';
import type { ConsoleView } from './view';

export function lowerPanels(v: ConsoleView): Html {
  const { health: h } = v;
  return html`<section id="pins">
      <h2>Locked PINs (${v.locked.length})</h2>
      ${table(
        [],
        v.locked,
        (l) =>
          html`<tr>
            <td>${l.phoneNumber}</td>
            <td class="muted">${age(l.lockedAt, v.now)} ago</td>
            <td>${actionForm(v, 'reset-pin', { phone: l.phoneNumber }, 'Reset PIN')}</td>
          </tr>`,
        html`<p class="muted">No PIN is locked.</p>`,
      )}
    </section>
    <section id="blocklist">
      <h2>Blocklist (${v.blocklist.length})</h2>
      ${actionForm(v, 'block', {}, 'Block', {
        inputs: html`<input name="party" placeholder="+2547... or 0x..." required aria-label="number or wallet" />`,
      })}
      ${table(
        [],
        v.blocklist,
        (e) =>
          html`<tr>
            <td>${e.value}</td>
            <td>${e.reason}<br /><span class="muted">by ${e.addedBy}, ${age(e.createdAt, v.now)} ago</span></td>
            <td>${actionForm(v, 'unblock', { party: e.value }, 'Remove')}</td>
          </tr>`,
      )}
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
      ${table(
        ['Window', 'Status', { right: 'Mismatches' }, 'By'],
        v.reconciliations,
        (r) =>
          html`<tr>
            <td>${r.windowStart.toISOString().slice(0, 16)} to ${r.windowEnd.toISOString().slice(11, 16)}</td>
            <td class="${r.status === 'clean' ? 'ok' : 'bad'}">${r.status}</td>
            <td class="r">${r.mismatchCount}</td>
            <td class="muted">${r.triggeredBy}</td>
          </tr>`,
      )}
      ${v.mismatches.length
        ? html`<h2>Mismatches of the newest run that found any</h2>
            ${table(
              ['Code', 'Where', 'Reference', 'Why'],
              v.mismatches,
              (m) =>
                html`<tr>
                  <td class="bad">${m.code}</td>
                  <td>${m.source}</td>
                  <td>${m.reference ?? m.recordId ?? ''}</td>
                  <td>${m.message}</td>
                </tr>`,
            )}`
        : ''}
    </section>
    <section id="health">
      <h2>Health</h2>
      ${table(
        [],
        [
          ['Postgres', probeCell(h.postgres, () => '')],
          ['Temporal', probeCell(h.temporal, () => '')],
          ['Chain', probeCell(h.chain, (c) => `block ${c.block}, ${c.ageSeconds} s old`)],
          [
            'Chain writers',
            probeCell(h.writers, (ws) =>
              lines(
                ws,
                (w) =>
                  html`${w.signer.slice(0, 10)}…: ${w.pending} waiting, ${w.inFlight} in the batch being written, last
                  batch ${w.lastMinedAt ? `${age(new Date(w.lastMinedAt), v.now)} ago` : 'none yet'}, gas
                  ${w.gasWei === undefined ? '?' : formatGas(w.gasWei)}`,
                'none running',
              ),
            ),
          ],
          [
            'Operator floats',
            probeCell(h.floats, (fs) =>
              lines(
                fs,
                (f) =>
                  html`${f.adapter} ${f.account}: ${f.currency} ${f.balanceMinor.toString()} (minor), read
                  ${age(f.readAt, v.now)} ago`,
                'no reading yet',
              ),
            ),
          ],
          [
            'Operator circuits',
            h.circuits
              ? probeCell(h.circuits, (cs) =>
                  lines(
                    Object.entries(cs),
                    ([op, open]) =>
                      html`${op}: <span class="${open ? 'bad' : 'ok'}">${open ? 'open' : 'closed'}</span>`,
                    'no operator called yet',
                  ),
                )
              : html`<span class="muted">set OPS_PROMETHEUS_URL to see each worker's circuits</span>`,
          ],
        ] as const,
        ([name, cell]) =>
          html`<tr>
            <th>${name}</th>
            <td>${cell}</td>
          </tr>`,
      )}
      <h2>Volumes</h2>
      ${volumeChart(v.lastDay)}
    </section>
    <section class="wide" id="audit">
      <h2>Audit (latest ${v.audit.length})</h2>
      ${table(
        ['When', 'Who', 'What', 'On', 'Why', 'Outcome'],
        v.audit,
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
    </section>`;
}
