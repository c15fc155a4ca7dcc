/**
 * Compiled contracts as the worker and the API load them: contracts/artifacts/<Name>.json, written by
 * `npm run build:contracts` (which `npm start`, the tests and the Docker build run). Nothing at run time
 * compiles Solidity.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ARTIFACTS_DIR = resolve(__dirname, '..', '..', 'contracts', 'artifacts');

export interface Artifact {
  contractName: string;
  abi: unknown[];
  bytecode: string;
  compiler: string;
}

const loaded = new Map<string, Artifact>();

export function loadArtifact(name: string): Artifact {
  let artifact = loaded.get(name);
  if (!artifact) {
    const file = join(ARTIFACTS_DIR, `${name}.json`);
    if (!existsSync(file)) throw new Error(`no compiled ${name} at ${file}: run npm run build:contracts`);
    artifact = JSON.parse(readFileSync(file, 'utf8')) as Artifact;
    loaded.set(name, artifact);
  }
  return artifact;
}
