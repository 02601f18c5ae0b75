/**
 * ALPN selection (E4): `h2` only while the listener has HTTP/2 enabled, `http/1.1` always.
 * Decided per handshake from the listener's current configuration, so turning HTTP/2 on or
 * off applies to new connections without rebuilding the server or its socket.
 */

/**
 * selectAlpn picks the protocol for a client's ALPN offer; undefined (no protocol in common)
 * makes node:tls end the handshake with a no_application_protocol alert (RFC 7301).
 */
export function selectAlpn(offered: readonly string[], http2Enabled: boolean): string | undefined {
  if (http2Enabled && offered.includes('h2')) return 'h2';
  if (offered.includes('http/1.1')) return 'http/1.1';
  return undefined;
}
