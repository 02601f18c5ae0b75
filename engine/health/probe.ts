/**
 * One active health check of one server (SPEC 1.6): a TCP connect, or an HTTP/HTTPS request
 * written on a short-lived raw socket so the request line is exactly what is configured
 * (HTTP/1.0 or 1.1, method, path, Host) and every step shares one deadline.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { HealthCheckConfig } from '../../schema/snapshot.ts';

/** ProbeResult is the outcome of one check, with a short human-readable detail. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** ProbeSpec is a health-check configuration compiled for probing (per group, not per check). */
export interface ProbeSpec {
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP';
  readonly timeoutMs: number;
  /** 0 = the server's own port. */
  readonly port: number;
  /** Everything of the request but the Host line, e.g. `HEAD / HTTP/1.1\r\n`. */
  readonly requestLine: string;
  readonly host: string | undefined;
  /** healthyClass[n] tells whether status class n (1–5) counts as healthy. */
  readonly healthyClass: readonly boolean[];
  readonly codesText: string;
}

/** REAL_SECOND_MS is how long one configured health-check second lasts outside tests. */
export const REAL_SECOND_MS = 1_000;

/** MAX_STATUS_LINE bounds what is read before giving up on a response that never ends its first line. */
const MAX_STATUS_LINE = 8192;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: |\r)/;

/** compileProbe turns a group's health-check configuration into a ProbeSpec; `secondMs` scales time (tests only). */
export function compileProbe(config: HealthCheckConfig, secondMs = REAL_SECOND_MS): ProbeSpec {
  const healthyClass = [false, false, false, false, false, false];
  for (const code of config.codes) healthyClass[Number(code.charAt(5))] = true;
  return {
    protocol: config.protocol,
    timeoutMs: config.timeout * secondMs,
    port: config.port,
    requestLine: `${config.method} ${config.path} ${config.httpVersion === 'HTTP1.0' ? 'HTTP/1.0' : 'HTTP/1.1'}\r\n`,
    host: config.host,
    healthyClass,
    codesText: config.codes.join(','),
  };
}

/**
 * probe runs one check against `address:port` and resolves (never rejects) with its result.
 * Sockets are added to `open` while alive so the owner can destroy them on close.
 */
export function probe(spec: ProbeSpec, address: string, serverPort: number, open: Set<net.Socket>): Promise<ProbeResult> {
  const port = spec.port === 0 ? serverPort : spec.port;
  const host = address;
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let socket: net.Socket;
    const finish = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      open.delete(socket);
      socket.destroy();
      resolve({ ok, detail });
    };
    const timer = setTimeout(() => finish(false, `timeout after ${spec.timeoutMs / 1000} s`), spec.timeoutMs);
    if (spec.protocol === 'HTTPS') {
      socket = tls.connect({
        host,
        port,
        // Backends are reached by address; their certificates are not verified (as a cloud
        // load balancer does), but SNI carries the configured Host when it is a name.
        servername: sniName(spec.host ?? address),
        rejectUnauthorized: false,
      });
      socket.once('secureConnect', () => sendRequest());
    } else {
      socket = net.connect({ host, port });
      socket.once('connect', () => (spec.protocol === 'TCP' ? finish(true, 'TCP connect succeeded') : sendRequest()));
    }
    open.add(socket);
    socket.on('error', (err: NodeJS.ErrnoException) => finish(false, `${spec.protocol === 'TCP' ? 'connect' : spec.protocol} error: ${err.code ?? err.message}`));
    socket.once('close', () => finish(false, 'connection closed before a response'));

    function sendRequest(): void {
      const hostHeader = spec.host ?? (net.isIPv6(address) ? `[${address}]` : address);
      socket.write(`${spec.requestLine}Host: ${hostHeader}\r\nUser-Agent: Gatehouse-HealthCheck\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
      let head = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        head += chunk;
        if (head.indexOf('\n') === -1) {
          if (head.length > MAX_STATUS_LINE) finish(false, 'malformed response: no status line');
          return;
        }
        const match = STATUS_LINE.exec(head);
        if (match === null) return finish(false, 'malformed response: bad status line');
        const status = Number(match[1]);
        const healthy = spec.healthyClass[Math.floor(status / 100)] === true;
        finish(healthy, healthy ? `HTTP ${status}` : `HTTP ${status} not in ${spec.codesText}`);
      });
    }
  });
}

/** sniName returns a name usable as TLS SNI, or undefined for IP literals (SNI forbids them). */
function sniName(host: string): string | undefined {
  const colon = host.lastIndexOf(':');
  const bare = colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
  return net.isIP(bare) === 0 && !bare.startsWith('[') ? bare : undefined;
}
