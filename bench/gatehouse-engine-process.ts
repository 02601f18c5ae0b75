/**
 * gatehouse-engine-process: one Gatehouse engine process serving one HTTPS listener in front of
 * one backend, for the proxy comparison. Settings match the nginx and HAProxy configurations:
 * the default TLS policy, HTTP/2 on, X-Forwarded-For appended, no compression, no access log.
 *
 *   node bench/gatehouse-engine-process.ts --port P --backend B --cert FILE --key FILE
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index.ts';
import { benchSnapshot } from './bench-snapshot.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, backend: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
});
if (!values.port || !values.backend || !values.cert || !values.key) {
  console.error('usage: gatehouse-engine-process.ts --port P --backend B --cert FILE --key FILE');
  process.exit(1);
}

const engine = new Engine();
const result = await engine.apply(benchSnapshot({
  port: Number(values.port),
  backendPort: Number(values.backend),
  certificatePem: readFileSync(values.cert, 'utf8'),
  privateKeyPem: readFileSync(values.key, 'utf8'),
}));
const failed = result.listeners.filter((l) => l.status !== 'Running');
if (failed.length > 0) {
  console.error(`listener failed: ${failed.map((l) => `${l.id}: ${l.statusReason}`).join('; ')}`);
  process.exit(1);
}
const stop = () => void engine.close(2000).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
