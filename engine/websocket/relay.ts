/**
 * WebSocket relay (SPEC E13): an upgraded client connection (ws:// or wss://, from the HTTP
 * server's 'upgrade' event) is joined to a backend connection opened for it. The request head
 * goes out as the forwarded-header plan built it; the backend's answer head comes back
 * (a 101 without Transfer-Encoding, which would make clients wait for chunked framing); then
 * bytes flow both ways untouched until either side ends or fails, or nothing moves for the
 * listener's idleTimeout.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { listHasToken } from '../headers/field-lists.ts';

/** WebSocketTarget is the chosen backend server. */
export interface WebSocketTarget {
  readonly address: string;
  readonly port: number;
  /** True for HTTPS server groups: the backend connection is TLS (certificate not verified). */
  readonly tls: boolean;
  /** SNI for the backend when it is reached by name; IP literals send none. */
  readonly servername?: string;
}

/** WebSocketRelayOptions bound every wait of a relay. */
export interface WebSocketRelayOptions {
  /** No bytes in either direction for this long closes both sides (the listener's idleTimeout). */
  readonly idleTimeoutMs: number;
  /** No backend answer head within this long → 504 (the listener's requestTimeout). */
  readonly responseTimeoutMs: number;
}

/** WebSocketRelayResult is what the access log needs once the relay is over. */
export interface WebSocketRelayResult {
  /** The backend's status (101 on success), or 502/504 when the engine answered itself. */
  readonly status: number;
  /** Bytes written to the client, the answer head included. */
  readonly bytesToClient: number;
  /** Bytes received from the client after the request head. */
  readonly bytesFromClient: number;
  /** Time from the start to the backend's answer head, ms (undefined when none came). */
  readonly upstreamMs: number | undefined;
  /** Why the relay ended: `client-end`, `backend-end`, `idle`, `error`, `refused`, `timeout`, `rejected`. */
  readonly reason: string;
}

/** MAX_RESPONSE_HEAD bounds the backend's answer head, as the client side is bounded (E17). */
const MAX_RESPONSE_HEAD = 16 * 1024;
/** END_GRACE_MS: after an orderly end, pending writes get this long to flush before sockets are destroyed. */
const END_GRACE_MS = 2000;

/**
 * isWebSocketUpgrade tells whether an upgrade request asks for WebSocket (GET, `Upgrade`
 * listing `websocket`); other upgrades (h2c, TLS) are not relayed.
 */
export function isWebSocketUpgrade(method: string | undefined, upgrade: string | undefined): boolean {
  if (method !== 'GET' || upgrade === undefined) return false;
  return listHasToken(upgrade, 'websocket', '/');
}

/**
 * relayWebSocket joins `client` (the upgraded socket) to a new connection to `target`.
 * `path` is the request target as received, `headers` the flat list from
 * `ForwardedHeaders.build(rawHeaders, { …, websocket: true })`, `head` the bytes the client
 * sent after its request head. Resolves (never rejects) once both sockets are closed.
 */
