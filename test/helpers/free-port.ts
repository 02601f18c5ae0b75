/**
 * freePort: a TCP port free on 127.0.0.1 right now, for a listener a test or a program is told
 * to create on a fixed port (configuration that cannot say port 0).
 */
import { createServer } from 'node:net';

/**
 * freePort finds a port that is free right now, picked at random below Linux's ephemeral range
 * (32768+), so that outgoing connections of parallel tests do not take it before it is bound.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const s = createServer();
    const ok = await new Promise<boolean>((done) => {
      s.once('error', () => done(false));
      s.listen(port, '127.0.0.1', () => done(true));
    });
    if (!ok) continue;
    await new Promise<void>((done) => s.close(() => done()));
    return port;
  }
}
