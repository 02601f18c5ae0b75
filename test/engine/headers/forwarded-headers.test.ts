/**
 * SPEC 1.2.1, E11 and E12: the header list sent to a backend — the seed's X-Forwarded-For
 * table row by row, hop-by-hop removal, spoofing through Connection, every added header on and
 * off, renamed client-certificate headers, case preservation.
 */
import { describe, expect, it } from 'vitest';
import { ForwardedHeaders, type ClientCertInfo, type RequestPeer } from '../../../engine/headers/index.ts';
import type { ForwardedHeadersConfig } from '../../../schema/snapshot.ts';
import { EVERY_ADDED_HEADER, forwardedConfig } from '../support/snapshots.ts';
import { pairs } from '../support/header-pairs.ts';

const LISTENER = { loadBalancerId: 'alb-abcdefghijklmnopqrst', port: 8443, protocol: 'HTTPS' } as const;
const PEER: RequestPeer = { ip: '127.0.0.1', port: 54321 };
const CERT: ClientCertInfo = { subjectDn: 'CN=client,O=Example', issuerDn: 'CN=Example CA', fingerprintSha1: 'ab'.repeat(20), verify: 'SUCCESS' };

function build(config: Partial<ForwardedHeadersConfig>, raw: string[], peer: RequestPeer = PEER): [string, string][] {
  return pairs(new ForwardedHeaders(forwardedConfig(config), LISTENER).build(raw, peer));
}

function values(result: [string, string][], lowerName: string): string[] {
  return result.filter(([n]) => n.toLowerCase() === lowerName).map(([, v]) => v);
}

const BASE = ['Host', 'example.com'];

describe('E11: the seed X-Forwarded-For table (last hop 127.0.0.1)', () => {
  const rows: { request: string[]; append: string[]; remove: string[]; off: string[] }[] = [
    { request: [], append: ['127.0.0.1'], remove: [], off: [] },
    { request: ['127.0.0.2'], append: ['127.0.0.2, 127.0.0.1'], remove: [], off: ['127.0.0.2'] },
    { request: ['127.0.0.2, 127.0.0.3'], append: ['127.0.0.2, 127.0.0.3, 127.0.0.1'], remove: [], off: ['127.0.0.2, 127.0.0.3'] },
  ];
  it.each(rows)('request XFF $request', ({ request, append, remove, off }) => {
    const raw = [...BASE];
    for (const v of request) raw.push('X-Forwarded-For', v);
    expect(values(build({ xForwardedFor: { enabled: true, mode: 'append' } }, raw), 'x-forwarded-for')).toEqual(append);
    expect(values(build({ xForwardedFor: { enabled: true, mode: 'remove' } }, raw), 'x-forwarded-for')).toEqual(remove);
    expect(values(build({ xForwardedFor: { enabled: false, mode: 'append' } }, raw), 'x-forwarded-for')).toEqual(off);
  });

  it('all X-Forwarded-For fields count, in order, joined with ", "', () => {
    const raw = [...BASE, 'X-Forwarded-For', '1.1.1.1', 'Accept', '*/*', 'x-forwarded-for', '2.2.2.2, 3.3.3.3', 'X-FORWARDED-FOR', ' 4.4.4.4 '];
    const result = build({}, raw);
    expect(values(result, 'x-forwarded-for')).toEqual(['1.1.1.1, 2.2.2.2, 3.3.3.3, 4.4.4.4, 127.0.0.1']);
  });

  it('an empty X-Forwarded-For field adds nothing before the last hop', () => {
    expect(values(build({}, [...BASE, 'X-Forwarded-For', ''], PEER), 'x-forwarded-for')).toEqual(['127.0.0.1']);
  });

  it('the last hop is the TCP peer, IPv4-mapped written as IPv4, also with client-IP retrieval on', () => {
    const raw = [...BASE, 'X-Forwarded-For', '9.9.9.9'];
    expect(values(build({}, raw, { ip: '::ffff:10.1.2.3', port: 1 }), 'x-forwarded-for')).toEqual(['9.9.9.9, 10.1.2.3']);
    const retrieval = { clientIp: { enabled: true, trustedProxies: ['0.0.0.0/0'] } };
    expect(values(build(retrieval, raw, { ip: '10.1.2.3', port: 1 }), 'x-forwarded-for')).toEqual(['9.9.9.9, 10.1.2.3']);
    expect(values(build({}, [], { ip: '::1', port: 1 }), 'x-forwarded-for')).toEqual(['::1']);
  });

  it('X-Forwarded-For is always sent as "X-Forwarded-For", even with handling off', () => {
    const raw = [...BASE, 'x-FORWARDED-for', '5.5.5.5', 'x-forwarded-for', '6.6.6.6'];
    for (const xForwardedFor of [
      { enabled: true, mode: 'append' as const },
      { enabled: false, mode: 'append' as const },
    ]) {
      const names = build({ xForwardedFor }, raw)
        .filter(([n]) => n.toLowerCase() === 'x-forwarded-for')
        .map(([n]) => n);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names)).toEqual(new Set(['X-Forwarded-For']));
    }
    expect(values(build({ xForwardedFor: { enabled: false, mode: 'append' } }, raw), 'x-forwarded-for')).toEqual(['5.5.5.5', '6.6.6.6']);
  });
});

