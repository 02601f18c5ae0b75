/**
 * gatehouse-engine-process: one Gatehouse engine process serving one HTTPS listener in front of
 * one backend, for the proxy comparisons. Settings match the nginx and HAProxy configurations:
 * the default TLS policy, HTTP/2 on, X-Forwarded-For appended, no compression, no access log.
 *
 *   node bench/gatehouse-engine-process.ts --port P --backend B --cert FILE --key FILE
 *        [--reuse-port] [--threads N]
 *
 * --reuse-port binds with SO_REUSEPORT, so that several such processes share the port (the
 * "N processes" shape of worker-shape.ts); --threads N runs N engines in N worker threads of this
 * one process, each bound with SO_REUSEPORT (the "N threads" shape).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { Engine } from '../engine/index.ts';
import { benchSnapshot } from './bench-snapshot.ts';

/** EngineSettings are what one engine of this process serves. */
interface EngineSettings {
  port: number;
  backendPort: number;
  certificatePem: string;
  privateKeyPem: string;
  reusePort: boolean;
}

/** runEngine applies the bench snapshot to a new engine and returns it; a listener not Running ends the process. */
async function runEngine(s: EngineSettings): Promise<Engine> {
  const engine = new Engine({ reusePort: s.reusePort });
  const result = await engine.apply(benchSnapshot(s));
  const failed = result.listeners.filter((l) => l.status !== 'Running');
  if (failed.length > 0) {
    console.error(`listener failed: ${failed.map((l) => `${l.id}: ${l.statusReason}`).join('; ')}`);
    process.exit(1);
  }
  return engine;
}

if (!isMainThread) {
  // A worker thread: its engine serves until the process ends.
  await runEngine(workerData as EngineSettings);
} else {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      backend: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'reuse-port': { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
  });
  if (!values.port || !values.backend || !values.cert || !values.key) {
    console.error('usage: gatehouse-engine-process.ts --port P --backend B --cert FILE --key FILE [--reuse-port] [--threads N]');
    process.exit(1);
  }
  const threads = values.threads === undefined ? 0 : Number(values.threads);
  const settings: EngineSettings = {
    port: Number(values.port),
    backendPort: Number(values.backend),
    certificatePem: readFileSync(values.cert, 'utf8'),
    privateKeyPem: readFileSync(values.key, 'utf8'),
    reusePort: values['reuse-port'] || threads > 0,
  };
  if (threads > 0) {
    const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: settings }));
    for (const w of workers) w.on('error', (err) => {
      console.error(`engine thread failed: ${err.message}`);
      process.exit(1);
    });
    const stop = () => void Promise.all(workers.map((w) => w.terminate())).then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } else {
    const engine = await runEngine(settings);
    const stop = () => void engine.close(2000).then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }
}
