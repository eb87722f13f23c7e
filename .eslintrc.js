// ESLint with the rules of segmentio/action-destinations (its root .eslintrc.js), so the
// destination folder drops into that monorepo without lint changes; applied to the whole
// project. Overrides for monorepo paths we do not have are left out; shared/ gets the
// rules the monorepo gives its environment-agnostic packages.
module.exports = {
  root: true,
  ignorePatterns: ['node_modules', 'dist', '.data', 'coverage'],
  parser: '@typescript-eslint/parser',
  parserOptions: {
    ecmaVersion: 2019,
    project: ['./tsconfig.eslint.json'],
    tsconfigRootDir: __dirname,
    warnOnUnsupportedTypeScriptVersion: false
  },
  env: { node: true },
  extends: [
    'eslint:recommended',
    'plugin:@typescript-eslint/recommended',
    'plugin:@typescript-eslint/recommended-requiring-type-checking',
    'prettier/@typescript-eslint',
    'prettier'
  ],
  plugins: ['@typescript-eslint'],
  rules: {
    '@typescript-eslint/ban-types': 'off',
    '@typescript-eslint/ban-ts-comment': [
      'error',
      {
        'ts-expect-error': 'allow-with-description',
        'ts-ignore': 'allow-with-description',
        'ts-nocheck': true,
        'ts-check': false
      }
    ],
    '@typescript-eslint/explicit-module-boundary-types': 'off',
    '@typescript-eslint/no-empty-interface': 'off',
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-unsafe-assignment': 'off',
    '@typescript-eslint/no-unsafe-call': 'warn',
    '@typescript-eslint/no-unsafe-member-access': 'off',
    '@typescript-eslint/no-unsafe-return': 'off',
    'no-unused-vars': 'off',
    '@typescript-eslint/no-unused-vars': [
      'error',
      { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }
    ],
    '@typescript-eslint/require-await': 'off',
    '@typescript-eslint/restrict-plus-operands': 'off',
    '@typescript-eslint/restrict-template-expressions': 'off',
    '@typescript-eslint/unbound-method': 'off',
    '@typescript-eslint/no-unsafe-argument': 'warn',
    '@typescript-eslint/no-misused-promises': 'warn',
    '@typescript-eslint/no-unnecessary-type-assertion': 'warn'
  },
  overrides: [
    {
      files: ['*.test.ts', '**/__tests__/**/*.ts'],
      env: { jest: true },
      plugins: ['jest'],
      rules: {
        '@typescript-eslint/ban-ts-comment': 'off',
        '@typescript-eslint/no-unsafe-call': 'off',
        '@typescript-eslint/no-explicit-any': 'off',
        '@typescript-eslint/no-empty-function': 'off'
      }
    },
    {
      files: ['destinations/**/*.ts'],
      rules: {
        'no-restricted-syntax': [
          'error',
          {
            selector: "ImportDeclaration[source.value='crypto'] ImportSpecifier[imported.name='createHash']",
            message: 'Do not import createHash from crypto in a destination (the monorepo has hashing helpers).'
          }
        ]
      }
    },
    {
      // The inspector page's script runs in the browser (runtime/inspector/page/): no Node.js,
      // only types from the relay's files (esbuild bundles what is imported as a value), and no
      // markup from strings (event data is untrusted).
      files: ['runtime/inspector/page/**/*.ts'],
      env: { browser: true, node: false },
      rules: {
        'no-restricted-globals': [
          'error',
          'process',
          'Buffer',
          'require',
          'module',
          '__dirname',
          '__filename',
          'global'
        ],
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['../*', 'node:*'],
                allowTypeImports: true,
                message: 'The page is bundled for the browser: import only types from outside its folder (import type).'
              }
            ]
          }
        ],
        'no-eval': 'error',
        'no-implied-eval': 'error',
        'no-new-func': 'error',
        'no-restricted-properties': [
          'error',
          { object: 'document', property: 'write', message: 'Build elements with textContent (page/dom.ts).' },
          { object: 'document', property: 'writeln', message: 'Build elements with textContent (page/dom.ts).' }
        ],
        'no-restricted-syntax': [
          'error',
          {
            selector:
              'MemberExpression[property.name=/^(innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment)$/]',
            message: 'No markup from strings: build elements with textContent (page/dom.ts).'
          }
        ]
      }
    },
    {
      // The core module runs in Segment Functions, actions and Node alike: no Node globals or modules.
      files: ['shared/**/*.ts'],
      rules: {
        'no-restricted-globals': ['error', 'process', 'Buffer', '__dirname', '__filename', 'global', 'fetch'],
        'no-restricted-imports': [
          'error',
          'fs',
          'path',
          'http',
          'https',
          'crypto',
          'os',
          'stream',
          'util',
          'events',
          'child_process'
        ]
      }
    }
  ]
}
