/**
 * The program an engine worker process runs. The supervisor forks this file (ENGINE_WORKER_ENTRY)
 * with an IPC channel; importing it, as the supervisor does to learn its path, starts nothing.
 * A worker started again after a crash is what the node lacks until it runs, so it loads the
 * engine through node's compile cache (NODE_COMPILE_CACHE, else node's default folder): a
 * start takes about half as long once the cache is warm.
 */
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';

/** ENGINE_WORKER_ENTRY is this file's path, for fork(). */
export const ENGINE_WORKER_ENTRY = fileURLToPath(import.meta.url);

if (import.meta.main) {
  if (!process.send) {
    process.stderr.write('gatehouse: the engine worker runs only under `gatehouse serve`\n');
    process.exit(2);
  }
  enableCompileCache();
  const { processChannel, runEngineWorker } = await import('./engine-worker.ts');
  runEngineWorker(processChannel(process));
}
