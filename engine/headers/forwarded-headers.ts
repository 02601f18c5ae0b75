/**
 * ForwardedHeaders: the request header list sent to a backend (SPEC 1.2.1, E11, E12), built
 * from the client's raw header list in one pass with every decision precomputed per listener
 * configuration.
 *
 * Rules, in the words of E12: hop-by-hop fields are not forwarded (Connection and the names it
 * lists, Keep-Alive, TE except `trailers`, Transfer-Encoding, Upgrade except for WebSocket,
 * Proxy-Connection); `X-Forwarded-For` always goes out with that capitalisation; other client
 * fields keep the client's case; fields the engine adds use the case of 1.2.1 and replace any
 * the client sent, so a client can neither spoof them nor strip them through Connection.
 *
 * Client fields whose names contain `_` are dropped unless the listener forwards them (SPEC
 * 2.1): backends that map fields to CGI-style names (`HTTP_X_FORWARDED_FOR`) would read
 * `X_Forwarded_For` as the X-Forwarded-For the listener computed.
 *
 * "The last hop's IP" appended to X-Forwarded-For is always the TCP peer of the listener
 * (IPv4-mapped IPv6 written as IPv4), also when "Retrieve Client IP" is on: X-Forwarded-For is
 * the chain of hops, and the resolved client address is already in it; the resolved address
 * is for the access log and source-IP hashing (`clientIp()`).
 */
import type { ForwardedHeadersConfig } from '../../schema/snapshot.ts';
import type { ClientCertInfo } from './client-cert.ts';
import { normaliseIp } from './ip-address.ts';
import { TrustedProxies } from './trusted-proxies.ts';
import { listHasToken, readConnection, readTransferCoding, TRANSFER_CODING_NONE } from './field-lists.ts';

/** ListenerIdentity is what the added headers say about the listener; fixed per listener. */
export interface ListenerIdentity {
  readonly loadBalancerId: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Forward client fields whose names contain `_` (SPEC 2.1); absent or false drops them. */
  readonly underscoreHeadersEnabled?: boolean;
}

/** RequestPeer is the per-request input besides the raw headers. */
export interface RequestPeer {
  /** The socket's remote address (normalised here if IPv4-mapped). */
  readonly ip: string;
  /** The socket's remote port. */
  readonly port: number;
  /** The connection's client certificate; undefined when none was presented or on HTTP. */
  readonly clientCert?: ClientCertInfo | undefined;
  /** True for a WebSocket upgrade: `Upgrade` is kept and `Connection: Upgrade` sent. */
  readonly websocket?: boolean;
}

/**
 * RequestFacts receives, from the same pass that builds the list, the request fields the rest
 * of the pipeline needs (framing, Host, Accept-Encoding, Cookie), so that nothing else has to
 * scan the raw headers or build node's lazy header object.
 */
export interface RequestFacts {
  /** The first Host field (or :authority), or undefined. */
  host: string | undefined;
  /** The first Content-Length value, or undefined. */
  contentLength: string | undefined;
  /** What the client's Transfer-Encoding says: one of the TRANSFER_CODING_* values of field-lists.ts. */
  transferCoding: number;
  /** Accept-Encoding values, joined with `, `, or undefined. */
  acceptEncoding: string | undefined;
  /** The Cookie fields, joined with `; `, or undefined. */
  cookie: string | undefined;
  /** The Expect fields, joined with `, ` (never forwarded: the engine answers expectations itself), or undefined. */
  expect: string | undefined;
}

/** Default names of the client-certificate headers, in the case SPEC 1.2.1 writes them. */
export const CLIENT_CERT_HEADER_NAMES = {
  subjectDn: 'X-Forwarded-Clientcert-subjectdn',
  issuerDn: 'X-Forwarded-Clientcert-issuerdn',
  fingerprint: 'X-Forwarded-Clientcert-fingerprint',
  clientVerify: 'X-Forwarded-Clientcert-clientverify',
} as const;

const K_DROP = 1;
const K_CONNECTION = 2;
const K_TE = 3;
const K_UPGRADE = 4;
const K_XFF = 5;
const K_HOST = 6;
const K_CONTENT_LENGTH = 7;
const K_COOKIE = 8;
const K_TRANSFER_ENCODING = 9;
const K_ACCEPT_ENCODING = 10;
const K_EXPECT = 11;

const MODE_OFF = 0;
const MODE_APPEND = 1;
const MODE_REMOVE = 2;

/**
 * Always dropped: hop-by-hop fields and `HTTP2-Settings` (an h2c upgrade is per hop). `Expect`
 * is not forwarded either (the engine answers `100-continue` itself); it is read into the facts.
 */
const ALWAYS_DROPPED = ['keep-alive', 'proxy-connection', 'http2-settings'];

/**
 * Names a `Connection` list cannot remove: routing and framing fields, and X-Forwarded-For
 * (listing it is the classic trick to make a proxy drop the chain before the backend).
 */
const PROTECTED_FROM_CONNECTION = new Set(['host', 'content-length', 'x-forwarded-for']);

