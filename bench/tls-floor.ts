/**
 * tls-floor: what node's layers alone cost per HTTPS request, with nothing proxied — each server
 * (one process, the bench certificate) answers every request with a fixed 1 KiB response and no
 * backend — over kept-alive connections (`keepalive`) and with a new TLS connection per request
 * (`close`):
 *
 * - `tls`: node's TLS stream and a scan for the end of each request head, no HTTP server;
 * - `https`: node's HTTP/1 server over TLS (`https.createServer`);
 * - `http2-compat`: node's HTTP/2 secure server serving HTTP/1.1 (`allowHTTP1`), which is what
 *   the engine's HTTPS listeners ran HTTP/1.1 on before they had their own front;
 * - `front`: the engine's own HTTP/1.x front (engine/http1/) on node's TLS stream, which is
 *   what they run now.
 *
 * The user and system CPU per request are floors under any front end on those layers, to set
 * beside `gatehouse serve`'s and nginx's (bench/cpu-split.ts, bench/serve-compare.ts). wrk -t1
 * -c50 (with `Connection: close` for `close`), 8 s after a 2 s warm-up.
 *
 *   npx node bench/tls-floor.ts [--rounds 2] [--only keepalive,close]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTlsServer } from 'node:tls';
import { parseArgs } from 'node:util';
import { waitForPort } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';
import { statSplitTicks, TICK_MS } from './process-cpu.ts';
import { runLoad } from './proxy-contenders.ts';
import { makePki } from './proxy-tools.ts';
import { Http1Front } from '../engine/http1/http1-front.ts';

const KINDS = ['tls', 'https', 'http2-compat', 'front'] as const;
const BODY = 'x'.repeat(1024);

function serve(kind: string, port: number, certFile: string, keyFile: string): void {
  const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  const answer = (_req: unknown, res: { writeHead(status: number, headers: Record<string, string | number>): void; end(body: string): void }): void => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    res.end(BODY);
  };
  if (kind === 'tls') {
    const response = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\nContent-Type: text/plain\r\n\r\n${BODY}`);
    createTlsServer(tls, (socket) => {
      let pending = '';
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
          // A request asking to close gets its answer and the end of the connection.
          const closes = /\r\nconnection: *close\r\n/i.test(pending.slice(0, end + 2));
          pending = pending.slice(end + 4);
          if (closes) {
            socket.end(response);
            return;
          }
          socket.write(response);
        }
      });
      socket.on('error', () => {});
    }).listen(port, '127.0.0.1');
  } else if (kind === 'front') {
    const body = Buffer.from(BODY);
    const front = new Http1Front({
      onRequest: (_req, res) => {
        res.writeHead(200, ['content-type', 'text/plain', 'content-length', String(body.length)]);
        res.end(body);
      },
      onUpgrade: (_req, socket) => socket.destroy(),
      idleTimeoutMs: () => 15_000,
      onSocketTimeout: (socket) => socket.destroy(),
    });
    createTlsServer(tls, (socket) => front.serve(socket)).listen(port, '127.0.0.1');
  } else if (kind === 'https') {
    createHttpsServer(tls, answer).listen(port, '127.0.0.1');
  } else {
    createSecureServer({ ...tls, allowHTTP1: true }, answer).listen(port, '127.0.0.1');
  }
}

if (process.argv[2] === 'serve') {
  const [, , , kind, port, certFile, keyFile] = process.argv;
  serve(kind!, Number(port), certFile!, keyFile!);
} else {
  const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, only: { type: 'string', default: 'keepalive,close' } } });
  const loads = args.only.split(',') as ('keepalive' | 'close')[];
  const pki = makePki();
  const rows: string[] = [];
  for (let round = 1; round <= Number(args.rounds); round++) {
    for (const load of loads) for (const kind of KINDS) {
      const [port] = await freePorts(1, { randomStart: true });
      const child = spawn(process.execPath, [process.argv[1]!, 'serve', kind, String(port), pki.certFile, pki.keyFile], { stdio: 'inherit' });
      try {
        await waitForPort(port!);
        runLoad(load, port!, pki.dir, { durationS: 2, connections: 50 });
        const before = statSplitTicks(child.pid!)!;
        const r = runLoad(load, port!, pki.dir, { durationS: 8, connections: 50 });
        const after = statSplitTicks(child.pid!)!;
        const requests = r.requestsPerSecond * 8;
        const perRequest = (ticks: number): string => ((ticks * TICK_MS * 1000) / requests).toFixed(1);
        rows.push(`| ${round} | ${load} | ${kind} | ${Math.round(r.requestsPerSecond)} | ${perRequest(after.user - before.user)} | ${perRequest(after.system - before.system)} |`);
        console.error(rows.at(-1));
      } finally {
        child.kill('SIGKILL');
      }
    }
  }
  console.log(`\n\`npx node bench/tls-floor.ts --rounds ${args.rounds} --only ${args.only}\` (${new Date().toISOString().slice(0, 16)} UTC):\n`);
  console.log('| round | load | server | req/s | user µs / request | system µs / request |\n|---:|---|---|---:|---:|---:|');
  console.log(rows.join('\n'));
}
