/**
 * /ops: the ops console (issue 26). Sign in with an API key holding the `ops` scope (whatever API_KEYS_REQUIRED
 * says: no key, no page); the answer is a session cookie (HttpOnly, SameSite=Strict, Secure outside local, path
 * /ops) whose token the database keeps only as a hash. Every form carries the session's CSRF token (an HMAC of
 * the cookie's token, so nothing more is stored) and is refused without it; Hono's csrf() also refuses a form
 * from another origin. Every action goes through lib/ops/actions.ts, the REST routes' code path, and is audited.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { csrf } from 'hono/csrf';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { BridgeError } from '../../../lib/definitions';
import { parseDecimal, formatDecimal } from '../../../lib/money/decimal';
import { TXTC_DECIMALS } from '../../../lib/money/format';
import type { Actor } from '../../../lib/ops/actions';
import type { OpsSession } from '../../../lib/db/ops-console';
import { createReconciliationRepo } from '../../../lib/db/reconciliations';
import { createOpsAlertRepo } from '../../../lib/db/ops-alerts';
import type { ApiContext } from '../../context';
import type { Config } from '../../../lib/config';
import { consolePage, loginPage, vouchersIssuedPage } from './page';
import { readHealth } from './health';

const COOKIE = 'txtc_ops';
const NOTICE = 'txtc_ops_notice';
const ROWS = 50;

export interface ConsoleSettings {
  /** the Temporal UI each movement links to, e.g. http://127.0.0.1:8233 */
  temporalUiUrl: string;
  namespace: string;
  /** Prometheus's base URL, for the workers' circuits (optional) */
  prometheusUrl?: string;
  sessionHours: number;
  /** Secure cookies: everywhere but local development over plain HTTP */
  secureCookie: boolean;
}

export function consoleSettingsOf(config: Config): ConsoleSettings {
  const { opsConsole, temporal } = config;
  return {
    temporalUiUrl: opsConsole.temporalUiUrl ?? `http://127.0.0.1:${temporal.uiPort}`,
    namespace: temporal.namespace,
    ...(opsConsole.prometheusUrl ? { prometheusUrl: opsConsole.prometheusUrl } : {}),
    sessionHours: opsConsole.sessionHours,
    secureCookie: config.appEnv !== 'local',
  };
}

/** The one-line notice an action left (our own cookie; anything else in it is ignored). */
function noticeOf(cookie: string | undefined): { notice: { ok: boolean; text: string } } | undefined {
  try {
    const v = JSON.parse(cookie ?? '') as { ok?: unknown; text?: unknown };
    return typeof v.ok === 'boolean' && typeof v.text === 'string' ? { notice: { ok: v.ok, text: v.text } } : undefined;
  } catch {
    return undefined;
  }
}

/** The page's reads, all at once, each under the name the page gives it. */
async function allOf<P extends Record<string, Promise<unknown>>>(reads: P): Promise<{ [K in keyof P]: Awaited<P[K]> }> {
  const entries = await Promise.all(Object.entries(reads).map(async ([name, read]) => [name, await read] as const));
  return Object.fromEntries(entries) as { [K in keyof P]: Awaited<P[K]> };
}

type Env = { Variables: { opsSession: OpsSession; opsToken: string } };

const csrfTokenOf = (token: string) => createHmac('sha256', token).update('txtc-ops csrf').digest('base64url');

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const noStore = (c: Context<Env>) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Frame-Options', 'DENY');
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  );
};