/** ForwardedHeaders is one listener's compiled forwarded-header plan. */
export class ForwardedHeaders {
  /** trustedProxies is set when "Retrieve Client IP" is on. */
  readonly trustedProxies: TrustedProxies | undefined;
  private readonly kinds = new Map<string, number>();
  private readonly xffMode: number;
  private readonly slbId: string | undefined;
  private readonly proto: string | undefined;
  private readonly port: string | undefined;
  private readonly host: boolean;
  private readonly srcPort: boolean;
  private readonly subjectDnName: string | undefined;
  private readonly issuerDnName: string | undefined;
  private readonly fingerprintName: string | undefined;
  private readonly clientVerifyName: string | undefined;
  private readonly underscores: boolean;

  /** constructor compiles the listener's configuration; throws VALIDATION_FAILED on a bad trusted-proxy entry. */
  constructor(config: ForwardedHeadersConfig, listener: ListenerIdentity) {
    this.xffMode = !config.xForwardedFor.enabled ? MODE_OFF : config.xForwardedFor.mode === 'append' ? MODE_APPEND : MODE_REMOVE;
    this.trustedProxies = config.clientIp.enabled ? new TrustedProxies(config.clientIp.trustedProxies) : undefined;
    this.slbId = config.slbId ? listener.loadBalancerId : undefined;
    this.proto = config.proto ? (listener.protocol === 'HTTPS' ? 'https' : 'http') : undefined;
    this.port = config.port ? String(listener.port) : undefined;
    this.host = config.host;
    this.srcPort = config.clientSrcPort;
    this.underscores = listener.underscoreHeadersEnabled === true;
    const certName = (c: { enabled: boolean; headerName?: string }, fallback: string) =>
      c.enabled ? (c.headerName !== undefined && c.headerName.length > 0 ? c.headerName : fallback) : undefined;
    this.subjectDnName = certName(config.clientCertSubjectDn, CLIENT_CERT_HEADER_NAMES.subjectDn);
    this.issuerDnName = certName(config.clientCertIssuerDn, CLIENT_CERT_HEADER_NAMES.issuerDn);
    this.fingerprintName = certName(config.clientCertFingerprint, CLIENT_CERT_HEADER_NAMES.fingerprint);
    this.clientVerifyName = certName(config.clientCertClientVerify, CLIENT_CERT_HEADER_NAMES.clientVerify);

    for (const name of ALWAYS_DROPPED) this.kind(name, K_DROP);
    this.kind('connection', K_CONNECTION);
    this.kind('te', K_TE);
    this.kind('upgrade', K_UPGRADE);
    this.kind('x-forwarded-for', K_XFF);
    this.kind('host', K_HOST);
    this.kind('content-length', K_CONTENT_LENGTH);
    this.kind('cookie', K_COOKIE);
    this.kind('transfer-encoding', K_TRANSFER_ENCODING);
    this.kind('accept-encoding', K_ACCEPT_ENCODING);
    this.kind('expect', K_EXPECT);
    // Every field the engine adds is removed from the client's set first (anti-spoofing).
    if (this.slbId !== undefined) this.kind('slb-id', K_DROP);
    if (this.proto !== undefined) this.kind('x-forwarded-proto', K_DROP);
    if (this.port !== undefined) this.kind('x-forwarded-port', K_DROP);
    if (this.host) this.kind('x-forwarded-host', K_DROP);
    if (this.srcPort) this.kind('x-forwarded-client-srcport', K_DROP);
    for (const name of [this.subjectDnName, this.issuerDnName, this.fingerprintName, this.clientVerifyName]) {
      if (name !== undefined) this.kind(name.toLowerCase(), K_DROP);
    }
  }

  /**
   * clientIp is the request's client address: the X-Forwarded-For walk of SPEC 1.2.1 when
   * "Retrieve Client IP" is on, else the socket peer; IPv4-mapped IPv6 comes back as IPv4.
   */
  clientIp(peerIp: string, rawHeaders: readonly string[]): string {
    return this.trustedProxies === undefined ? normaliseIp(peerIp) : this.trustedProxies.clientIpFromRaw(peerIp, rawHeaders);
  }