export function relayWebSocket(
  client: Duplex,
  head: Buffer,
  path: string,
  headers: readonly string[],
  target: WebSocketTarget,
  options: WebSocketRelayOptions,
): Promise<WebSocketRelayResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let status = 0;
    let upstreamMs: number | undefined;
    let bytesToClient = 0;
    let bytesFromClient = 0;
    let reason = '';
    let finished = false;
    let lastActivity = started;
    let idleTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let closedCount = 0;

    const backend: net.Socket = target.tls
      ? tls.connect({ host: target.address, port: target.port, servername: target.servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: target.address, port: target.port });
    backend.setNoDelay(true);
    const responseTimer = setTimeout(() => answer(504, 'Gateway Timeout', 'timeout'), options.responseTimeoutMs);

    const onClosed = () => {
      if (++closedCount < 2) return;
      clearTimeout(graceTimer);
      resolve({ status, bytesToClient, bytesFromClient, upstreamMs, reason });
    };
    client.once('close', onClosed);
    backend.once('close', onClosed);

    /** finish ends both sides once, gracefully (flush then FIN) or at once on error. */
    const finish = (why: string, destroy: boolean) => {
      if (finished) return;
      finished = true;
      reason = why;
      clearTimeout(responseTimer);
      clearTimeout(idleTimer);
      if (destroy) {
        client.destroy();
        backend.destroy();
        return;
      }
      client.end();
      backend.end();
      graceTimer = setTimeout(() => {
        client.destroy();
        backend.destroy();
      }, END_GRACE_MS);
      graceTimer.unref();
    };

    /** answer replies to the client itself (no usable backend answer) and closes both sides. */
    function answer(code: number, text: string, why: string): void {
      if (finished) return;
      if (status === 0) {
        status = code;
        const body = `${text}\n`;
        const response = `HTTP/1.1 ${code} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
        bytesToClient += response.length;
        client.write(response);
      }
      finish(why, false);
      backend.destroy();
    }

    client.on('error', () => finish('error', true));
    client.once('end', () => finish('client-end', false));
    backend.on('error', () => (status === 0 ? answer(502, 'Bad Gateway', 'refused') : finish('error', true)));
    backend.once('end', () => (status === 0 ? answer(502, 'Bad Gateway', 'refused') : finish('backend-end', false)));

    // Bytes the client sends while the backend is being reached are held by the paused socket.
    client.pause();
    client.on('data', (chunk: Buffer) => {
      bytesFromClient += chunk.length;
      lastActivity = performance.now();
    });

    backend.once(target.tls ? 'secureConnect' : 'connect', () => {
      let request = `GET ${path} HTTP/1.1\r\n`;
      for (let i = 0; i + 1 < headers.length; i += 2) request += `${headers[i]}: ${headers[i + 1]}\r\n`;
      backend.write(request + '\r\n');
      if (head.length > 0) {
        bytesFromClient += head.length;
        backend.write(head);
      }
    });

    let responseHead: Buffer = Buffer.alloc(0);
    const onBackendData = (chunk: Buffer) => {
      responseHead = responseHead.length === 0 ? chunk : Buffer.concat([responseHead, chunk]);
      const end = responseHead.indexOf('\r\n\r\n');
      if (end === -1) {
        if (responseHead.length > MAX_RESPONSE_HEAD) answer(502, 'Bad Gateway', 'rejected');
        return;
      }
      backend.off('data', onBackendData);
      clearTimeout(responseTimer);
      upstreamMs = performance.now() - started;
      const text = responseHead.subarray(0, end).toString('latin1');
      const rest = responseHead.subarray(end + 4);
      const code = Number(text.slice(9, 12));
      if (!text.startsWith('HTTP/1.') || !(code >= 100 && code <= 599)) return answer(502, 'Bad Gateway', 'rejected');
      status = code;
      const out = rewriteHead(text, code === 101);
      bytesToClient += out.length + rest.length;
      client.write(out);
      if (rest.length > 0) client.write(rest);
      // A refused upgrade (not 101) is passed on the same way; its Connection: close ends it.
      startPiping();
    };
    backend.on('data', onBackendData);

    function startPiping(): void {
      backend.on('data', (chunk: Buffer) => {
        bytesToClient += chunk.length;
        lastActivity = performance.now();
      });
      client.pipe(backend);
      backend.pipe(client);
      client.resume();
      armIdle(options.idleTimeoutMs);
    }

    function armIdle(delayMs: number): void {
      idleTimer = setTimeout(() => {
        const idleFor = performance.now() - lastActivity;
        if (idleFor >= options.idleTimeoutMs) finish('idle', true);
        else armIdle(options.idleTimeoutMs - idleFor);
      }, delayMs);
    }

  });
}

/**
 * rewriteHead returns the backend's answer head for the client: a 101 loses Transfer-Encoding
 * and Content-Length; any other answer is marked `Connection: close`, since the client socket no
 * longer belongs to an HTTP server that could read a next request.
 */
function rewriteHead(text: string, switching: boolean): string {
  const lines = text.split('\r\n');
  let out = lines[0]! + '\r\n';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    const name = (colon === -1 ? line : line.slice(0, colon)).trim().toLowerCase();
    if (switching && (name === 'transfer-encoding' || name === 'content-length')) continue;
    if (!switching && (name === 'connection' || name === 'keep-alive')) continue;
    out += line + '\r\n';
  }
  if (!switching) out += 'Connection: close\r\n';
  return out + '\r\n';
}
