import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES, searchAttributeSpecs } from '../../../lib/definitions/search';
import { phoneHash } from '../../../lib/ops/phone-hash';

const ROOT = join(__dirname, '../../..');

test('docker compose and the README register exactly the search attributes the workflows upsert', () => {
  const specs = searchAttributeSpecs();
  expect(specs).toEqual(expect.arrayContaining(['TransferKind=Keyword', 'PhoneHash=Keyword', 'AmountUsdCents=Int']));
  expect(specs).toHaveLength(SEARCH_ATTRIBUTES.length);
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { environment: Record<string, string> }>;
  };
  const value = compose.services['temporal-setup-namespace']!.environment.TEMPORAL_SEARCH_ATTRIBUTES!;
  const fallback = /^\$\{TEMPORAL_SEARCH_ATTRIBUTES:-(.*)\}$/.exec(value)?.[1];
  expect(fallback?.split(' ')).toEqual(specs);
  const opsGuide = readFileSync(join(ROOT, 'docs', 'ops.md'), 'utf8');
  for (const spec of specs) expect(opsGuide).toContain(spec);
});

test('the phone hash is stable per key, differs between keys and numbers, and never shows the number', () => {
  const a = phoneHash('+254712345678', 'seed one');
  expect(a).toMatch(/^[0-9a-f]{32}$/);
  expect(phoneHash('+254712345678', 'seed one')).toBe(a);
  expect(phoneHash('+254712345678', 'seed two')).not.toBe(a);
  expect(phoneHash('+254712345679', 'seed one')).not.toBe(a);
  expect(a).not.toContain('712345678');
});
