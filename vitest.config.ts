import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability corpora (bad input, crash kills) run in `npm run test:reliability`.
    exclude: ['test/reliability/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    // One fork per file, two at a time: the dev machine and CI have 2 cores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
