// Lint for what the type checker cannot see: floating promises anywhere, and determinism in workflows.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'contracts/artifacts/**', 'coverage/**', '*.config.js', '*.config.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // Workflow code is replayed: no I/O, no Node built-ins, no clocks or randomness of its own.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', 'http', 'https', 'net'], message: 'workflows must not use Node built-ins' },
          { group: ['pg', 'ethers', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'I/O belongs in activities' },
          { group: ['**/lib/db/*', '**/lib/chain/*', '**/lib/telco/*', '**/lib/rates', '**/lib/wallets', '**/lib/config', '**/lib/log'], message: 'workflows may import only pure modules (lib/money, definitions)' },
          { group: ['**/activities/*', '**/activities'], allowTypeImports: true, message: 'import activities with `import type` and proxy them' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' }, { name: 'setInterval', message: 'use sleep() from @temporalio/workflow' }],
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'take time from the workflow (workflowInfo, sleep, timers), not a clock of your own' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'use uuid4() from @temporalio/workflow' },
      ],
    },
  },
);
