/**
 * WebSocket relay (SPEC E13, 2.1): an upgraded client connection (ws:// or wss://, from the
 * HTTP server's 'upgrade' event) is joined to a backend connection opened for it. The request
 * head goes out as the forwarded-header plan built it. The connection becomes a tunnel only
 * when the backend answers `101` with `Upgrade: websocket` and the `Sec-WebSocket-Accept` of
 * the client's key: then the answer goes to the client (without Transfer-Encoding, which would
 * make clients wait for chunked framing), the bytes the client sent after its request (held
 * until now) go to the backend, and bytes flow both ways untouched until either side ends or
 * fails, or nothing moves for the listener's idleTimeout.
 *
 * Any other answer is an HTTP response like any other: it is parsed (upstream/response-parser)
 * and relayed with `Connection: close`, and not one byte the client sent after its request
 * reaches the backend — otherwise a backend that declines the upgrade would leave a raw
 * tunnel through which a client could send requests no listener rule ever saw. A `101` that
 * does not match is 502.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { listHasToken } from '../headers/field-lists.ts';
import { errorResponseBytes } from '../limits/server-limits.ts';
import { ResponseParser, type ResponseSink } from '../upstream/response-parser.ts';

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

/** WEBSOCKET_GUID is RFC 6455's constant for Sec-WebSocket-Accept. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** acceptFor is the Sec-WebSocket-Accept a backend must answer to `key` (RFC 6455 §4.2.2). */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/**
 * relayWebSocket joins `client` (the upgraded socket) to a new connection to `target`.
 * `path` is the request target in origin form, `headers` the flat list from
 * `ForwardedHeaders.build(rawHeaders, { …, websocket: true })`, `head` the bytes the client
 * sent after its request head, `key` its Sec-WebSocket-Key. Resolves (never rejects) once
 * both sockets are closed.
 */
