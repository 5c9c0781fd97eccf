import { defineConfig } from 'vitest/config';

/**
 * `npm run render:test`: npm run render's checks on charts of our own, with helm (built from
 * tools/go/helm on first use). Kept out of `npm test` (fast tests only); .ci/run calls it.
 */
export default defineConfig({
  test: {
    include: ['test/render/**/*.render.ts'],
    environment: 'node',
    testTimeout: 600_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
