/**
 * The global setup of the `api-postgres` test project (vitest.config.ts): one PostgreSQL
 * cluster for the whole run, whose URL the test files receive as `inject('postgresUrl')` and
 * on which each test app makes its own database. The other projects never start one.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresCluster } from './postgres-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cluster's URL in the api-postgres project; absent elsewhere (the API runs on SQLite). */
    postgresUrl?: string;
  }
}

let cluster: PostgresCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startPostgres();
  project.provide('postgresUrl', cluster.url);
}

export async function teardown(): Promise<void> {
  await cluster?.destroy();
}
