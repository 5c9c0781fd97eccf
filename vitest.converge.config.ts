import { defineConfig } from 'vitest/config';

/** `npm run test:converge`: the convergence scenarios (each simulates every environment; kept out of `npm test`). */
export default defineConfig({
  test: {
    include: ['test/converge/**/*.scenario.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
