// Every workflow the worker registers.
export { systemCheckWorkflow } from './system';
