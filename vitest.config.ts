import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Heavy corpora run outside `npm test`: the reliability corpora (bad input, crash kills) in
    // `npm run test:reliability`, whole-corpus checks in `npm run test:slow`.
    exclude: ['test/reliability/**', 'test/slow/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    // One fork per file, two at a time: the dev machine and CI have 2 cores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1, isolate: false } },
  },
});
