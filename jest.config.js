/**
 * Five tiers, one runner. `unit`: pure logic (money, phone numbers, parsers, menus, config), no stack, in
 * seconds (`npm run test:unit`). `wire`: the operators' official clients (africastalking, mtn-momo) against
 * our protocol servers beside our adapters, request by request; Postgres only (`npm run test:wire`).
 * `workflow`: the workflows' branches with stub activities on a Temporal dev server alone
 * (`npm run test:workflow`). `integration`: the real Temporal dev server, Postgres and chain, brought up once
 * per jest worker by globalSetup. `chaos`: the short chaos run on a stack of its own, restarting the machine's
 * Postgres, so alone and last. `npm test` runs the first four four files at a time, then the chaos run.
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

module.exports = {
  testTimeout: 120000,
  // Four files at a time, whatever the machine: globalSetup starts one integration stack (Temporal dev server,
  // chain node, database) per worker, so this also bounds how many it starts. Most of a file's time is waiting
  // (timers, blocks, restarts), not CPU: on 2 cores the non-chaos tiers took 315 s with two, 242 s with three
  // and 212 s with four (the CPU busy 67% and 79% of the time with three and four).
  maxWorkers: 4,
  verbose: true,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
      transform,
    },
    {
      displayName: 'wire',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/wire'],
      testMatch: ['**/*.test.ts'],
      transform,
      testTimeout: 60000,
    },
    {
      displayName: 'workflow',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/workflow'],
      testMatch: ['**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/workflow/global-setup.ts',
      globalTeardown: '<rootDir>/test/workflow/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testTimeout: 60000,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/test/unit/', '/test/wire/', '/test/workflow/', '/test/chaos/'],
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testTimeout: 120000,
    },
    {
      // Each starts a stack of its own and restarts the machine's Postgres: run alone, after the others.
      displayName: 'chaos',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/chaos'],
      testMatch: ['**/*.test.ts'],
      transform,
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testTimeout: 120000,
    },
  ],
};
