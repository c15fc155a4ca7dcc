/**
 * Three tiers, one runner. `unit`: pure logic (money, phone numbers, parsers, menus, config), no stack, in
 * seconds (`npm run test:unit`). `wire`: the operators' official clients (africastalking, mtn-momo) against
 * our protocol servers beside our adapters, request by request; Postgres only (`npm run test:wire`).
 * `integration`: the real Temporal dev server, Postgres and chain, brought up once by globalSetup.
 * `npm test` runs all three.
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

module.exports = {
  testTimeout: 120000,
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
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/test/unit/', '/test/wire/'],
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testTimeout: 120000,
    },
  ],
};
