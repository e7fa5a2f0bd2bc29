// Layering is enforced here, not by discipline: src/core is pure, src/infra never sees vscode.
import tseslint from 'typescript-eslint';

const nodeIo = ['fs', 'fs/promises', 'child_process', 'node:fs', 'node:fs/promises', 'node:child_process',
  'net', 'node:net', 'worker_threads', 'node:worker_threads', 'os', 'node:os'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.vscode-test/**', '*.vsix'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core is pure: no vscode.' },
          ...nodeIo.map((name) => ({ name, message: 'src/core is pure: I/O goes through a port in src/core/ports.ts.' })),
          { name: 'chokidar', message: 'src/core is pure: watching lives in src/infra.' },
        ],
        patterns: [
          { group: ['**/infra/**', '**/vscode/**'], message: 'src/core must not depend on outer layers.' },
        ],
      }],
    },
  },
  {
    files: ['src/infra/**/*.ts', 'src/cli.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/vscode (and src/extension.ts) may import vscode.' }],
        patterns: [{ group: ['**/vscode/**'], message: 'Only src/vscode (and src/extension.ts) may import vscode.' }],
      }],
    },
  },
);
