/**
 * Compiles contracts/*.sol from source with the `solc` npm package (no compiler download) and writes
 * contracts/artifacts/<Name>.json ({ contractName, abi, bytecode }). Artifacts are generated, never edited.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
// solc ships no types
const solc = require('solc') as { compile(input: string, opts: { import: (p: string) => unknown }): string; version(): string };

export const CONTRACTS_DIR = resolve(__dirname);
export const ARTIFACTS_DIR = join(CONTRACTS_DIR, 'artifacts');
const NODE_MODULES = resolve(__dirname, '..', 'node_modules');

export interface Artifact {
  contractName: string;
  abi: unknown[];
  bytecode: string;
  compiler: string;
}

function sources(): string[] {
  return readdirSync(CONTRACTS_DIR).filter((f) => f.endsWith('.sol')).sort();
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
      const artifact = { contractName: name, abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}`, compiler: solc.version() };
      writeFileSync(join(ARTIFACTS_DIR, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
      artifacts[name] = artifact;
    }
  }
  return artifacts;
}

function stale(name: string): boolean {
  const file = join(ARTIFACTS_DIR, `${name}.json`);
  if (!existsSync(file)) return true;
  const built = statSync(file).mtimeMs;
  return sources().some((s) => statSync(join(CONTRACTS_DIR, s)).mtimeMs > built);
}

/** The artifact of one contract, compiling first when it is missing or older than the sources. */
export function loadArtifact(name: string): Artifact {
  if (stale(name)) compileContracts();
  return JSON.parse(readFileSync(join(ARTIFACTS_DIR, `${name}.json`), 'utf8')) as Artifact;
}

if (require.main === module) {
  const started = Date.now();
  const built = compileContracts();
  process.stdout.write(`compiled ${Object.keys(built).join(', ')} with solc ${solc.version()} in ${Date.now() - started} ms\n`);
}
