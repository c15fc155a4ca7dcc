/**
 * Compiles contracts/*.sol from source with the `solc` npm package (no compiler download) and writes
 * contracts/artifacts/<Name>.json ({ contractName, abi, bytecode }). Artifacts are generated, never edited.
 * Build tooling: `npm start`, the tests, the benchmarks and the Docker build call it; the worker and the
 * API only load what it wrote (lib/chain/artifacts.ts).
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
// solc ships no types and no ES module
// eslint-disable-next-line @typescript-eslint/no-require-imports
const solc = require('solc') as {
  compile(input: string, opts: { import: (p: string) => unknown }): string;
  version(): string;
};

import { ARTIFACTS_DIR, type Artifact } from '../lib/chain/artifacts';

export const CONTRACTS_DIR = resolve(__dirname);
const NODE_MODULES = resolve(__dirname, '..', 'node_modules');

function sources(): string[] {
  return readdirSync(CONTRACTS_DIR)
    .filter((f) => f.endsWith('.sol'))
    .sort();
}

function findImport(path: string): { contents: string } | { error: string } {
  for (const base of [NODE_MODULES, CONTRACTS_DIR]) {
    const file = join(base, path);
    if (existsSync(file)) return { contents: readFileSync(file, 'utf8') };
  }
  return { error: `import not found: ${path}` };
}

export function compileContracts(): Record<string, Artifact> {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(sources().map((f) => [f, { content: readFileSync(join(CONTRACTS_DIR, f), 'utf8') }])),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const artifacts: Record<string, Artifact> = {};
  for (const file of sources()) {
    for (const [name, contract] of Object.entries(output.contracts[file] ?? {})) {
      const artifact = {
        contractName: name,
        abi: contract.abi,
        bytecode: `0x${contract.evm.bytecode.object}`,
        compiler: solc.version(),
      };
      writeFileSync(join(ARTIFACTS_DIR, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
      artifacts[name] = artifact;
    }
  }
  return artifacts;
}

/** True when an artifact is missing or older than a source. */
function stale(): boolean {
  return sources().some((source) => {
    const file = join(ARTIFACTS_DIR, `${source.replace(/\.sol$/, '')}.json`);
    return !existsSync(file) || statSync(join(CONTRACTS_DIR, source)).mtimeMs > statSync(file).mtimeMs;
  });
}

/** Compiles when an artifact is missing or older than its source (build tooling only). */
export function ensureCompiled(): void {
  if (stale()) compileContracts();
}

if (require.main === module) {
  const started = Date.now();
  const built = compileContracts();
  process.stdout.write(
    `compiled ${Object.keys(built).join(', ')} with solc ${solc.version()} in ${Date.now() - started} ms\n`,
  );
}
