import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Whole-corpus checks with heavy work: `npm run test:slow`.
    exclude: ['test/slow/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    // One fork per file, two at a time: the dev machine and CI have 2 cores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