export function relayWebSocket(
  client: Duplex,
  head: Buffer,
  path: string,
  headers: readonly string[],
  target: WebSocketTarget,
  options: WebSocketRelayOptions,
  key: string,
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
    const responseTimer = setTimeout(() => answer(504, 'timeout'), options.responseTimeoutMs);

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
    function answer(code: number, why: string): void {
      if (finished) return;
      if (status === 0) {
        status = code;
        const response = errorResponseBytes(code);
        bytesToClient += response.length;
        client.write(response);
      }
      finish(why, false);
      backend.destroy();
    }

    client.on('error', () => finish('error', true));
    client.once('end', () => finish('client-end', false));
    backend.on('error', () => (status === 0 ? answer(502, 'refused') : finish('error', true)));
    const onBackendEnd = () => (status === 0 ? answer(502, 'refused') : finish('backend-end', false));
    backend.once('end', onBackendEnd);

    // Bytes the client sends before the backend's 101 stay in the paused socket (and `head`):
    // they are the tunnel's first bytes if there is a tunnel, and are dropped if there is not.
    client.pause();

    backend.once(target.tls ? 'secureConnect' : 'connect', () => {
      let request = `GET ${path} HTTP/1.1\r\n`;
      for (let i = 0; i + 1 < headers.length; i += 2) request += `${headers[i]}: ${headers[i + 1]}\r\n`;
      backend.write(request + '\r\n');
    });

    let responseHead: Buffer = Buffer.alloc(0);
    const onBackendData = (chunk: Buffer) => {
      responseHead = responseHead.length === 0 ? chunk : Buffer.concat([responseHead, chunk]);
      const end = responseHead.indexOf('\r\n\r\n');
      if (end === -1) {
        if (responseHead.length > MAX_RESPONSE_HEAD) answer(502, 'rejected');
        return;
      }
      backend.off('data', onBackendData);
      clearTimeout(responseTimer);
      upstreamMs = performance.now() - started;
      const text = responseHead.subarray(0, end).toString('latin1');
      const code = Number(text.slice(9, 12));
      if (!text.startsWith('HTTP/1.') || text.charCodeAt(12) !== 32 || !(code >= 100 && code <= 599)) return answer(502, 'rejected');
      if (code === 101) {
        if (!switchesToWebSocket(text, key)) return answer(502, 'rejected');
        status = 101;
        tunnel(rewriteSwitchingHead(text), responseHead.subarray(end + 4));
      } else {
        relayResponse(responseHead);
      }
    };
    backend.on('data', onBackendData);

    /** tunnel sends the 101 to the client, then the client's held bytes to the backend, and joins the sockets. */
    function tunnel(out: string, rest: Buffer): void {
      bytesToClient += out.length + rest.length;
      client.write(out);
      if (rest.length > 0) client.write(rest);
      if (head.length > 0) {
        bytesFromClient += head.length;
        backend.write(head);
      }
      client.on('data', (chunk: Buffer) => {
        bytesFromClient += chunk.length;
        lastActivity = performance.now();
      });
      backend.on('data', (chunk: Buffer) => {
        bytesToClient += chunk.length;
        lastActivity = performance.now();
      });
      client.pipe(backend);
      backend.pipe(client);
      client.resume();
      armIdle(options.idleTimeoutMs);
    }

    /**
     * relayResponse passes a declined upgrade on as a plain response that closes the
     * connection: the head's end-to-end fields plus `Connection: close`, the body dechunked
     * and delimited by the close. The client's socket stays paused and is never read.
     */
    function relayResponse(bytes: Buffer): void {
      const sink: ResponseSink = {
        onResponseHead(parser) {
          status = parser.status;
          let out = `HTTP/1.1 ${parser.status} ${STATUS_CODES[parser.status] ?? ''}\r\n`;
          const fields = parser.headers;
          for (let i = 0; i + 1 < fields.length; i += 2) out += `${fields[i]}: ${fields[i + 1]}\r\n`;
          out += 'Connection: close\r\n\r\n';
          bytesToClient += out.length;
          client.write(out);
        },
        onResponseBody(chunk) {
          bytesToClient += chunk.length;
          lastActivity = performance.now();
          if (client.write(chunk)) return true;
          backend.pause();
          client.once('drain', () => backend.resume());
          return false;
        },
        onResponseComplete() {
          finish('backend-end', false);
          backend.destroy();
        },
      };
      const parser = new ResponseParser(sink);
      parser.expect(false);
      const feed = (chunk: Buffer): void => {
        if (parser.execute(chunk)) return;
        // A malformed answer: 502 while nothing was sent, else the response is cut.
        if (status === 0) answer(502, 'rejected');
        else finish('error', true);
      };
      backend.off('end', onBackendEnd);
      backend.once('end', () => {
        if (parser.readsUntilClose && parser.finish()) return;
        if (status === 0) answer(502, 'rejected');
        else finish('error', true);
      });
      backend.on('data', feed);
      armIdle(options.idleTimeoutMs);
      feed(bytes);
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
 * switchesToWebSocket tells whether a 101 head completes the client's upgrade: `Upgrade`
 * names websocket, `Connection` lists upgrade, and `Sec-WebSocket-Accept` is the one for `key`.
 */
function switchesToWebSocket(head: string, key: string): boolean {
  let upgrade = false;
  let connection = false;
  let accept: string | undefined;
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return false;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'upgrade') upgrade = listHasToken(value, 'websocket', '/');
    else if (name === 'connection') connection = listHasToken(value, 'upgrade');
    else if (name === 'sec-websocket-accept') {
      if (accept !== undefined) return false;
      accept = value;
    }
  }
  return upgrade && connection && accept === acceptFor(key);
}

/** rewriteSwitchingHead returns a 101 head for the client without Transfer-Encoding and Content-Length. */
function rewriteSwitchingHead(text: string): string {
  const lines = text.split('\r\n');
  let out = lines[0]! + '\r\n';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    const name = (colon === -1 ? line : line.slice(0, colon)).trim().toLowerCase();
    if (name === 'transfer-encoding' || name === 'content-length') continue;
    out += line + '\r\n';
  }
  return out + '\r\n';
}
