// Every workflow the worker registers.
export { systemCheckWorkflow } from './system';
export { conversionWorkflow } from './conversion';
