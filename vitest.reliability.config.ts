import { defineConfig } from 'vitest/config';

/** `npm run test:reliability`: the bad-input corpus, the writer's kill test, the loader corpus (issue 18). */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
