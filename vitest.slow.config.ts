import { defineConfig } from 'vitest/config';

/** `npm run test:slow`: whole-corpus checks too heavy for `npm test` (.ci/run calls it). */
export default defineConfig({
  test: {
    include: ['test/slow/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
