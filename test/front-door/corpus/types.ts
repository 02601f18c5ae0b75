/**
 * The shape of the front-door corpus: each row is raw HTTP/1.x bytes, the SPEC 2.1 input class
 * it belongs to, and what must happen — refused with an exact status and nothing reaching the
 * backend, or forwarded with a predicate over exactly what the backend recorded. Rows are data,
 * so the same corpus drives the test (test/front-door/http1-corpus.test.ts) and the benchmark
 * against nginx (bench/front-door-corpus.ts).
 */

/**
 * InputClass names one row of SPEC 2.1's table, plus two groups that are not rows there:
 * `pipelined` (a marker request behind a refused one) and `control` (well-formed requests that
 * must pass, so a proxy that refuses everything cannot look good).
 */
export type InputClass =
  | 'request-line'
  | 'http-0.9'
  | 'version-2-3'
  | 'h2-preface'
  | 'connect'
  | 'target'
  | 'asterisk'
  | 'absolute-form'
  | 'host'
  | 'http10-no-host'
  | 'field-syntax'
  | 'head-limits'
  | 'underscore'
  | 'content-length'
  | 'te-http10'
  | 'te-coding'
  | 'te-syntax'
  | 'chunked-framing'
  | 'body-short'
  | 'body-timeout'
  | 'chunked-ok'
  | 'expect'
  | 'upgrade-other'
  | 'websocket-invalid'
  | 'websocket-101'
  | 'websocket-other-status'
  | 'websocket-bad-101'
  | 'pipelined'
  | 'control';

/** SPEC_ROWS says, for each class, the SPEC 2.1 row it stands for (for reports). */
export const SPEC_ROWS: Record<InputClass, string> = {
  'request-line': 'request line not METHOD SP target SP HTTP/1.x → 400',
  'http-0.9': 'no version / HTTP/0.9 → 400',
  'version-2-3': 'HTTP/2.0 or HTTP/3.0 in an HTTP/1 request line → 505',
  'h2-preface': 'HTTP/2 preface on an HTTP/1 connection → 400',
  connect: 'CONNECT → 405',
  target: 'target not origin-form, absolute-form or *; fragment; whitespace or controls → 400',
  asterisk: '* with a method other than OPTIONS → 400',
  'absolute-form': 'absolute-form authority differs from Host, or another scheme → 400',
  host: 'HTTP/1.1 Host missing, repeated, empty or not host[:port] → 400',
  'http10-no-host': 'HTTP/1.0 without Host → forwarded without Host',
  'field-syntax': 'field name not a token; control character in a value → 400',
  'head-limits': 'obs-fold / more than 100 fields / head over 16 KiB → 400 / 431 / 414',
  underscore: 'field name with `_` → forwarded without that field',
  'content-length': 'Content-Length not one decimal number, twice, or with Transfer-Encoding → 400',
  'te-http10': 'Transfer-Encoding in HTTP/1.0 → 400',
  'te-coding': 'a coding other than chunked → 501',
  'te-syntax': 'Transfer-Encoding parameters, empty elements, chunked twice → 400',
  'chunked-framing': 'bad chunked framing → 400',
  'body-short': 'body stops before its length (client closes) → connection closed',
  'body-timeout': 'body not complete within requestTimeout → 408',
  'chunked-ok': 'well-formed chunked → re-framed as chunked, trailers dropped',
  expect: 'Expect other than 100-continue → 417',
  'upgrade-other': 'h2c or another non-WebSocket upgrade → forwarded without Upgrade',
  'websocket-invalid': 'WebSocket upgrade without a valid key, or with a body → 400',
  'websocket-101': 'backend answers a valid 101 → tunnel',
  'websocket-other-status': 'backend answers another status → that status, nothing after the upgrade request',
  'websocket-bad-101': 'backend answers 101 with a missing or wrong Upgrade / Accept → 502',
  pipelined: 'a marker request pipelined behind a refused one → neither answered nor forwarded',
  control: 'well-formed requests that must pass',
};

/** Recorded is one request as the recording backend saw it on the wire. */
export interface Recorded {
  /** The request line. */
  requestLine: string;
  /** Field lines as [name, value], in order, with the case they arrived in. */
  fields: [string, string][];
  /** Body bytes as framed on the wire (chunk sizes included when chunked). */
  rawBody: Buffer;
  /** The decoded body. */
  body: Buffer;
  /** Bytes the request took on the wire (head, empty line, body). */
  wireLength: number;
  /** Which backend connection carried it (1, 2, …). */
  connection: number;
}

/** Check looks at what the backend recorded for a row; it returns a problem, or undefined. */
export type Check = (requests: readonly Recorded[]) => string | undefined;

/**
 * BackendSees says what a refused row may leave at the backend: `nothing` — no backend
 * connection opened at all; `cut` — a connection may have carried the first 64 KiB of a body,
 * but no complete request.
 */
export type BackendSees = 'nothing' | 'cut';

/** Expectation is what SPEC 2.1 says must happen to a row. */
export type Expectation =
  /** The proxy answers `status` itself (null: no answer at all, the connection just closes). */
  | { kind: 'refuse'; status: number | null; backend: BackendSees }
  /** The request reaches the backend as sent (apart from the fields the proxy adds). */
  | { kind: 'forward'; status: number; check?: Check }
  /** The request reaches the backend changed: a field dropped, the body re-framed, Upgrade removed. */
  | { kind: 'forward-normalised'; status: number; check: Check }
  /** A WebSocket upgrade the backend accepts: 101, and the client's later bytes go through the tunnel. */
  | { kind: 'tunnel' }
  /** A WebSocket upgrade the backend refuses (or answers wrongly): `status`, closed, only the upgrade request reached it. */
  | { kind: 'upgrade-refused'; status: number };

/** Listener is the kind of listener a row runs on; a few expectations depend on it. */
export type ListenerProtocol = 'HTTP' | 'HTTPS';

/** CorpusRow is one input of the corpus. */
export interface CorpusRow {
  /** Unique, readable, stable (it names the test case). */
  name: string;
  class: InputClass;
  /** The bytes the client sends at once (latin1 string or Buffer). */
  raw: string | Buffer;
  /** What must happen, or one expectation per listener protocol. */
  expect: Expectation | Record<ListenerProtocol, Expectation>;
  /** After sending: `half-close` ends the client's side; default keeps it open. */
  end?: 'half-close';
  /** Bytes sent once the first final response has arrived (if the connection is still open). */
  then?: string;
  /** The marker text is part of this row's legitimate payload, so its arrival proves nothing. */
  markerIsPayload?: boolean;
  /** The row waits for a proxy timeout (requestTimeout), so the runner gives it longer. */
  slow?: boolean;
}

/** expectationFor resolves a row's expectation on a listener. */
export function expectationFor(row: CorpusRow, protocol: ListenerProtocol): Expectation {
  const e = row.expect;
  return 'kind' in e ? e : e[protocol];
}
