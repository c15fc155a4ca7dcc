import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

type Service = {
  image?: string;
  build?: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
};
const compose = parse(readFileSync(resolve(__dirname, '../../../docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

test('docker-compose.yml parses and holds the whole stack', () => {
  expect(Object.keys(compose.services).sort()).toEqual([
    'alertmanager',
    'api',
    'chain',
    'deploy',
    'migrate',
    'postgres',
    'prometheus',
    'temporal',
    'temporal-setup-namespace',
    'temporal-setup-schema',
    'temporal-ui',
    'worker',
  ]);
});

test('each service publishes the port the README names, on 127.0.0.1 only', () => {
  expect(compose.services.api!.ports).toContain('127.0.0.1:8082:8082');
  expect(compose.services['temporal-ui']!.ports).toContain('127.0.0.1:8233:8080');
  expect(compose.services.temporal!.ports).toContain('127.0.0.1:7233:7233');
  expect(compose.services.chain!.ports).toContain('127.0.0.1:8545:8545');
  expect(compose.services.postgres!.ports).toContain('127.0.0.1:5432:5432');
  const published = Object.values(compose.services).flatMap((s) => s.ports ?? []);
  expect(published.filter((p) => !String(p).startsWith('127.0.0.1:'))).toEqual([]);
});

test('the image is production unless told otherwise; the compose demo says local itself', () => {
  expect(readFileSync(resolve(__dirname, '../../../Dockerfile'), 'utf8')).toMatch(/^ENV APP_ENV=production /m);
  expect(compose.services.api!.environment).toMatchObject({ APP_ENV: 'local', HOST: '0.0.0.0' });
});

test('Temporal runs on Postgres, and the worker and API wait for migrations, the deployment and Temporal', () => {
  expect(compose.services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
  for (const name of ['worker', 'api']) {
    const deps = compose.services[name]!.depends_on!;
    expect(deps.temporal).toEqual({ condition: 'service_healthy' });
    expect(deps.migrate).toEqual({ condition: 'service_completed_successfully' });
    expect(deps.deploy).toEqual({ condition: 'service_completed_successfully' });
    // The app services point at the compose hosts, not at anything they would start themselves.
    expect(compose.services[name]!.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      START_LOCAL_TEMPORAL: 'false',
      CHAIN_RPC_URL: 'http://chain:8545',
    });
  }
});