  /**
   * build returns the flat header list (name, value, …) to send to the backend, e.g. as
   * undici's `headers`. `rawHeaders` is the client's list as received (`req.rawHeaders`);
   * HTTP/2 pseudo-headers are dropped and `:authority` becomes `host` when no Host was sent;
   * several Cookie fields (HTTP/2 splits them) are joined with `; ` as HTTP/1.1 requires; a
   * repeated Host or Content-Length keeps its first value (undici refuses duplicates; the
   * limits module answers 400 to a repeated Host before this runs). `facts`, when given, is
   * filled with the fields RequestFacts names.
   */
  build(rawHeaders: readonly string[], peer: RequestPeer, facts?: RequestFacts): string[] {
    const out: string[] = [];
    const kinds = this.kinds;
    let xff = '';
    let connectionTokens: string[] | undefined;
    let host: string | undefined;
    let authority: string | undefined;
    let seenContentLength = false;
    let cookieAt = -1;
    let teName: string | undefined;
    let upgradeName: string | undefined;
    let upgradeValue = '';
    let contentLength: string | undefined;
    let transferCoding = TRANSFER_CODING_NONE;
    let acceptEncoding: string | undefined;
    let expect: string | undefined;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      const value = rawHeaders[i + 1]!;
      if (name.charCodeAt(0) === 58) {
        if (name === ':authority') authority = value;
        continue;
      }
      const kind = kinds.get(name) ?? kinds.get(name.toLowerCase());
      switch (kind) {
        case undefined:
          // Names with `_` reach the backend only when the listener allows them (SPEC 2.1).
          if (this.underscores || name.indexOf('_') === -1) out.push(name, value);
          break;
        case K_DROP:
          break;
        case K_CONNECTION:
          connectionTokens = readConnection(value, connectionTokens).tokens;
          break;
        case K_TE:
          if (listHasToken(value, 'trailers')) teName = name;
          break;
        case K_UPGRADE:
          if (peer.websocket === true) {
            upgradeName = name;
            upgradeValue = value;
          }
          break;
        case K_XFF:
          if (this.xffMode === MODE_OFF) {
            out.push('X-Forwarded-For', value);
          } else if (this.xffMode === MODE_APPEND) {
            const trimmed = value.trim();
            if (trimmed.length > 0) xff = xff.length === 0 ? trimmed : xff + ', ' + trimmed;
          }
          break;
        case K_HOST:
          if (host === undefined) {
            host = value;
            out.push(name, value);
          }
          break;
        case K_CONTENT_LENGTH:
          if (!seenContentLength) {
            seenContentLength = true;
            contentLength = value;
            out.push(name, value);
          }
          break;
        case K_TRANSFER_ENCODING:
          transferCoding = readTransferCoding(value, transferCoding);
          break;
        case K_EXPECT:
          expect = expect === undefined ? value : expect + ', ' + value;
          break;
        case K_ACCEPT_ENCODING:
          acceptEncoding = acceptEncoding === undefined ? value : acceptEncoding + ', ' + value;
          out.push(name, value);
          break;
        case K_COOKIE:
          if (cookieAt === -1) {
            cookieAt = out.length;
            out.push(name, value);
          } else {
            out[cookieAt + 1] += '; ' + value;
          }
          break;
      }
    }
    if (host === undefined && authority !== undefined) {
      host = authority;
      out.push('host', authority);
    }
    if (facts !== undefined) {
      facts.host = host;
      facts.contentLength = contentLength;
      facts.transferCoding = transferCoding;
      facts.acceptEncoding = acceptEncoding;
      facts.cookie = cookieAt === -1 ? undefined : out[cookieAt + 1];
      facts.expect = expect;
    }
    if (connectionTokens !== undefined) removeListed(out, connectionTokens);
    if (teName !== undefined) out.push(teName, 'trailers');
    if (upgradeName !== undefined) out.push('Connection', 'Upgrade', upgradeName, upgradeValue);

    if (this.xffMode === MODE_APPEND) {
      const hop = normaliseIp(peer.ip);
      out.push('X-Forwarded-For', xff.length === 0 ? hop : xff + ', ' + hop);
    }
    if (this.slbId !== undefined) out.push('SLB-ID', this.slbId);
    if (this.proto !== undefined) out.push('X-Forwarded-Proto', this.proto);
    if (this.port !== undefined) out.push('X-Forwarded-Port', this.port);
    if (this.host && host !== undefined) out.push('X-Forwarded-Host', host);
    if (this.srcPort) out.push('X-Forwarded-Client-srcport', String(peer.port));
    const cert = peer.clientCert;
    if (cert !== undefined) {
      if (this.subjectDnName !== undefined) out.push(this.subjectDnName, cert.subjectDn);
      if (this.issuerDnName !== undefined) out.push(this.issuerDnName, cert.issuerDn);
      if (this.fingerprintName !== undefined) out.push(this.fingerprintName, cert.fingerprintSha1);
    }
    if (this.clientVerifyName !== undefined) out.push(this.clientVerifyName, cert === undefined ? 'NONE' : cert.verify);
    return out;
  }

  /** kind registers a lower-case name with its canonical-case spelling, so common casings hit the map first. */
  private kind(lower: string, kind: number): void {
    this.kinds.set(lower, kind);
    this.kinds.set(lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()), kind);
  }
}

/** removeListed drops, in place, the forwarded fields a Connection header names. */
function removeListed(out: string[], tokens: readonly string[]): void {
  let w = 0;
  for (let r = 0; r < out.length; r += 2) {
    const lower = out[r]!.toLowerCase();
    if (!PROTECTED_FROM_CONNECTION.has(lower) && tokens.includes(lower)) continue;
    out[w++] = out[r]!;
    out[w++] = out[r + 1]!;
  }
  out.length = w;
}
