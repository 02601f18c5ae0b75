/**
 * tls-floor: what node's TLS stream alone costs per kept-alive request — a TLS server (one
 * process, the bench certificate) that answers every request head (up to the blank line) with a
 * fixed 1 KiB response: no HTTP server, no proxying, no backend. The user and system CPU per
 * request it prints are the floor under any HTTP/1 front end written on node's TLS sockets, to
 * set beside `gatehouse serve`'s and nginx's (bench/cpu-split.ts).
 *
 *   npx node bench/tls-floor.ts
 */
import { createServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { makePki } from './proxy-tools.ts';
import { runLoad } from './proxy-contenders.ts';
import { freePorts } from './free-ports.ts';
import { statSplitTicks, TICK_MS } from './process-cpu.ts';
import { waitForPort } from './bench-processes.ts';
if (process.argv[2] === 'serve') {
  const [, , , port, certFile, keyFile] = process.argv;
  const body = 'x'.repeat(1024);
  const response = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nContent-Type: text/plain\r\n\r\n${body}`);
  const server = createServer({ cert: readFileSync(certFile!), key: readFileSync(keyFile!) }, (socket) => {
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let end;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        pending = pending.slice(end + 4);
        socket.write(response);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(Number(port), '127.0.0.1');
} else {
  const pki = makePki();
  const [port] = await freePorts(1, { randomStart: true });
  const child = spawn(process.execPath, [process.argv[1]!, 'serve', String(port), pki.certFile, pki.keyFile], { stdio: 'inherit' });
  await waitForPort(port!);
  runLoad('keepalive', port!, pki.dir, { durationS: 2, connections: 50 });
  const before = statSplitTicks(child.pid!)!;
  const r = runLoad('keepalive', port!, pki.dir, { durationS: 8, connections: 50 });
  const after = statSplitTicks(child.pid!)!;
  const n = r.requestsPerSecond * 8;
  const perRequest = (ticks: number): string => ((ticks * TICK_MS * 1000) / n).toFixed(1);
  console.log(`node's TLS stream alone: ${Math.round(r.requestsPerSecond)} req/s; user ${perRequest(after.user - before.user)} µs, system ${perRequest(after.system - before.system)} µs per request`);
  child.kill('SIGKILL');
}
