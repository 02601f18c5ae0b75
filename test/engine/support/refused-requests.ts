/**
 * Requests E17 refuses, each with the title its test carries and the status it must get. The
 * same bytes go to an http.Server built with the limits (limits/request-limits.test.ts) and to
 * the engine's running listeners (limits/listener-limits.test.ts).
 */

/** RefusedRequest is one refused request: its title, its raw bytes and E17's status. */
export interface RefusedRequest {
  name: string;
  request: string;
  status: number;
}

/** headerFields is n fields `X-Field-<i>: v<i>`, each with its CRLF. */
export function headerFields(n: number): string {
  return Array.from({ length: n }, (_, i) => `X-Field-${i}: v${i}\r\n`).join('');
}

/** E17_REFUSED are the refusals both the http.Server and the listeners are tested with. */
export const E17_REFUSED = {
  bigHeader: { name: 'a 17 KiB header', request: `GET /h HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, status: 431 },
  bigUri: { name: 'a 17 KiB URI', request: `GET /${'u'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, status: 414 },
  clWithTe: { name: 'Content-Length with Transfer-Encoding', request: 'POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', status: 400 },
  differingCl: { name: 'duplicate differing Content-Length', request: 'POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', status: 400 },
  obsFold: { name: 'obs-fold', request: 'GET /o HTTP/1.1\r\nHost: x\r\nX-A: one\r\n  folded\r\n\r\n', status: 400 },
  bareLf: { name: 'bare LF line endings', request: 'GET /l HTTP/1.1\nHost: x\n\n', status: 400 },
  bareCr: { name: 'bare CR inside the head', request: 'GET /l HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n', status: 400 },
  twoHosts: { name: 'two Host fields', request: 'GET /d HTTP/1.1\r\nHost: a.example\r\nhost: b.example\r\n\r\n', status: 400 },
} as const satisfies Record<string, RefusedRequest>;
