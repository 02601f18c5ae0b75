import { defineConfig } from 'vitest/config';

/**
 * API_SUITE is the management API's test suite (every file whose apps TestApi or LiveServer opens). It runs
 * twice: on SQLite with everything else, and in the `api-postgres` project on a PostgreSQL
 * store, one cluster for the run (test/helpers/postgres-global-setup.ts). store-integrity
 * checks the SQLite file itself and stays out of the second run.
 */
const API_SUITE = [
  'test/server/api-hardening.test.ts',
  'test/server/certificates.test.ts',
  'test/server/compiler-applier.test.ts',
  'test/server/concurrency.test.ts',
  'test/server/crud.test.ts',
  'test/server/drift-route.test.ts',
  'test/server/dry-run-engine.test.ts',
  'test/server/error-codes.test.ts',
  'test/server/idempotency-dry-run.test.ts',
  'test/server/list-etag.test.ts',
  'test/server/lists.test.ts',
  'test/server/openapi-responses.test.ts',
  'test/server/openapi.test.ts',
  'test/server/runtime.test.ts',
  'test/server/system-routes.test.ts',
];

/** Test configuration: real sockets and child processes, so generous timeouts and forked workers. */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'all', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'api-postgres', include: API_SUITE, globalSetup: ['test/helpers/postgres-global-setup.ts'] } },
      // The console's components, rendered into happy-dom's document (console/test/).
      {
        extends: true,
        oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
        test: { name: 'console', include: ['console/test/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
    ],
  },
});
