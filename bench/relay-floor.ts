/**
 * relay-floor: how close to nginx any proxy written on node's TLS and sockets can come on the
 * kept-alive load of bench/serve-compare.ts. The contender is a relay that does nothing an HTTP
 * proxy must: N processes sharing the port (SO_REUSEPORT, as the engine's workers), each client
 * TLS connection joined to its own backend connection, request heads found by their blank line
 * and passed on with one added field (X-Forwarded-For), response bytes copied back as they
 * come — no parsing, validation, routing, pooling, access log or metrics. Its ratio to nginx
 * (N workers, the same backend, rounds interleaved) bounds what `gatehouse serve` can reach
 * there, whatever the engine does. Beside them, the bare engine (bench/gatehouse-engine-process.ts:
 * N processes sharing the port, no management server, no access log, no metrics) shows how
 * much of the distance is the engine's request path and how much is what `gatehouse serve`
 * adds around it.
 *
 *   npx node bench/relay-floor.ts [--workers 2] [--rounds 3] [--duration 8]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { parseArgs } from 'node:util';
import { waitForPort } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';
import { treeCpuMs } from './process-cpu.ts';
import { gatehouseEngine, nginxProxy, runLoad, startComparison, type Running } from './proxy-contenders.ts';
import { utc } from './run-facts.ts';
import { median, positiveCount } from './stats.ts';

/** relay serves one process of the relay on `port`, forwarding to the backend on `backendPort`. */
function relay(port: number, backendPort: number, certFile: string, keyFile: string): void {
  createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (client) => {
    const backend = net.connect(backendPort, '127.0.0.1');
    backend.setNoDelay(true);
    const forwardedFor = `X-Forwarded-For: ${client.remoteAddress ?? ''}\r\n\r\n`;
    let pending = '';
    client.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        backend.write(pending.slice(0, end + 2) + forwardedFor, 'latin1');
        pending = pending.slice(end + 4);
      }
    });
    backend.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('error', () => backend.destroy());
    backend.on('error', () => client.destroy());
    client.on('close', () => backend.destroy());
  }).listen({ port, host: '127.0.0.1', reusePort: true });
}

if (process.argv[2] === 'relay') {
  const [, , , port, backendPort, certFile, keyFile] = process.argv;
  relay(Number(port), Number(backendPort), certFile!, keyFile!);
} else {
  const { values: args } = parseArgs({ options: { workers: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' }, duration: { type: 'string', default: '8' } } });
  const workers = positiveCount('workers', args.workers);
  const rounds = positiveCount('rounds', args.rounds);
  const durationS = positiveCount('duration', args.duration);
  const cmp = await startComparison();
  const names = ['node relay', 'gatehouse engine', 'nginx'] as const;
  const seen: Record<(typeof names)[number], { rps: number[]; cpu: number[] }> = { 'node relay': { rps: [], cpu: [] }, 'gatehouse engine': { rps: [], cpu: [] }, nginx: { rps: [], cpu: [] } };
  const started = new Date();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        const [port] = await freePorts(1, { randomStart: true });
        let running: Running;
        if (name === 'nginx') {
          running = await nginxProxy(cmp.pki.dir, cmp.pki, port!, cmp.backendPort, workers);
        } else if (name === 'gatehouse engine') {
          running = await gatehouseEngine(cmp.pki, port!, cmp.backendPort, workers === 1 ? { kind: 'single' } : { kind: 'processes', count: workers });
        } else {
          const children: ChildProcess[] = [];
          for (let i = 0; i < workers; i++) children.push(spawn(process.execPath, [process.argv[1]!, 'relay', String(port), String(cmp.backendPort), cmp.pki.certFile, cmp.pki.keyFile], { stdio: 'inherit' }));
          running = { name, port: port!, pids: () => children.map((c) => c.pid!), stop: () => Promise.resolve(void children.forEach((c) => c.kill('SIGKILL'))) };
          await waitForPort(port!);
        }
        try {
          runLoad('keepalive', port!, cmp.outDir, { durationS: 2, connections: 50 });
          const before = treeCpuMs(running.pids());
          const result = runLoad('keepalive', port!, cmp.outDir, { durationS, connections: 50 });
          seen[name].rps.push(result.requestsPerSecond);
          seen[name].cpu.push(((treeCpuMs(running.pids()) - before) * 1000) / (result.requestsPerSecond * durationS));
          console.error(`round ${round + 1} ${name}: ${Math.round(result.requestsPerSecond)} req/s, ${seen[name].cpu.at(-1)!.toFixed(1)} CPU µs / request`);
        } finally {
          await running.stop();
        }
      }
    }
  } finally {
    await cmp.backend.stop();
  }
  const ratios = (name: (typeof names)[number]): number[] => seen[name].rps.map((rps, i) => rps / seen.nginx.rps[i]!);
  console.log(`\n\`npx node bench/relay-floor.ts --workers ${workers} --rounds ${rounds} --duration ${durationS}\` (${utc(started)} – ${utc(new Date())}):\n`);
  console.log('| contender | req/s (median) | req/s per round | CPU µs / request (median) |\n|---|---:|---|---:|');
  for (const name of names) console.log(`| ${name}, ${workers} ${name === 'nginx' ? 'workers' : 'processes'} | ${Math.round(median(seen[name].rps))} | ${seen[name].rps.map(Math.round).join(', ')} | ${median(seen[name].cpu).toFixed(1)} |`);
  for (const name of ['node relay', 'gatehouse engine'] as const) console.log(`\n${name} / nginx per round: ${ratios(name).map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios(name)).toFixed(2)}).`);
}
