import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { parse } from 'yaml';
import { processRegistry } from '../../../lib/metrics';
import { createRecordMetrics } from '../../../lib/record-metrics';

const ROOT = join(__dirname, '../../..');
const RULES = join(ROOT, 'ops/prometheus/alerts.yml');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = (): Rule[] =>
  (parse(readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

/** Every series name the product exports: the process registry, the records registry, histograms' parts. */
function exportedNames(): Set<string> {
  // The records registry reads nothing until it is scraped, so a pool that is never used is enough here.
  const records = createRecordMetrics({ pool: {} as Pool, cacheTtlMs: 0 });
  const names = new Set<string>(['up']); // Prometheus's own, per scrape target
  for (const metric of [...processRegistry.getMetricsAsArray(), ...records.getMetricsAsArray()]) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const part of ['_bucket', '_sum', '_count']) names.add(`${name}${part}`);
  }
  return names;
}

const PROMQL_WORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
]);

/** The metric names an expression reads: identifiers that are not functions, keywords, labels or strings. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\[[^\]]*\]/g, ''); // ranges and subqueries
  const names: string[] = [];
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = stripped.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(m[0])) continue; // a function or a keyword
    names.push(m[0]);
  }
  return names;
}

test('the alert rules parse, and each one has a name, an expression, a severity and a summary', () => {
  const all = rules();
  expect(all.length).toBeGreaterThanOrEqual(8);
  for (const rule of all) {
    expect(rule.alert).toMatch(/^Txtc[A-Za-z]+$/);
    expect(rule.expr.trim()).not.toBe('');
    expect(['warning', 'critical']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
  }
  expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
});

test('every rule reads metrics the API or the worker exports, and no other', () => {
  const exported = exportedNames();
  for (const rule of rules()) {
    const used = metricNames(rule.expr);
    expect({ alert: rule.alert, used: used.length > 0 }).toEqual({ alert: rule.alert, used: true });
    const unknown = used.filter((name) => !exported.has(name));
    expect({ alert: rule.alert, unknown }).toEqual({ alert: rule.alert, unknown: [] });
  }
});

test('the rules cover what the issue asks for: operator failures, failed transactions, unusual volume, liquidity, money owed, pending too long', () => {
  const exprs = rules()
    .map((r) => r.expr)
    .join('\n');
  for (const metric of [
    'txtc_operator_calls_total',
    'txtc_transactions_total',
    'txtc_transaction_volume_usd_total',
    'txtc_pool_reserve',
    'txtc_money_owed_transactions',
    'txtc_transactions_oldest_pending_age_seconds',
    'txtc_held_oldest_age_seconds',
  ]) {
    expect(exprs).toContain(metric);
  }
});

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.status === 0;
if (!hasPromtool) {
  console.warn('promtool not found: skipping `promtool check rules` (apt-get install prometheus provides it)');
}

(hasPromtool ? test : test.skip)('promtool check rules accepts the rules file', () => {
  const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
  expect({ status: check.status, output: check.stdout + check.stderr }).toMatchObject({ status: 0 });
});

(hasPromtool ? test : test.skip)(
  'promtool test rules: a hold waiting past an hour pages ops, one under it does not',
  () => {
    const run = spawnSync('promtool', ['test', 'rules', join(ROOT, 'ops/prometheus/alerts.test.yml')], {
      encoding: 'utf8',
    });
    expect({ status: run.status, output: run.stdout + run.stderr }).toMatchObject({ status: 0 });
  },
);

const AM = join(ROOT, 'ops/alertmanager/alertmanager.yml');
const amtool = spawnSync('amtool', ['--version'], { encoding: 'utf8' });

test('Prometheus sends to Alertmanager, whose one receiver is the product’s (resolved too), critical repeated hourly', () => {
  const prometheus = parse(readFileSync(join(ROOT, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  };
  expect(prometheus.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
  const am = parse(readFileSync(AM, 'utf8')) as {
    route: { receiver: string; routes: { matchers: string[]; receiver: string; repeat_interval: string }[] };
    receivers: { name: string; webhook_configs: { url: string; send_resolved: boolean; http_config: unknown }[] }[];
  };
  expect(am.receivers).toHaveLength(1);
  expect(am.receivers[0]!.webhook_configs[0]).toMatchObject({
    url: 'http://api:8082/api/ops/alerts',
    send_resolved: true,
    http_config: { authorization: { type: 'Bearer' } },
  });
  const critical = am.route.routes.find((r) => r.matchers.includes('severity="critical"'));
  expect(critical).toMatchObject({ receiver: 'txtc-oncall', repeat_interval: '1h' });
  // every severity the rules use is routed
  for (const severity of new Set(rules().map((r) => r.labels!.severity))) {
    expect(am.route.routes.some((r) => r.matchers.includes(`severity="${severity}"`))).toBe(true);
  }
});

(amtool.status === 0 ? test : test.skip)('amtool check-config accepts the Alertmanager file', () => {
  const run = spawnSync('amtool', ['check-config', AM], { encoding: 'utf8' });
  expect({ status: run.status, output: run.stdout + run.stderr }).toMatchObject({ status: 0 });
});
