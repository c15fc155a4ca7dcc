/**
 * Definitions shared by the API, the worker and the workflows: ids, queries, inputs, states and the one
 * list of failures. Side-effect free, so workflow code can import them.
 */
export * from './errors';
export * from './common';
export * from './conversion';
export * from './transfers';
export * from './ussd';
export * from './sms';
export * from './swaps';
export * from './search';
export * from './fraud';
export * from './chain-writer';
export * from './signers';
