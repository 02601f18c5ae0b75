/**
 * The program an engine worker process runs. The supervisor forks this file (ENGINE_WORKER_ENTRY)
 * with an IPC channel; importing it, as the supervisor does to learn its path, starts nothing.
 */
import { fileURLToPath } from 'node:url';
import { processChannel, runEngineWorker } from './engine-worker.ts';

/** ENGINE_WORKER_ENTRY is this file's path, for fork(). */
export const ENGINE_WORKER_ENTRY = fileURLToPath(import.meta.url);

if (import.meta.main) {
  if (!process.send) {
    process.stderr.write('gatehouse: the engine worker runs only under `gatehouse serve`\n');
    process.exit(2);
  }
  runEngineWorker(processChannel(process));
}
