// ESLint for dagctl: `npm run lint` (CI runs it before the tests). Prettier formats; ESLint only
// checks what Prettier cannot: promises, error handling, type safety and line length.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import logErrorWithStack from '../scripts/eslint-rules/log-error-with-stack.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const dagctl = { rules: { 'log-error-with-stack': logErrorWithStack } };

export default defineConfig(
  // test/lint/fixtures holds planted violations: test/lint/lint-rules.integration.test.ts lints it on purpose.
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'logs/**',
      '.dagctl-test/**',
      'test/lint/fixtures/**',
      'test/api/generated/**',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  // Every file: line length. Prettier wraps code at 120 but leaves long strings and comments alone.
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/max-len': ['error', { code: 120, tabWidth: 2, ignoreUrls: true }],
    },
  },

  // TypeScript (src, test, scripts, dags): type-aware rules.
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    plugins: { dagctl },
    rules: {
      // A dropped promise is a lost error (an unhandled rejection ends the process) or a race:
      // await it, `void` it with a comment saying why nothing can reject, or `.catch()` and log.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `(err as Error).message` lies when something else was thrown; errorMessage() does not.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[property.name='message'] > TSAsExpression.object" +
            "[typeAnnotation.type='TSTypeReference'][typeAnnotation.typeName.name='Error']",
          message: 'Use errorMessage(err) from src/core/errors.ts instead of (err as Error).message.',
        },
      ],
      // Loop and background errors go to the log with their stack: log.error('…', { err }).
      'dagctl/log-error-with-stack': 'error',
      // Executor, timetable and operator methods are async to honour a Promise-returning interface
      // (and to turn a throw into a rejection) without always awaiting anything; the promise rules
      // above catch the hazards that matter.
      '@typescript-eslint/require-await': 'off',
      // `_` marks a deliberately unused binding (a destructured-away field, an interface argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
      // Numbers and booleans read well in messages; objects and unknowns do not (they print [object Object]).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },

  // Tests read untyped JSON (supertest's res.body, JSON.parse of CLI output, YAML manifests) and
  // assert on its shape: that is their job, so `any` flowing through an expect() is not a hazard.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // expect(mock.method).toHaveBeenCalled() passes a method without calling it.
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // JavaScript: the browser scripts of the UI, the Node build helper and these lint rules.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
  },
  {
    files: ['src/web/ui/static/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },
  {
    files: ['scripts/**/*.js', 'scripts/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['scripts/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
