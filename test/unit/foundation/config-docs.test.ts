/**
 * The configuration is written once (lib/config): `.env.example` and docs/configuration.md name exactly the
 * variables it reads, each once, and no other; the example's values are the defaults.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_VARIABLES, loadConfig } from '../../../lib/config';

const read = (file: string) => readFileSync(resolve(__dirname, '..', '..', '..', file), 'utf8');
const known = CONFIG_VARIABLES();
const sorted = (names: string[]) => [...names].sort();
/** Every word shaped like a variable (capitals joined by underscores) that the configuration does not read. */
const strangers = (text: string) =>
  [...new Set(text.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g))].filter((word) => !known.includes(word));

test('each variable is written once', () => {
  expect(known.length).toBeGreaterThan(100);
  expect(new Set(known).size).toBe(known.length);
});

describe('.env.example', () => {
  const example = read('.env.example');
  /** NAME=value lines, set or commented out */
  const lines = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=(.*)$/gm)];

  test('has a line for every variable, one each, and names no other', () => {
    expect(sorted(lines.map(([, name]) => name!))).toEqual(sorted(known));
    expect(strangers(example)).toEqual([]);
  });

  test('its values are the defaults, but APP_ENV=local', () => {
    const env = Object.fromEntries(
      lines.filter(([line]) => !line.startsWith('#')).map(([, name, value]): [string, string] => [name!, value!]),
    );
    expect(env).toMatchObject({ APP_ENV: 'local' });
    expect(loadConfig(env)).toEqual(loadConfig({ APP_ENV: 'local' }));
  });
});

test('docs/configuration.md has a row for every variable, one each, and names no other', () => {
  const doc = read('docs/configuration.md');
  const rows = doc.split('\n').filter((line) => line.startsWith('| `'));
  const named = rows.flatMap((row) =>
    [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map(([, name]) => name!),
  );
  expect(sorted(named)).toEqual(sorted(known));
  expect(strangers(doc)).toEqual([]);
});
