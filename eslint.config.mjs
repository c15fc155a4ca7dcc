// typescript-eslint's recommended type-checked rules everywhere, determinism in workflows (a workflow file may
// import only what is listed below, an allowlist, and never reads clocks or randomness of its own), and layers
// that point down: lib/ (definitions, money, telco, chain, db...) imports nothing of workflows/, activities/,
// api/, workers/ or scripts/.
import tseslint from 'typescript-eslint';

/** What workflow code may import: the SDK's workflow API, definitions, its own helpers, and pure modules. */
const WORKFLOW_IMPORTS = [
  '@temporalio/workflow',
  // search attribute keys and types (pure definitions)
  '@temporalio/common',
  'libphonenumber-js(/.*)?',
  '\\.{1,2}/shared(/.*)?',
  '(\\.\\./)+lib/definitions(/.*)?',
  '\\./[a-z-]+',
  '(\\.\\./)+lib/money/[a-z-]+',
  '(\\.\\./)+lib/telco/(detect|prefixes)',
  '(\\.\\./)+lib/ussd/(menu|messages|types|input)',
  '(\\.\\./)+lib/messages/[a-z-]+',
  '(\\.\\./)+lib/sms/parser',
];
const ACTIVITY_TYPES = '(\\.\\./)+activities(/[a-z-]+)?';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'contracts/artifacts/**', 'coverage/**', '*.config.js', '*.config.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // bigint amounts are printed in messages on purpose; they are exact.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read JSON bodies and jest matchers loosely on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The bottom layer: what every layer shares imports nothing above it.
    files: ['lib/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(workflows|activities|api|workers|scripts)(/.*)?$',
              message: 'lib/ is the bottom layer: it imports nothing of workflows, activities, api, workers or scripts',
            },
          ],
        },
      ],
    },
  },
  {
    // The API's route files hang off api/context.ts; only the entry points assemble them (no circle through app.ts).
    files: ['api/**/*.ts'],
    ignores: ['api/app.ts', 'api/main.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)*(\\./)?app$',
              message: 'route files import api/context.ts (ApiContext, AppDeps), never api/app.ts',
            },
            {
              regex: '^(\\.\\./)+(workflows|activities|workers|scripts)(/.*)?$',
              message:
                'the API starts and reads workflows through the Temporal client: it imports no workflow, activity, worker or script',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed: no I/O, no Node built-ins, no clocks or randomness of its own.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!(${[...WORKFLOW_IMPORTS, ACTIVITY_TYPES].join('|')})$)`,
              message:
                'workflows may import only @temporalio/workflow, lib/definitions, workflows/shared and pure modules (lib/money, lib/telco/detect, lib/ussd menu)',
            },
            {
              regex: `^${ACTIVITY_TYPES}$`,
              allowTypeImports: true,
              message: 'import activities with `import type` and proxy them',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
        { name: 'setInterval', message: 'use sleep() from @temporalio/workflow' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'take time from the workflow (workflowInfo, sleep, timers), not a clock of your own',
        },
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'use uuid4() from @temporalio/workflow',
        },
      ],
    },
  },
);
