/**
 * Lint: typescript-eslint's recommended type-checked rules, run by `npm run lint` (part of
 * `npm test`). The product folders take them all. Tests and benchmarks read JSON answers of the
 * API and the engine as `any` on purpose, the assertions being the check, so there the rules
 * that only police `any` (no-explicit-any and the no-unsafe family) are off; every other rule
 * holds everywhere.
 */
import tseslint from 'typescript-eslint';

/** ANY_RULES police values typed `any`. */
const ANY_RULES = {
  '@typescript-eslint/no-explicit-any': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'console/dist/**', 'artifacts/**', 'examples/*/node_modules/**', '**/*.d.ts', 'eslint.config.js', 'terraform/cdktf/gatehouse/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An interface that only extends one type names it (the SDK's Args and State types).
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // Static methods with a declared `this` are event listeners bound by their emitter (engine/limits/http2-guard.ts).
      '@typescript-eslint/unbound-method': ['error', { ignoreStatic: true }],
      // A variable a callback reads before its one assignment (a server's own handle) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A name starting with `_` is deliberately unused (a destructured field left out of a copy).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Each SDK class gains its Output properties by merging with an interface derived from its
    // kind's schema, as Pulumi's generated SDKs declare them; listing them one by one would
    // restate every field.
    files: ['sdk/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-declaration-merging': 'off' },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: ANY_RULES },
);
