/** `npm run temporal:cli`: print the path of the temporal CLI, building it when needed (used by .ci/run). */
import { ensureTemporalCli } from './local/temporal-cli';

const path = ensureTemporalCli();
if (!path) {
  process.stderr.write('no temporal CLI and no Go toolchain: the Temporal SDK will download its dev server instead\n');
} else {
  process.stdout.write(`${path}\n`);
}