describe('E12: hop-by-hop fields', () => {
  it.each([
    ['Connection', 'keep-alive'],
    ['Keep-Alive', 'timeout=5'],
    ['Transfer-Encoding', 'chunked'],
    ['Proxy-Connection', 'keep-alive'],
    ['Upgrade', 'h2c'],
    ['HTTP2-Settings', 'AAMAAABkAAQAoAAAAAIAAAAA'],
    ['Expect', '100-continue'],
    ['TE', 'gzip'],
  ])('%s is not forwarded', (name, value) => {
    const result = build({ xForwardedFor: { enabled: false, mode: 'append' } }, [...BASE, name, value, 'Accept', 'text/html']);
    expect(result).toEqual([
      ['Host', 'example.com'],
      ['Accept', 'text/html'],
    ]);
  });

  it('TE keeps only "trailers"', () => {
    const result = build({}, [...BASE, 'TE', 'gzip, trailers;q=1', 'Connection', 'TE']);
    expect(values(result, 'te')).toEqual(['trailers']);
    expect(result.find(([n]) => n.toLowerCase() === 'te')![0]).toBe('TE');
  });

  it('names listed in Connection are removed, whatever their case', () => {
    const raw = [...BASE, 'Connection', 'keep-alive, X-Secret, x-other', 'x-secret', '1', 'X-OTHER', '2', 'X-Kept', '3'];
    const result = build({ xForwardedFor: { enabled: false, mode: 'append' } }, raw);
    expect(result).toEqual([
      ['Host', 'example.com'],
      ['X-Kept', '3'],
    ]);
  });

  it('several Connection fields all count', () => {
    const raw = [...BASE, 'Connection', 'a', 'connection', 'b', 'A', '1', 'b', '2', 'c', '3'];
    expect(build({ xForwardedFor: { enabled: false, mode: 'append' } }, raw)).toEqual([
      ['Host', 'example.com'],
      ['c', '3'],
    ]);
  });

  it('Connection cannot strip Host, Content-Length or the client X-Forwarded-For chain', () => {
    const raw = ['Host', 'example.com', 'Content-Length', '3', 'X-Forwarded-For', '1.1.1.1', 'Connection', 'host, content-length, x-forwarded-for'];
    const result = build({}, raw);
    expect(values(result, 'host')).toEqual(['example.com']);
    expect(values(result, 'content-length')).toEqual(['3']);
    expect(values(result, 'x-forwarded-for')).toEqual(['1.1.1.1, 127.0.0.1']);
  });

  it('WebSocket upgrades keep Upgrade and send Connection: Upgrade', () => {
    const raw = [...BASE, 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version', '13'];
    const result = build({}, raw, { ...PEER, websocket: true });
    expect(values(result, 'upgrade')).toEqual(['websocket']);
    expect(values(result, 'connection')).toEqual(['Upgrade']);
    expect(values(result, 'sec-websocket-key')).toEqual(['dGhlIHNhbXBsZSBub25jZQ==']);
    const plain = build({}, raw, PEER);
    expect(values(plain, 'upgrade')).toEqual([]);
    expect(values(plain, 'connection')).toEqual([]);
  });
});

describe('1.2.1: added headers, on and off, and anti-spoofing', () => {
  const all = EVERY_ADDED_HEADER;
  const added: [keyof ForwardedHeadersConfig, string, string][] = [
    ['slbId', 'SLB-ID', LISTENER.loadBalancerId],
    ['proto', 'X-Forwarded-Proto', 'https'],
    ['port', 'X-Forwarded-Port', '8443'],
    ['host', 'X-Forwarded-Host', 'example.com'],
    ['clientSrcPort', 'X-Forwarded-Client-srcport', '54321'],
    ['clientCertSubjectDn', 'X-Forwarded-Clientcert-subjectdn', CERT.subjectDn],
    ['clientCertIssuerDn', 'X-Forwarded-Clientcert-issuerdn', CERT.issuerDn],
    ['clientCertFingerprint', 'X-Forwarded-Clientcert-fingerprint', CERT.fingerprintSha1],
    ['clientCertClientVerify', 'X-Forwarded-Clientcert-clientverify', 'SUCCESS'],
  ];

  it.each(added)('%s on: sends %s with the SPEC case', (key, name, value) => {
    const result = build({ [key]: all[key] }, [...BASE], { ...PEER, clientCert: CERT });
    expect(result.filter(([n]) => n === name)).toEqual([[name, value]]);
  });

  it.each(added)('%s off: %s is not added, and a client copy passes untouched', (key, name) => {
    const others = { ...all, [key]: key.startsWith('clientCert') ? { enabled: false } : false };
    const result = build(others, [...BASE, name.toLowerCase(), 'client-value'], { ...PEER, clientCert: CERT });
    expect(result.filter(([n]) => n.toLowerCase() === name.toLowerCase())).toEqual([[name.toLowerCase(), 'client-value']]);
  });

  it.each(added)('%s on: a client cannot spoof %s (any case, any count)', (key, name, value) => {
    const raw = [...BASE, name.toUpperCase(), 'spoofed', name.toLowerCase(), 'spoofed-again', name, 'third'];
    const result = build({ [key]: all[key] }, raw, { ...PEER, clientCert: CERT });
    expect(result.filter(([n]) => n.toLowerCase() === name.toLowerCase())).toEqual([[name, value]]);
  });

  it.each(added)('%s on: a client cannot strip %s through Connection', (key, name, value) => {
    const raw = [...BASE, 'Connection', `close, ${name}`, name, 'spoofed'];
    const result = build({ [key]: all[key] }, raw, { ...PEER, clientCert: CERT });
    expect(result.filter(([n]) => n === name)).toEqual([[name, value]]);
  });

  it('X-Forwarded-Proto says http on an HTTP listener', () => {
    const h = new ForwardedHeaders(forwardedConfig({ proto: true }), { ...LISTENER, protocol: 'HTTP' });
    expect(pairs(h.build(BASE, PEER))).toContainEqual(['X-Forwarded-Proto', 'http']);
  });

  it('renamed client-certificate headers use the configured name and replace client copies', () => {
    const config = {
      clientCertSubjectDn: { enabled: true, headerName: 'x-client-dn' },
      clientCertIssuerDn: { enabled: true, headerName: 'x-client-issuer' },
      clientCertFingerprint: { enabled: true, headerName: 'x-client-fp' },
      clientCertClientVerify: { enabled: true, headerName: 'x-client-verify' },
    };
    const raw = [...BASE, 'X-Client-DN', 'CN=admin', 'X-Forwarded-Clientcert-subjectdn', 'passes'];
    const result = build(config, raw, { ...PEER, clientCert: CERT });
    expect(values(result, 'x-client-dn')).toEqual([CERT.subjectDn]);
    expect(result).toContainEqual(['x-client-dn', CERT.subjectDn]);
    expect(result).toContainEqual(['x-client-issuer', CERT.issuerDn]);
    expect(result).toContainEqual(['x-client-fp', CERT.fingerprintSha1]);
    expect(result).toContainEqual(['x-client-verify', 'SUCCESS']);
    // The default name is no longer the engine's: the client's copy is just a client header.
    expect(result).toContainEqual(['X-Forwarded-Clientcert-subjectdn', 'passes']);
  });

  it('without a client certificate: clientverify NONE, the other certificate headers absent (and client copies dropped)', () => {
    const raw = [...BASE, 'X-Forwarded-Clientcert-subjectdn', 'CN=admin'];
    const result = build(all, raw, PEER);
    expect(values(result, 'x-forwarded-clientcert-clientverify')).toEqual(['NONE']);
    expect(values(result, 'x-forwarded-clientcert-subjectdn')).toEqual([]);
    expect(values(result, 'x-forwarded-clientcert-issuerdn')).toEqual([]);
    expect(values(result, 'x-forwarded-clientcert-fingerprint')).toEqual([]);
    const failed = build(all, BASE, { ...PEER, clientCert: { ...CERT, verify: 'FAILED' } });
    expect(values(failed, 'x-forwarded-clientcert-clientverify')).toEqual(['FAILED']);
  });

  it('X-Forwarded-Host carries the client Host as sent (or :authority), and is absent without one', () => {
    expect(values(build({ host: true }, ['hOsT', 'Example.COM:8443']), 'x-forwarded-host')).toEqual(['Example.COM:8443']);
    expect(values(build({ host: true }, [':authority', 'h2.example', ':path', '/']), 'x-forwarded-host')).toEqual(['h2.example']);
    expect(values(build({ host: true }, ['Accept', '*/*']), 'x-forwarded-host')).toEqual([]);
  });
});

describe('E12: case preservation and request normalisation', () => {
  it('client headers keep their case and order; added ones follow', () => {
    const raw = ['hOST', 'example.com', 'x-custom-THING', 'a', 'USER-agent', 'test/1', 'accept', '*/*'];
    const result = build({ slbId: true, proto: true }, raw);
    expect(result).toEqual([
      ['hOST', 'example.com'],
      ['x-custom-THING', 'a'],
      ['USER-agent', 'test/1'],
      ['accept', '*/*'],
      ['X-Forwarded-For', '127.0.0.1'],
      ['SLB-ID', LISTENER.loadBalancerId],
      ['X-Forwarded-Proto', 'https'],
    ]);
  });

  it('repeated end-to-end fields keep every value in order', () => {
    const raw = [...BASE, 'Accept-Language', 'en', 'accept-language', 'fr'];
    expect(values(build({}, raw), 'accept-language')).toEqual(['en', 'fr']);
  });

  it('HTTP/2 requests: pseudo-headers dropped, :authority becomes host, cookies joined', () => {
    const raw = [':method', 'GET', ':path', '/x', ':scheme', 'https', ':authority', 'example.com', 'cookie', 'a=1', 'accept', '*/*', 'cookie', 'b=2'];
    expect(build({ xForwardedFor: { enabled: false, mode: 'append' } }, raw)).toEqual([
      ['cookie', 'a=1; b=2'],
      ['accept', '*/*'],
      ['host', 'example.com'],
    ]);
  });

  it('a repeated Host or Content-Length keeps its first value only', () => {
    const raw = ['Host', 'a.example', 'host', 'b.example', 'Content-Length', '5', 'content-length', '5'];
    const result = build({ xForwardedFor: { enabled: false, mode: 'append' } }, raw);
    expect(result).toEqual([
      ['Host', 'a.example'],
      ['Content-Length', '5'],
    ]);
  });

  it('the input list is not modified', () => {
    const raw = [...BASE, 'Connection', 'x-a', 'x-a', '1', 'X-Forwarded-For', '1.1.1.1'];
    const copy = [...raw];
    build({ slbId: true }, raw);
    expect(raw).toEqual(copy);
  });
});
