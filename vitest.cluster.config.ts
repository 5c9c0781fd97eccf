import { defineConfig } from 'vitest/config';

/** `npm run test:cluster`: tests against real etcd + kube-apiserver (test/cluster/), kept out of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 900_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
