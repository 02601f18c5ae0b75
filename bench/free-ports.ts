/**
 * free-ports: finds TCP ports the benchmarks can bind many listeners on.
 */
import { createServer } from 'node:net';

/** LOW_PORT..HIGH_PORT lies below Linux's ephemeral range, so outgoing connections do not take them. */
const LOW_PORT = 20000;
const HIGH_PORT = 32768;

/**
 * freePorts returns n ports that are free on 127.0.0.1 right now. With `randomStart` the scan
 * begins at a random place, so that benchmarks running at the same time pick other ports.
 */
export async function freePorts(n: number, options: { randomStart?: boolean } = {}): Promise<number[]> {
  const ports: number[] = [];
  const span = HIGH_PORT - LOW_PORT;
  const first = options.randomStart ? LOW_PORT + Math.floor(Math.random() * Math.max(1, span - 2 * n)) : LOW_PORT;
  for (let port = first; ports.length < n && port < HIGH_PORT; port++) {
    const server = createServer();
    const ok = await new Promise<boolean>((done) => {
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => done(true));
    });
    if (ok) {
      ports.push(port);
      await new Promise<void>((done) => server.close(() => done()));
    }
  }
  if (ports.length < n) throw new Error(`only ${ports.length} free ports between ${first} and ${HIGH_PORT - 1}`);
  return ports;
}
