import { defineConfig } from 'vitest/config';

/** Test configuration: real sockets and child processes, so generous timeouts and forked workers. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
