/**
 * Two tiers, one runner. `unit`: pure logic (money, phone numbers, parsers, menus, config), no stack, in
 * seconds (`npm run test:unit`). `integration`: the real Temporal dev server, Postgres and chain, brought
 * up once by globalSetup. `npm test` runs both.
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
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/test/unit/'],
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
      testTimeout: 120000,
    },
  ],
};
