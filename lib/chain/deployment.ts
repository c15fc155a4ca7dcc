/** Where the deployed contract addresses of a chain are recorded (one JSON file per chain id). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface Deployment {
  chainId: number;
  txtc: string;
  /** block TXTC was deployed in: where searches of its mint events start */
  txtcBlock: number;
  usd: string;
  uniswapFactory: string;
  ratePair: string;
  deployer: string;
  deployedAt: string;
}

export function deploymentFile(dataDir: string, chainId: number): string {
  return resolve(join(dataDir, 'chain', `deployment-${chainId}.json`));
}

export function readDeployment(dataDir: string, chainId: number): Deployment | undefined {
  const file = deploymentFile(dataDir, chainId);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Deployment) : undefined;
}

export function writeDeployment(dataDir: string, deployment: Deployment): string {
  const file = deploymentFile(dataDir, deployment.chainId);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return file;
}
