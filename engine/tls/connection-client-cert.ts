/**
 * The client certificate of a mutual-TLS connection (E3), kept with the connection: read on
 * first use and shared by every request on it, for the X-Forwarded-Clientcert-* headers.
 */
import type { TLSSocket } from 'node:tls';
import { clientCertInfo, type ClientCertInfo } from '../headers/client-cert.ts';

const kClientCert = Symbol('gatehouse.clientCert');

type CachingSocket = TLSSocket & { [kClientCert]?: ClientCertInfo | null };

/** connectionClientCert returns the connection's client certificate facts, undefined when none was presented. */
export function connectionClientCert(socket: TLSSocket): ClientCertInfo | undefined {
  const s = socket as CachingSocket;
  let info = s[kClientCert];
  if (info === undefined) {
    info = clientCertInfo(socket) ?? null;
    s[kClientCert] = info;
  }
  return info ?? undefined;
}
