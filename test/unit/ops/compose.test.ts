import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../../..');

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | null>;
  volumes?: (string | { source: string; target: string })[];
  depends_on?: Record<string, { condition: string }>;
}

const composeBinary = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
if (!composeBinary) {
  console.warn('docker-compose not found: skipping the docker-compose.yml checks (apt-get install docker-compose)');
}
const withCompose = composeBinary ? test : test.skip;

/** docker-compose.yml as Docker Compose reads it: interpolated, normalised and validated. */
function composeConfig(): { services: Record<string, Service> } {
  const out = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TEMPORAL_SEARCH_ATTRIBUTES: '' },
  });
  expect({ status: out.status, stderr: out.stderr }).toMatchObject({ status: 0 });
  return parse(out.stdout) as { services: Record<string, Service> };
}

const mounts = (service: Service): { source: string; target: string }[] =>
  (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target };
    const [source, target] = v.split(':') as [string, string];
    return { source, target };
  });

withCompose('docker-compose config accepts the file, and Temporal runs without the deprecated auto-setup image', () => {
  const { services } = composeConfig();
  for (const service of Object.values(services)) expect(service.image ?? '').not.toMatch(/auto-setup/);
  expect(services.temporal!.image).toMatch(/^temporalio\/server:/);
  expect(services['temporal-setup-schema']!.image).toMatch(/^temporalio\/admin-tools:/);
  expect(services.temporal!.depends_on!['temporal-setup-schema']).toEqual({
    condition: 'service_completed_successfully',
  });
  expect(services['temporal-setup-namespace']!.depends_on!.temporal).toEqual({ condition: 'service_healthy' });
  for (const app of ['worker', 'api']) {
    expect(services[app]!.depends_on!['temporal-setup-namespace']).toEqual({
      condition: 'service_completed_successfully',
    });
  }
});

withCompose("the server's dynamic config is mounted and enables what npm start's dev server enables", () => {
  const { services } = composeConfig();
  const temporal = services.temporal!;
  const dir = mounts(temporal).find((m) => m.target === '/etc/temporal/config/dynamicconfig');
  expect(dir?.source).toBe(join(ROOT, 'ops/temporal/dynamicconfig'));
  const file = String(temporal.environment!.DYNAMIC_CONFIG_FILE_PATH).replace('config/dynamicconfig/', '');
  const dynamic = parse(readFileSync(join(ROOT, 'ops/temporal/dynamicconfig', file), 'utf8')) as Record<
    string,
    { value: unknown }[]
  >;
  const devFlags = [...readFileSync(join(ROOT, 'scripts/start.ts'), 'utf8').matchAll(/'([\w.]+)=true'/g)].map(
    (m) => m[1]!,
  );
  expect(devFlags).toEqual(
    expect.arrayContaining(['frontend.enableUpdateWorkflowExecution', 'frontend.enableExecuteMultiOperation']),
  );
  for (const flag of devFlags) expect({ flag, value: dynamic[flag]?.[0]?.value }).toEqual({ flag, value: true });
});

withCompose('Prometheus loads the alert rules and scrapes the API and the worker on the ports they serve', () => {
  const { services } = composeConfig();
  const targets = mounts(services.prometheus!).map((m) => m.target);
  expect(targets).toEqual(expect.arrayContaining(['/etc/prometheus/prometheus.yml', '/etc/prometheus/alerts.yml']));
  const config = parse(readFileSync(join(ROOT, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  expect(config.rule_files).toEqual(['alerts.yml']);
  const scraped = config.scrape_configs.flatMap((j) => j.static_configs.flatMap((s) => s.targets));
  const env = services.worker!.environment!;
  expect(scraped).toEqual(
    expect.arrayContaining([
      `api:${services.api!.environment!.PORT}`,
      `worker:${env.WORKER_METRICS_PORT}`,
      `worker:${env.TEMPORAL_WORKER_METRICS_PORT}`,
    ]),
  );
  if (spawnSync('promtool', ['--version']).status === 0) {
    const check = spawnSync('promtool', ['check', 'config', 'ops/prometheus/prometheus.yml'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect({ status: check.status, output: check.stdout + check.stderr }).toMatchObject({ status: 0 });
  }
});
