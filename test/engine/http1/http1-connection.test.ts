/**
 * The HTTP/1.x front end to end over loopback sockets, with handlers standing in for the
 * pipeline: response framing (Content-Length, chunked, HTTP/1.0, HEAD, 204), the connection's
 * own fields, responses to pipelined requests in order and one at a time, a bounded hold of
 * pipelined bytes, `100 Continue` only when the body is wanted, a response that ends before its
 * body closes the connection, body back-pressure, refused response fields, and the WebSocket
 * hand-off with the bytes after the head.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Front } from '../../../engine/http1/http1-front.ts';
import type { Http1Request } from '../../../engine/http1/http1-request.ts';
import type { Http1Response } from '../../../engine/http1/http1-response.ts';

type Handler = (req: Http1Request, res: Http1Response) => void;

interface Served {
  port: number;
  /** The server side of every connection accepted. */
  sockets: Set<net.Socket>;
  close(): void;
}

const open: Served[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function serve(onRequest: Handler, onUpgrade?: (req: Http1Request, socket: net.Socket, head: Buffer) => void, headersTimeoutMs?: number): Promise<Served> {
  const front = new Http1Front(
    {
      onRequest,
      onUpgrade: onUpgrade ?? ((_req, socket) => socket.destroy()),
      idleTimeoutMs: () => 7_000,
      onSocketTimeout: (socket) => socket.destroy(),
    },
    headersTimeoutMs,
  );
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    front.serve(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const served = {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () => {
      front.stop();
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
  open.push(served);
  return served;
}

/** talk sends bytes and collects what comes back until the server closes or `untilMs` passes. */
async function talk(port: number, bytes: string, untilMs = 1500): Promise<{ text: string; closed: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => {});
  socket.write(bytes);
  const closed = await new Promise<boolean>((resolve) => {
    socket.once('close', () => resolve(true));
    setTimeout(() => resolve(false), untilMs);
  });
  socket.destroy();
  return { text, closed };
}

const echo: Handler = (req, res) => {
  res.writeHead(200, ['Content-Type', 'text/plain', 'Content-Length', String(req.url.length)]);
  res.end(req.url);
};

describe('Http1Response framing', () => {
  it('a body with Content-Length: keep-alive with the idle timeout, a Date, one response', async () => {
    const { port } = await serve(echo);
    const { text, closed } = await talk(port, 'GET /abc HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    expect(closed).toBe(false);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain\r\nContent-Length: 4\r\nDate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=7\r\n\r\n\/abc$/);
  });

  it('no Content-Length: chunked for HTTP/1.1, pieces framed, last chunk at the end', async () => {
    const { port } = await serve((_req, res) => {
      res.writeHead(200, ['Date', 'Mon, 07 Dec 2026 00:00:00 GMT']);
      res.write(Buffer.from('hel'));
      res.write(Buffer.alloc(20_000, 'x'));
      res.end(Buffer.from('lo'));
    });
    const { text } = await talk(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    expect(text.startsWith('HTTP/1.1 200 OK\r\nDate: Mon, 07 Dec 2026 00:00:00 GMT\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n')).toBe(true);
    expect(text.endsWith(`\r\n\r\n3\r\nhel\r\n4e20\r\n${'x'.repeat(20_000)}\r\n2\r\nlo\r\n0\r\n\r\n`)).toBe(true);
    expect(text.match(/Date:/g)).toHaveLength(1);
  });

  it('a Transfer-Encoding handed to the writer is left out: the writer frames the body itself, once', async () => {
    const { port } = await serve((_req, res) => {
      res.writeHead(200, ['Transfer-Encoding', 'chunked', 'X-After', 'kept']);
      res.end(Buffer.from('hello'));
    });
    const { text } = await talk(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    expect(text.match(/Transfer-Encoding/gi)).toHaveLength(1);
    expect(text).toContain('X-After: kept\r\n');
    expect(text.endsWith('\r\n\r\n5\r\nhello\r\n0\r\n\r\n')).toBe(true);
  });

  it('no Content-Length for an HTTP/1.0 client: the body ends with the connection', async () => {
    const { port } = await serve((_req, res) => {
      res.writeHead(200, []);
      res.end(Buffer.from('whole'));
    });
    const { text, closed } = await talk(port, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(closed).toBe(true);
    expect(text).toContain('Connection: close\r\n\r\nwhole');
    expect(text).not.toContain('chunked');
  });

  it('HTTP/1.0 keep-alive only when asked; HTTP/1.1 close when asked', async () => {
    const { port } = await serve(echo);
    expect((await talk(port, 'GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', 300)).closed).toBe(false);
    expect((await talk(port, 'GET /a HTTP/1.0\r\n\r\n')).closed).toBe(true);
    const close = await talk(port, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(close.closed).toBe(true);
    expect(close.text).toContain('Connection: close\r\n');
  });

  it('HEAD, 204 and 304 carry no body bytes, whatever the handler writes', async () => {
    const { port } = await serve((req, res) => {
      const status = req.url === '/204' ? 204 : req.url === '/304' ? 304 : 200;
      res.writeHead(status, status === 200 ? ['Content-Length', '5'] : []);
      res.end(Buffer.from('hello'));
    });
    const head = await talk(port, 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    expect(head.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(head.text).not.toContain('hello');
    for (const status of ['204', '304']) {
      const { text } = await talk(port, `GET /${status} HTTP/1.1\r\nHost: x\r\n\r\n`, 300);
      expect(text).not.toContain('hello');
      expect(text).not.toContain('chunked');
    }
  });

  it('refuses a response field with CR or LF, or a name that is not a token (the pipeline answers 502)', async () => {
    const outcomes: string[] = [];
    const { port } = await serve((req, res) => {
      try {
        res.writeHead(200, req.url === '/name' ? ['Bad Name', 'v'] : ['X-Split', 'a\r\nSet-Cookie: evil=1']);
        outcomes.push('written');
      } catch {
        outcomes.push('refused');
        res.writeHead(502, ['Content-Length', '0']);
        res.end();
      }
    });
    const split = await talk(port, 'GET /value HTTP/1.1\r\nHost: x\r\n\r\nGET /name HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    expect(outcomes).toEqual(['refused', 'refused']);
    expect(split.text).not.toContain('evil');
    expect(split.text.match(/HTTP\/1\.1 502/g)).toHaveLength(2);
  });
});

describe('Http1Connection', () => {
  it('answers pipelined requests in order, dispatching each only after the previous response ended', async () => {
    const started: string[] = [];
    let inFlight = 0;
    let overlap = false;
    const { port } = await serve((req, res) => {
      started.push(req.url);
      if (++inFlight > 1) overlap = true;
      // The first answer comes last in time; order on the wire must not change.
      setTimeout(() => {
        inFlight--;
        echo(req, res);
      }, req.url === '/1' ? 60 : 5);
    });
    const { text } = await talk(port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n', 500);
    expect(started).toEqual(['/1', '/2', '/3']);
    expect(overlap).toBe(false);
    expect(text.indexOf('/1')).toBeLessThan(text.indexOf('/2'));
    expect(text.indexOf('/2')).toBeLessThan(text.indexOf('/3'));
  });

  it('a client pipelining faster than answers holds a bounded amount: the socket stops being read', async () => {
    let seen = 0;
    let release: (() => void) | undefined;
    const { port, sockets } = await serve((req, res) => {
      seen++;
      release = () => echo(req, res);
    });
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.on('data', () => {});
    socket.on('error', () => {});
    const request = 'GET /p HTTP/1.1\r\nHost: x\r\n\r\n';
    const burst = request.repeat(900_000); // 25 MB: more than loopback socket buffers take, far beyond what the front holds
    socket.write(burst);
    await new Promise((r) => setTimeout(r, 400));
    expect(seen).toBe(1);
    // The front stopped reading: the rest of the burst waits in the kernel and the client's buffer.
    const [accepted] = [...sockets];
    expect(accepted!.bytesRead).toBeGreaterThan(0);
    expect(accepted!.bytesRead).toBeLessThan(1024 * 1024);
    release!();
    socket.destroy();
  });

  it('sends 100 Continue when the body is first read, and never for a request answered first', async () => {
    const { port } = await serve((req, res) => {
      if (req.url === '/refuse') {
        res.writeHead(417, ['Content-Length', '0', 'Connection', 'close']);
        res.end();
        return;
      }
      const chunks: Buffer[] = [];
      req.body!.on('data', (c: Buffer) => chunks.push(c));
      req.body!.on('end', () => {
        res.writeHead(200, ['Content-Length', '5']);
        res.end(Buffer.concat(chunks));
      });
    });
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.write('POST /read HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    await new Promise((r) => setTimeout(r, 150));
    expect(text).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('hello');
    await new Promise((r) => setTimeout(r, 150));
    expect(text).toContain('HTTP/1.1 200 OK');
    expect(text.endsWith('hello')).toBe(true);
    socket.destroy();
    const refused = await talk(port, 'POST /refuse HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    expect(refused.text).not.toContain('100 Continue');
    expect(refused.text.startsWith('HTTP/1.1 417')).toBe(true);
  });

  it('a response that ends before its body was read closes the connection: the rest is never parsed as a request', async () => {
    const urls: string[] = [];
    const { port } = await serve((req, res) => {
      urls.push(req.url);
      res.writeHead(413, ['Content-Length', '0']);
      res.end();
    });
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const { text, closed } = await talk(port, `POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${smuggled}`);
    expect(closed).toBe(true);
    expect(text.match(/HTTP\/1\.1 413/g)).toHaveLength(1);
    expect(urls).toEqual(['/big']);
  });

  it('a body that breaks while its response is under way closes the connection at once', async () => {
    const { port } = await serve((req, res) => {
      res.writeHead(200, []);
      res.write(Buffer.from('started'));
      req.body!.resume();
    });
    const started = Date.now();
    const { text, closed } = await talk(port, 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n', 3000);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(text).toContain('started');
    expect(text).not.toContain('0\r\n\r\n');
  });

  it('a body larger than the stream buffer pauses the socket until it is read, and arrives whole', async () => {
    let buffered = -1;
    const { port } = await serve((req, res) => {
      req.body!.pause();
      setTimeout(() => {
        buffered = req.body!.readableLength;
        let n = 0;
        req.body!.on('data', (c: Buffer) => (n += c.length));
        req.body!.on('end', () => {
          res.writeHead(200, ['Content-Length', String(String(n).length)]);
          res.end(String(n));
        });
        req.body!.resume();
      }, 200);
    });
    const size = 4 * 1024 * 1024;
    const { text } = await talk(port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n${'b'.repeat(size)}`, 2000);
    // Unread, the body stream holds about one read beyond its high-water mark, not the 4 MiB sent.
    expect(buffered).toBeGreaterThan(0);
    expect(buffered).toBeLessThan(512 * 1024);
    expect(text.endsWith(String(size))).toBe(true);
  });

  it('hands a WebSocket upgrade off with its socket and the bytes after the head', async () => {
    const handed = new Promise<{ url: string; head: string }>((resolve) => {
      void serve(echo, (req, socket, head) => {
        resolve({ url: req.url, head: head.toString('latin1') });
        socket.end('bye');
      }).then(({ port }) => talk(port, 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nEARLY-FRAME'));
    });
    expect(await handed).toEqual({ url: '/ws', head: 'EARLY-FRAME' });
  });

  it('empty lines between requests start no head deadline; a begun head does', async () => {
    const { port } = await serve(echo, undefined, 300);
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\n\r\n');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(socket.destroyed).toBe(false);
    expect(text).not.toContain('408');
    socket.write('GET /second HTTP/1.1\r\nHost: x\r\n\r\nGET /begun');
    await once(socket, 'close');
    expect(text).toContain('/second');
    expect(text).toContain('HTTP/1.1 408');
  });

  it('a connection the client ends between requests is closed after the last answer', async () => {
    const { port } = await serve(echo);
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.end('GET /last HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'close');
    expect(text.endsWith('/last')).toBe(true);
  });
});
