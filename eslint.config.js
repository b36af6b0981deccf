// @ts-check
// Lint for src/, test/, bench/, scripts/ and web/ (the inbox and the widget, with React's rules). Module boundaries are not checked here: they live in
// .dependency-cruiser.cjs (the second half of `npm run lint`).
import { defineConfig, globalIgnores } from 'eslint/config';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// ESLint's own recommended set (what `@eslint/js` ships as `configs.recommended`), read from the
// rules' metadata so that we do not need another devDependency for it.
const eslintRecommended = Object.fromEntries(
  [...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']),
);

// The Node.js globals the build scripts use; TypeScript files do not need this (tsc resolves names).
const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval',
    'clearInterval', 'setImmediate', 'structuredClone', 'fetch', 'AbortController', 'TextEncoder', 'TextDecoder']
    .map((name) => [name, 'readonly']),
);

const typeScriptFiles = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'web/**/*.ts', 'web/**/*.tsx'];
const webFiles = ['web/**/*.ts', 'web/**/*.tsx'];
const testFiles = ['test/**/*.ts', 'src/**/*.spec.ts', 'src/**/*.int-spec.ts', 'src/**/*.browser-spec.ts', 'src/**/*.contract.ts'];

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'src/generated/', 'web/dist/', 'web/inbox/src/openapi-types.ts', 'coverage/', 'test-artifacts/']),

  {
    files: [...typeScriptFiles, 'scripts/*.mjs'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: eslintRecommended,
  },

  {
    files: typeScriptFiles,
    extends: [tseslint.configs.recommended],
    languageOptions: {
      // Type information (tsconfig.json) for the promise rules below; the project service reuses
      // one TypeScript program for all files, which keeps a full run well under a minute.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // No `any`: unknown input is `unknown` until a schema has parsed it (docs/architecture.md, "Conventions").
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {
        args: 'after-used',
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        ignoreRestSiblings: true,
      }],
      // A promise nobody awaits loses its rejection: an outbox send or a job enqueue that fails silently.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // An async callback where a void one is expected (socket.io handlers, event listeners) rejects
      // into nowhere. JSX attributes do not exist here; object properties are Nest metadata.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // Deliberately NOT `consistent-type-imports`: its auto-fix turns the classes that Nest injects
      // through constructor parameters into `import type`, and emitDecoratorMetadata then has no value
      // to point at (the provider resolves to undefined at runtime). The opposite mistake, an interface
      // or type alias used in a decorated signature but imported without `import type`, is TS1272 and
      // already fails `npm run typecheck`.
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },

  {
    files: webFiles,
    plugins: { react, 'react-hooks': reactHooks },
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
    // Named, not detected: the plugin's detection calls a rule-context method that ESLint 10 removed.
    settings: { react: { version: '19.3' } },
    rules: {
      ...react.configs.flat.recommended.rules,
      // The automatic JSX runtime (React 17+): no `React` in scope, no prop-types (TypeScript checks props).
      ...react.configs.flat['jsx-runtime'].rules,
      'react/prop-types': 'off',
      // A hook called conditionally, or an effect that reads a value it does not list, shows stale data or
      // subscribes twice: both are errors, not warnings, so `npm run lint` stops on them.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },

  {
    files: testFiles,
    rules: {
      // Tests assert on values they have just arranged; `!` there is shorter than a guard.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A test waits for a condition (`eventually`), or moves the hub's clock (test/support/movable-clock.ts); a fixed
      // sleep is slow where the machine is fast and flaky where it is loaded. Short settling pauses only.
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.name='sleep'][arguments.0.type='Literal'][arguments.0.value>200]",
        message: 'No fixed sleep over 200 ms in tests: wait with eventually(), or move the test clock.',
      }],
    },
  },

  {
    files: ['scripts/*.mjs'],
    languageOptions: { sourceType: 'module', ecmaVersion: 'latest', globals: nodeGlobals },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
);
