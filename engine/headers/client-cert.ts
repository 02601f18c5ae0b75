/**
 * Client-certificate facts for the X-Forwarded-Clientcert-* headers (SPEC 1.2.1), read once
 * per TLS connection (not per request) and rendered as single-line header values.
 */
import type { TLSSocket } from 'node:tls';

/** ClientCertInfo is what the client-certificate headers carry for one connection. */
export interface ClientCertInfo {
  /** RFC 4514 string of the subject, e.g. `CN=client,O=Example`. */
  readonly subjectDn: string;
  /** RFC 4514 string of the issuer. */
  readonly issuerDn: string;
  /** SHA-1 of the DER certificate, lower-case hex without separators. */
  readonly fingerprintSha1: string;
  /** SUCCESS when the chain verified against the listener's CA, FAILED when it did not. */
  readonly verify: 'SUCCESS' | 'FAILED' | 'NONE';
}

/**
 * clientCertInfo reads the peer certificate of a TLS connection, or undefined when the client
 * presented none (the clientverify header then says NONE). Call it once per connection, e.g.
 * on 'secureConnection', and keep the result with the connection.
 */
export function clientCertInfo(socket: TLSSocket): ClientCertInfo | undefined {
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) return undefined;
  return {
    subjectDn: rfc4514(cert.subject),
    issuerDn: rfc4514(cert.issuer),
    fingerprintSha1: cert.fingerprint.replaceAll(':', '').toLowerCase(),
    verify: socket.authorized ? 'SUCCESS' : 'FAILED',
  };
}

/**
 * rfc4514 turns Node's multi-line distinguished name (one RDN per line, certificate order,
 * values already RFC 2253-escaped) into the one-line RFC 4514 form (most specific RDN first,
 * comma-separated), as nginx's `$ssl_client_s_dn` does. Characters outside printable ASCII are
 * hex-escaped (`\C3\A9`) so the value is a valid header field on the wire.
 */
export function rfc4514(multiline: string): string {
  const rdns = multiline.split('\n');
  rdns.reverse();
  const joined = rdns.join(',');
  let safe = true;
  for (let i = 0; i < joined.length; i++) {
    const c = joined.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      safe = false;
      break;
    }
  }
  if (safe) return joined;
  let out = '';
  for (const ch of joined) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c <= 0x7e) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += '\\' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
