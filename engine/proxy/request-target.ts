/**
 * The request line sent to a backend: the target in origin form, and the head built from the
 * forwarded header list exactly as ForwardedHeaders produced it (names in the client's case,
 * in the client's order, E12).
 */

/**
 * originForm reduces an absolute-form target (`http://host/p?q`) to origin form (`/p?q`); an
 * origin-form target or `*` is returned as is.
 */
export function originForm(url: string): string {
  if (url.charCodeAt(0) === 47 /* / */ || url === '*') return url;
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return '/';
  }
}

/** requestHead writes the request line and fields for the backend; `chunked` adds the body framing. */
export function requestHead(method: string, target: string, http10: boolean, headers: readonly string[], chunked: boolean): string {
  let head = method + ' ' + target + (http10 ? ' HTTP/1.0\r\n' : ' HTTP/1.1\r\n');
  for (let i = 0; i + 1 < headers.length; i += 2) head += headers[i] + ': ' + headers[i + 1] + '\r\n';
  if (chunked) head += 'Transfer-Encoding: chunked\r\n';
  return head + '\r\n';
}
