/**
 * freePort: a TCP port free on 127.0.0.1 right now, for a listener the program is told to
 * create (the examples take their listener port from config, so it cannot be port 0).
 */
import { createServer } from 'node:net';

/** freePort binds port 0, reads the port the kernel chose and releases it. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
