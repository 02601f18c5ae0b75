/** The forwarded-headers module: client IP resolution and the upstream header list (SPEC 1.2.1, E11, E12). */
export { ForwardedHeaders, CLIENT_CERT_HEADER_NAMES } from './forwarded-headers.ts';
export type { ListenerIdentity, RequestFacts, RequestPeer } from './forwarded-headers.ts';
export { TrustedProxies } from './trusted-proxies.ts';
export { clientCertInfo, rfc4514 } from './client-cert.ts';
export type { ClientCertInfo } from './client-cert.ts';
export { normaliseIp, parseIPv4, parseIPv6 } from './ip-address.ts';
