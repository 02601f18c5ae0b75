/**
 * Builders and backend predicates shared by the corpus files, so each row reads as the bytes it
 * is about: `req()` writes a request head, `refuse()` / `forward()` the expectation, and the
 * checks (`lacks`, `has`, `rechunked`, …) say what the backend must have recorded.
 */
import type { Check, CorpusRow, Expectation, InputClass, Recorded } from './types.ts';

/** HOST is the Host every ordinary row sends. */
export const HOST = 'a.example';

/**
 * MARKER is the request pipelined behind refused ones. Its own `Host: internal` and
 * `X-Forwarded-For: 6.6.6.6` make its arrival at the backend detectable anywhere in the bytes,
 * as a request of its own or smuggled inside another request's body.
 */
export const MARKER = 'GET /marker HTTP/1.1\r\nHost: internal\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n';

/** MARKER_SIGNS are the byte strings whose presence at the backend means the marker got there. */
export const MARKER_SIGNS = ['6.6.6.6', 'Host: internal', '/marker'] as const;

/** req writes `METHOD target HTTP/x` with the given field lines and body, CRLF everywhere. */
export function req(method: string, target: string, fields: string[] = [`Host: ${HOST}`], body = '', version = 'HTTP/1.1'): string {
  return `${method} ${target} ${version}\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n${body}`;
}

/** get is a plain GET of `/` with Host and the extra field lines. */
export function get(...extra: string[]): string {
  return req('GET', '/', [`Host: ${HOST}`, ...extra]);
}

/** post is a POST of `/` with Host, the extra field lines and a body written as given. */
export function post(extra: string[], body: string): string {
  return req('POST', '/', [`Host: ${HOST}`, ...extra], body);
}

/** chunkedPost is a POST whose body is the given chunked framing. */
export function chunkedPost(framing: string, extra: string[] = []): string {
  return post(['Transfer-Encoding: chunked', ...extra], framing);
}

/** refuse: the proxy answers `status`, closes, and no backend connection is opened. */
export function refuse(status: number | null, backend: 'nothing' | 'cut' = 'nothing'): Expectation {
  return { kind: 'refuse', status, backend };
}

/** forward: the backend answers 200 and the checks hold (exactly one request by default). */
export function forward(...checks: Check[]): Expectation {
  return { kind: 'forward', status: 200, check: all(one, ...checks) };
}

/** normalised: forwarded, with the change the checks describe. */
export function normalised(...checks: Check[]): Expectation {
  return { kind: 'forward-normalised', status: 200, check: all(one, ...checks) };
}

/** rows turns [name, raw] pairs of one class and expectation into rows. */
export function rows(cls: InputClass, expect: Expectation, pairs: [string, string | Buffer][], extra: Partial<CorpusRow> = {}): CorpusRow[] {
  return pairs.map(([name, raw]) => ({ name, class: cls, raw, expect, ...extra }));
}

/** hex2 names a byte as `0x0b`. */
export function hex2(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Checks over what the backend recorded.

/** all runs checks in order and returns the first problem. */
export function all(...checks: Check[]): Check {
  return (r) => {
    for (const c of checks) {
      const p = c(r);
      if (p !== undefined) return p;
    }
    return undefined;
  };
}

/** one: exactly one request reached the backend. */
export const one: Check = (r) => (r.length === 1 ? undefined : `backend recorded ${r.length} requests, expected 1`);

/** fieldValues lists the values of a field (case-insensitive name) in the first request. */
export function fieldValues(r: readonly Recorded[], name: string): string[] {
  const lower = name.toLowerCase();
  return (r[0]?.fields ?? []).filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** lacks: the first request carries no field of that name (exact spelling, any case). */
export function lacks(...names: string[]): Check {
  return (r) => {
    for (const n of names) if (fieldValues(r, n).length > 0) return `backend received ${n}: ${fieldValues(r, n).join(' | ')}`;
    return undefined;
  };
}

/** has: the first request carries the field, with that value when given. */
export function has(name: string, value?: string): Check {
  return (r) => {
    const v = fieldValues(r, name);
    if (v.length === 0) return `backend did not receive ${name}`;
    if (value !== undefined && !v.includes(value)) return `backend received ${name}: ${v.join(' | ')}, expected ${value}`;
    return undefined;
  };
}

/** noUnderscoreField: no field name the backend received contains `_`. */
export const noUnderscoreField: Check = (r) => {
  const bad = (r[0]?.fields ?? []).find(([n]) => n.includes('_'));
  return bad ? `backend received ${bad[0]}` : undefined;
};

/** requestLine: the first request's line matches. */
export function requestLine(pattern: RegExp): Check {
  return (r) => (r[0] && pattern.test(r[0].requestLine) ? undefined : `backend request line ${JSON.stringify(r[0]?.requestLine)} does not match ${pattern}`);
}

/** bodyIs: the decoded body is exactly `text`. */
export function bodyIs(text: string): Check {
  return (r) => (r[0]?.body.toString('latin1') === text ? undefined : `backend body ${JSON.stringify(r[0]?.body.toString('latin1'))}, expected ${JSON.stringify(text)}`);
}

/**
 * rechunked: the body arrived re-framed by the proxy — one `Transfer-Encoding: chunked`, no
 * Content-Length, the decoded body `text`, no chunk extension and no trailer of the client's.
 */
export function rechunked(text: string): Check {
  return all(bodyIs(text), lacks('Content-Length'), (r) => {
    const te = fieldValues(r, 'Transfer-Encoding');
    if (te.length !== 1 || te[0]!.toLowerCase() !== 'chunked') return `backend Transfer-Encoding ${JSON.stringify(te)}, expected one "chunked"`;
    const raw = r[0]!.rawBody.toString('latin1');
    if (raw.includes(';')) return `backend chunked body keeps a chunk extension: ${JSON.stringify(raw)}`;
    if (!raw.endsWith('0\r\n\r\n')) return `backend chunked body keeps trailers or misses its end: ${JSON.stringify(raw.slice(-40))}`;
    return undefined;
  });
}

/** withoutUpgrade: no Upgrade, no HTTP2-Settings, and no Connection field naming them. */
export const withoutUpgrade: Check = all(lacks('Upgrade', 'HTTP2-Settings'), (r) => {
  const c = fieldValues(r, 'Connection').join(',').toLowerCase();
  return /upgrade|http2-settings/.test(c) ? `backend received Connection: ${c}` : undefined;
});
