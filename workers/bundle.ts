/**
 * How the workflow bundle is built, in one place (the worker, the tests' shared bundle and the benchmarks).
 *
 * The worker runs every workflow in one reusable V8 context, but each workflow gets its own copy of every
 * module it imports: the module's top level runs again for each new workflow. For our pure modules (the
 * menu, the message catalogues, money arithmetic, phone-number parsing with libphonenumber's metadata,
 * about 160 kB of object literal) that is most of the cost of starting a workflow, paid on every USSD
 * dial and every conversion. These modules hold no per-workflow state (constants, pure functions and
 * classes), so they are loaded once, before any workflow, and shared; the SDK freezes them.
 * workflows/*.ts themselves are not preloaded: they proxy activities and keep workflow state.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

export const PRELOADED_WORKFLOW_MODULES = [
  'libphonenumber-js/max',
  resolve(__dirname, '../lib/definitions'),
  resolve(__dirname, '../lib/ussd/menu'),
  resolve(__dirname, '../lib/ussd/messages'),
  resolve(__dirname, '../lib/messages/sms'),
  resolve(__dirname, '../lib/sms/parser'),
  resolve(__dirname, '../lib/money/conversion'),
  resolve(__dirname, '../lib/money/transfer'),
  resolve(__dirname, '../lib/money/swap'),
  resolve(__dirname, '../lib/money/wire'),
  resolve(__dirname, '../lib/telco/detect'),
];

/** What the bundle is built from: workflow code imports only workflows/ and lib/, and the installed packages. */
const BUNDLE_SOURCES = ['workflows', 'lib'];

/** A digest of every source the bundle may hold (the .ts files of workflows/ and lib/, and package-lock.json). */
function sourceDigest(root: string): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push(path);
    }
  };
  for (const dir of BUNDLE_SOURCES) walk(join(root, dir));
  files.push(join(root, 'package-lock.json'));
  for (const file of files.sort()) {
    hash.update(relative(root, file)).update('\0');
    hash.update(existsSync(file) ? readFileSync(file) : '').update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Bundles of earlier versions of the code are removed once unused this long (a test run may still hold one). */
const STALE_BUNDLE_MS = 24 * 3600_000;

/**
 * The workflow bundle, kept as a file under `cacheDir` named by a digest of its sources: built once (webpack, 2
 * to 8 s on two shared cores) and read by every later start. A worker restarted after a crash polls again in
 * the time it takes to load, not to bundle: under ten kills in 100 s, bundling at each start kept the one
 * worker down most of the time. Two processes building at once each write a file of their own and rename it
 * into place; either result is the same bundle. The code is returned read, so a file removed later (another
 * version's start cleaning up) cannot fail a worker being created; bundles unused for a day are removed.
 */
export async function cachedWorkflowBundle(
  cacheDir: string,
  logger?: BundleOptions['logger'],
): Promise<{ code: string }> {
  const root = resolve(__dirname, '..');
  const dir = resolve(cacheDir);
  const codePath = join(dir, `workflow-bundle-${sourceDigest(root)}.js`);
  if (existsSync(codePath)) {
    const now = new Date();
    utimesSync(codePath, now, now);
    return { code: readFileSync(codePath, 'utf8') };
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    preloadModules: PRELOADED_WORKFLOW_MODULES,
    ...(logger ? { logger } : {}),
  });
  mkdirSync(dir, { recursive: true });
  const partial = `${codePath}.${process.pid}.partial`;
  writeFileSync(partial, code);
  renameSync(partial, codePath);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (/^workflow-bundle-[0-9a-f]+\.js$/.test(name) && Date.now() - statSync(path).mtimeMs > STALE_BUNDLE_MS)
      rmSync(path, { force: true });
  }
  return { code };
}