export function consoleRoutes(ctx: ApiContext, settings: ConsoleSettings) {
  const repo = ctx.services.opsConsole;
  const reconciliations = createReconciliationRepo(ctx.deps.pool);
  const alerts = createOpsAlertRepo(ctx.deps.pool);
  const cookieOptions = { httpOnly: true, sameSite: 'Strict', secure: settings.secureCookie, path: '/ops' } as const;
  const temporalUi = (id: string) =>
    `${settings.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(id)}`;

  const app = new Hono<Env>();
  app.use(
    '*',
    createMiddleware<Env>(async (c, next) => {
      noStore(c);
      await next();
    }),
  );
  // A form posted from another site is refused before anything reads it: the browser's Sec-Fetch-Site says
  // same-origin, or the Origin's host is the Host asked for (behind a TLS proxy the schemes differ).
  app.use('*', csrf({ origin: (origin, c) => URL.canParse(origin) && new URL(origin).host === c.req.header('host') }));

  app.get('/login', (c) => c.html(loginPage()));
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const presented = typeof form.key === 'string' ? form.key.trim() : '';
    const key = presented ? await ctx.services.apiKeys.authenticate(presented) : undefined;
    if (!key || !key.scopes.includes('ops')) {
      ctx.deps.log.info({ reason: key ? 'no ops scope' : 'unknown key' }, 'console sign-in refused');
      return c.html(loginPage('That key does not open the console.'), 401);
    }
    const token = randomBytes(32).toString('base64url');
    await repo.openSession(token, key.id, key.name, settings.sessionHours);
    setCookie(c, COOKIE, token, { ...cookieOptions, maxAge: settings.sessionHours * 3600 });
    return c.redirect('/ops', 303);
  });

  // Everything below needs a live session; a form also needs its CSRF token.
  app.use(
    '*',
    createMiddleware<Env>(async (c, next) => {
      const token = getCookie(c, COOKIE);
      const session = token ? await repo.session(token) : undefined;
      if (!token || !session) {
        if (c.req.method === 'GET') return c.redirect('/ops/login', 303);
        return c.html(loginPage('Your session has ended: sign in again.'), 401);
      }
      if (c.req.method === 'POST') {
        const form = await c.req.parseBody();
        const presented = typeof form.csrf === 'string' ? form.csrf : '';
        if (!sameToken(presented, csrfTokenOf(token))) {
          ctx.deps.log.warn({ path: c.req.path, actor: session.actor }, 'console form without its CSRF token refused');
          return c.html(
            loginPage('That form was not from this session: nothing was changed. Reload the console.'),
            403,
          );
        }
      }
      c.set('opsSession', session);
      c.set('opsToken', token);
      await next();
    }),
  );

  app.get('/', async (c) => {
    const notice = getCookie(c, NOTICE);
    if (notice) deleteCookie(c, NOTICE, cookieOptions);
    const s = ctx.services;
    const panels = await allOf({
      byStage: repo.inFlightByStage(),
      inFlight: repo.inFlight(ROWS),
      held: repo.held(ROWS),
      awaitingPayer: repo.atStage('awaiting_payer', ROWS),
      refundFailed: repo.atStage('refund_failed', ROWS),
      locked: s.ussd.lockedNumbers(),
      blocklist: s.blocklist.list(),
      reconciliations: reconciliations.latest(5),
      alerts: alerts.firing(),
      lastDay: repo.lastDay(),
      audit: repo.recentAudit(20),
      health: readHealth(ctx, settings.prometheusUrl),
    });
    // The mismatches of the newest run that found any (at most 10 shown; GET /api/reconciliations/:id has all).
    const mismatched = panels.reconciliations.find((r) => r.status === 'mismatches');
    const mismatches = mismatched ? ((await reconciliations.get(mismatched.id))?.mismatches ?? []).slice(0, 10) : [];
    return c.html(
      consolePage({
        ...panels,
        mismatches,
        actor: c.get('opsSession').actor,
        csrf: csrfTokenOf(c.get('opsToken')),
        ...(noticeOf(notice) ?? {}),
        temporalUi,
        blocklist: panels.blocklist.filter((e) => !e.removedAt),
        now: new Date(),
      }),
    );
  });

  /** Back to the console with one line saying how the action went (a cookie read once, never the URL). */
  const done = (c: Context<Env>, ok: boolean, text: string, anchor: string) => {
    setCookie(c, NOTICE, JSON.stringify({ ok, text: text.slice(0, 300) }), { ...cookieOptions, maxAge: 60 });
    return c.redirect(`/ops#${anchor}`, 303);
  };

  app.post('/actions/:action', async (c) => {
    const action = c.req.param('action');
    const form = await c.req.parseBody();
    const field = (name: string) => {
      const value = form[name];
      return typeof value === 'string' ? value.trim() : '';
    };
    const session = c.get('opsSession');
    const actor: Actor = { name: session.actor, apiKeyId: session.apiKeyId, channel: 'console' };
    const reason = field('reason');
    const ops = ctx.ops;
    const party = () => {
      const p = field('party');
      return /^0x/i.test(p) ? { kind: 'wallet' as const, value: p } : { kind: 'phone' as const, value: p };
    };
    try {
      switch (action) {
        case 'logout':
          await repo.endSession(c.get('opsToken'));
          deleteCookie(c, COOKIE, cookieOptions);
          return c.redirect('/ops/login', 303);
        case 'approve': {
          const r = await ops.approveHeld(actor, field('id'), reason);
          return done(c, true, `${field('id')}: ${r.decision}`, 'held');
        }
        case 'reject': {
          const r = await ops.rejectHeld(actor, field('id'), reason);
          return done(c, true, `${field('id')}: ${r.decision}`, 'held');
        }
        case 'retry-refund': {
          const r = await ops.retryRefund(actor, field('id'), reason);
          const text = r.refunded ? 'refunded' : `still not refunded (${r.failure?.type ?? 'unknown'})`;
          return done(c, r.refunded, `${field('id')}: ${text}`, 'refunds');
        }
        case 'reset-pin':
          return done(c, true, `PIN reset for ${await ops.resetPin(actor, field('phone'), reason)}`, 'pins');
        case 'block': {
          const { entry, added } = await ops.block(actor, party(), reason);
          return done(c, true, `${entry.value} ${added ? 'blocked' : 'was already blocked'}`, 'blocklist');
        }
        case 'unblock':
          return done(c, true, `${(await ops.unblock(actor, party(), reason)).value} removed`, 'blocklist');
        case 'issue-vouchers': {
          const count = Number(field('count') || '1');
          if (!Number.isInteger(count) || count < 1 || count > 100)
            throw new BridgeError('InvalidRequest', 'between 1 and 100 vouchers at a time');
          const issued = await ops.issueVouchers(
            actor,
            { txtcAmount: parseDecimal(field('amount'), TXTC_DECIMALS), count },
            reason,
          );
          // The codes are shown on this answer only (no redirect, no cookie holds them).
          return c.html(
            vouchersIssuedPage(
              issued.map(({ voucher, code }) => ({
                id: voucher.id,
                code,
                amount: formatDecimal(voucher.txtcAmount, TXTC_DECIMALS),
              })),
              issued[0]!.voucher.expiresAt ?? new Date(),
            ),
          );
        }
        case 'revoke-voucher':
          return done(c, true, `${(await ops.revokeVoucher(actor, field('id'), reason)).id} revoked`, 'vouchers');
        case 'reconcile':
          return done(c, true, `reconciliation ${await ops.reconcileNow(actor, reason)} started`, 'reconciliations');
        default:
          return c.html(loginPage('No such action.'), 404);
      }
    } catch (e) {
      if (!(e instanceof BridgeError)) {
        ctx.deps.log.error({ err: e instanceof Error ? e.message : String(e), action }, 'console action failed');
        return done(c, false, `${action}: something went wrong; nothing more was done (see the logs)`, 'audit');
      }
      return done(c, false, `${action} refused: ${e.message}`, 'audit');
    }
  });

  return app;
}
