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
import { resolve } from 'node:path';

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
