/**
 * What the multi-worker tests read from outside the node: which processes hold a listening
 * socket on a port (/proc, Linux), requests over a fresh connection each (so the kernel spreads
 * them over the workers), TLS connections with session resumption, and backends that show
 * which server answered, set a sticky cookie, or count their health probes.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { request } from 'undici';

/** listeningInodes are the socket inodes listening on 127.0.0.1 or any address at `port` (TCP, IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local = f[1]!;
      if (f[3] === '0A' && local.endsWith(`:${hexPort}`)) inodes.add(f[9]!);
    }
  }
  return inodes;
}

/** listeningPids says which of `pids` hold a socket listening on `port`. */
export function listeningPids(port: number, pids: readonly number[]): number[] {
  const inodes = listeningInodes(port);
  const holders: number[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        return target.startsWith('socket:[') && inodes.has(target.slice(8, -1));
      } catch {
        return false;
      }
    });
    if (holds) holders.push(pid);
  }
  return holders;
}

/** childPids lists the processes this process started (every thread's children). */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const task of readdirSync('/proc/self/task')) {
    try {
      pids.push(...readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // a thread that ended meanwhile
    }
  }
  return pids;
}

/** alive says whether a process id still names a running process. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Answer is one response read whole. */
export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly setCookie: string | undefined;
}

/** fresh makes one HTTP request over a connection of its own (closed after). */
export async function fresh(port: number, headers: Record<string, string> = {}, path = '/'): Promise<Answer> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { reset: true, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const cookie = res.headers['set-cookie'];
  return { status: res.statusCode, text: await res.body.text(), setCookie: Array.isArray(cookie) ? cookie[0] : cookie };
}

/** manyFresh makes `count` fresh-connection requests, `concurrency` at a time, and returns the answers. */
export async function manyFresh(port: number, count: number, concurrency: number, headers: Record<string, string> = {}): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        answers.push(await fresh(port, headers));
      }
    }),
  );
  return answers;
}

/** Handshake is what one TLS connection saw. */
export interface Handshake {
  readonly reused: boolean;
  readonly fingerprint: string;
  readonly session: Buffer | undefined;
}

/**
 * handshake opens a TLS connection (offering `session` when given), waits for the session
 * ticket a TLS 1.3 server sends after the handshake, and closes.
 */
export function handshake(port: number, ca: string, session?: Buffer): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port, servername: 'workers.example', ca, ...(session ? { session } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no TLS handshake within 5 s'));
    }, 5000);
    socket.on('session', (s: Buffer) => {
      ticket = s;
    });
    socket.once('secureConnect', () => {
      const reused = socket.isSessionReused();
      const fingerprint = socket.getPeerCertificate().fingerprint;
      // Tickets arrive after the handshake: give them a moment, then close.
      setTimeout(() => {
        clearTimeout(timer);
        socket.end();
        resolve({ reused, fingerprint, session: ticket });
      }, 30);
    });
    socket.once('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** NamedBackend answers its name; it can set a sticky cookie, fail its health path and counts its probes. */
export class NamedBackend {
  readonly name: string;
  readonly #server: Server;
  port = 0;
  /** Probes of the health path since the start. */
  probes = 0;
  /** Answer the health path with 500 while set. */
  failHealth = false;
  /** How long requests other than probes wait before the answer, ms. */
  delayMs = 0;
  /** Set `sess=<name>-<n>` on a request without that cookie while set. */
  setsCookie = false;
  #issued = 0;

  constructor(name: string) {
    this.name = name;
    this.#server = createServer((req: IncomingMessage, res) => {
      if (req.url === '/health') {
        this.probes++;
        res.writeHead(this.failHealth ? 500 : 200).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (this.setsCookie && !(req.headers.cookie ?? '').includes('sess=')) headers['set-cookie'] = `sess=${this.name}-${++this.#issued}; Path=/`;
      if (this.delayMs > 0) setTimeout(() => res.writeHead(200, headers).end(this.name), this.delayMs);
      else res.writeHead(200, headers).end(this.name);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.#server.listen(0, '127.0.0.1', ok));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }
}

/** countBy counts answers by body text. */
export function countBy(answers: readonly Answer[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a.text, (counts.get(a.text) ?? 0) + 1);
  return counts;
}
