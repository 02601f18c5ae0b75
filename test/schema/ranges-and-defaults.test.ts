/**
 * SPEC §1 tables: every numeric range at min−1, min, max, max+1 (plus string lengths and list
 * sizes), and every default, on create and on PUT.
 */
import { describe, expect, it } from 'vitest';
import { parseResource, type ResourceKindName } from '../../schema/index.ts';
import { BASE, create, expectFailureAt, getPath, parsed, withPath } from './fixtures.ts';

interface RangeRow {
  kind: ResourceKindName;
  /** Dotted path where the value goes. */
  path: string;
  /** The error path reported (defaults to `path` with array indexes as written). */
  errorPath?: string;
  min: number;
  max: number;
  /** Turns a size into a value (default: the number itself). */
  make?: (n: number) => unknown;
  base?: Record<string, unknown>;
}

const str = (n: number) => 'a'.repeat(n);
const server = (port: number, weight = 100) => [{ address: '10.0.0.1', port, weight }];
const certs = (n: number) => ({ defaultCertificateId: 'cert-d', additionalCertificateIds: Array.from({ length: n }, (_, i) => `cert-${i}`) });
const servers = (n: number) => Array.from({ length: n }, (_, i) => ({ address: '10.0.0.1', port: i + 1 }));

const RANGES: RangeRow[] = [
  { kind: 'LoadBalancer', path: 'name', min: 2, max: 128, make: str },
  { kind: 'Listener', path: 'port', min: 1, max: 65535 },
  { kind: 'Listener', path: 'idleTimeout', min: 1, max: 600 },
  { kind: 'Listener', path: 'requestTimeout', min: 1, max: 600 },
  { kind: 'Listener', path: 'description', min: 2, max: 256, make: str },
  { kind: 'Listener', path: 'certificates', errorPath: 'certificates.additionalCertificateIds', min: 0, max: 25, make: certs },
  { kind: 'Listener', path: 'forwardedHeaders.clientCertSubjectDn.headerName', min: 1, max: 40, make: str },
  { kind: 'QuicListener', path: 'port', min: 1, max: 65535 },
  { kind: 'QuicListener', path: 'idleTimeout', min: 1, max: 600 },
  { kind: 'QuicListener', path: 'requestTimeout', min: 1, max: 600 },
  { kind: 'QuicListener', path: 'description', min: 2, max: 256, make: str },
  { kind: 'Certificate', path: 'name', min: 2, max: 128, make: str },
  { kind: 'TlsSecurityPolicy', path: 'name', min: 2, max: 128, make: str },
  { kind: 'ServerGroup', path: 'name', min: 2, max: 128, make: str },
  { kind: 'ServerGroup', path: 'servers', errorPath: 'servers', min: 0, max: 200, make: servers },
  { kind: 'ServerGroup', path: 'servers', errorPath: 'servers[0].port', min: 1, max: 65535, make: (n) => server(n) },
  { kind: 'ServerGroup', path: 'servers', errorPath: 'servers[0].weight', min: 0, max: 100, make: (n) => server(80, n) },
  { kind: 'ServerGroup', path: 'healthCheck.path', min: 1, max: 80, make: (n) => (n === 0 ? '' : `/${str(n - 1)}`) },
  { kind: 'ServerGroup', path: 'healthCheck.host', min: 1, max: 80, make: str },
  { kind: 'ServerGroup', path: 'healthCheck.port', min: 0, max: 65535 },
  { kind: 'ServerGroup', path: 'healthCheck.interval', min: 1, max: 50 },
  { kind: 'ServerGroup', path: 'healthCheck.timeout', min: 1, max: 300 },
  { kind: 'ServerGroup', path: 'healthCheck.healthyThreshold', min: 2, max: 10 },
  { kind: 'ServerGroup', path: 'healthCheck.unhealthyThreshold', min: 2, max: 10 },
  { kind: 'ServerGroup', path: 'stickySession.cookieTimeout', min: 1, max: 86400 },
  { kind: 'ServerGroup', path: 'connectionDrain.timeout', min: 0, max: 900 },
];

describe('ranges (SPEC §1 tables)', () => {
  for (const row of RANGES) {
    const make = row.make ?? ((n: number) => n);
    const body = (n: number) => withPath(row.base ?? BASE[row.kind], row.path, make(n));
    const label = `${row.kind}.${row.path} ${row.min}–${row.max}`;
    it(`${label}: min and max are accepted`, () => {
      parsed(create(row.kind, body(row.min)));
      parsed(create(row.kind, body(row.max)));
    });
    it(`${label}: max+1 is refused at ${row.errorPath ?? row.path}`, () => {
      expectFailureAt(create(row.kind, body(row.max + 1)), row.errorPath ?? row.path);
    });
    if (row.min > 0 || !row.make) {
      it(`${label}: min−1 is refused at ${row.errorPath ?? row.path}`, () => {
        expectFailureAt(create(row.kind, body(row.min - 1)), row.errorPath ?? row.path);
      });
    }
  }

  it.each([
    ['Listener', 'port', 80.5],
    ['Listener', 'idleTimeout', 1.5],
    ['ServerGroup', 'healthCheck.interval', 2.5],
    ['Listener', 'port', '443'],
  ] as const)('%s.%s refuses the non-integer %s', (kind, path, value) => {
    expectFailureAt(create(kind, withPath(BASE[kind], path, value)), path);
  });
});

/** Every default of SPEC §1: [kind, path, expected value after parsing the minimal body]. */
const DEFAULTS: [ResourceKindName, string, unknown][] = [
  ['LoadBalancer', 'edition', 'Standard'],
  ['LoadBalancer', 'address', '127.0.0.1'],
  ['LoadBalancer', 'deletionProtection', false],
  ['LoadBalancer', 'tags', {}],
  ['Listener', 'tags', {}],
  ['Listener', 'http2Enabled', true],
  ['Listener', 'idleTimeout', 15],
  ['Listener', 'requestTimeout', 60],
  ['Listener', 'compressionEnabled', true],
  ['Listener', 'underscoreHeadersEnabled', false],
  ['Listener', 'certificates.additionalCertificateIds', []],
  ['Listener', 'tlsPolicyId', 'tls_cipher_policy_1_2_strict_with_1_3'],
  ['Listener', 'mutualAuthentication.enabled', false],
  ['Listener', 'quic.upgradeEnabled', false],
  ['Listener', 'forwardedHeaders.xForwardedFor.enabled', true],
  ['Listener', 'forwardedHeaders.xForwardedFor.mode', 'append'],
  ['Listener', 'forwardedHeaders.clientIp.enabled', false],
  ['Listener', 'forwardedHeaders.slbId', false],
  ['Listener', 'forwardedHeaders.proto', false],
  ['Listener', 'forwardedHeaders.port', false],
  ['Listener', 'forwardedHeaders.host', false],
  ['Listener', 'forwardedHeaders.clientSrcPort', false],
  ['Listener', 'forwardedHeaders.clientCertSubjectDn.enabled', false],
  ['Listener', 'forwardedHeaders.clientCertIssuerDn.enabled', false],
  ['Listener', 'forwardedHeaders.clientCertFingerprint.enabled', false],
  ['Listener', 'forwardedHeaders.clientCertClientVerify.enabled', false],
  ['QuicListener', 'tags', {}],
  ['QuicListener', 'idleTimeout', 15],
  ['QuicListener', 'requestTimeout', 60],
  ['QuicListener', 'certificates.additionalCertificateIds', []],
  ['Certificate', 'type', 'Server'],
  ['Certificate', 'tags', {}],
  ['TlsSecurityPolicy', 'tags', {}],
  ['ServerGroup', 'protocol', 'HTTP'],
  ['ServerGroup', 'scheduler', 'Wrr'],
  ['ServerGroup', 'servers', []],
  ['ServerGroup', 'healthCheck.enabled', true],
  ['ServerGroup', 'healthCheck.protocol', 'HTTP'],
  ['ServerGroup', 'healthCheck.method', 'HEAD'],
  ['ServerGroup', 'healthCheck.path', '/'],
  ['ServerGroup', 'healthCheck.host', undefined],
  ['ServerGroup', 'healthCheck.httpVersion', 'HTTP1.1'],
  ['ServerGroup', 'healthCheck.port', 0],
  ['ServerGroup', 'healthCheck.interval', 2],
  ['ServerGroup', 'healthCheck.timeout', 5],
  ['ServerGroup', 'healthCheck.healthyThreshold', 3],
  ['ServerGroup', 'healthCheck.unhealthyThreshold', 3],
  ['ServerGroup', 'healthCheck.codes', ['http_2xx', 'http_3xx']],
  ['ServerGroup', 'stickySession.enabled', false],
  ['ServerGroup', 'stickySession.type', 'Insert'],
  ['ServerGroup', 'stickySession.cookieTimeout', 1000],
  ['ServerGroup', 'connectionDrain.enabled', false],
  ['ServerGroup', 'connectionDrain.timeout', 300],
  ['ServerGroup', 'tags', {}],
];

describe('defaults (SPEC §1 tables)', () => {
  it.each(DEFAULTS)('create %s: %s defaults to %j', (kind, path, expected) => {
    const value = parsed(create(kind, BASE[kind]));
    expect(getPath(value, path)).toEqual(expected);
    if (expected === undefined) {
      const parent = getPath(value, path.split('.').slice(0, -1).join('.')) as object;
      expect(Object.keys(parent)).not.toContain(path.split('.').pop());
    }
  });

  it.each(DEFAULTS)('PUT %s: an omitted %s takes its default %j', (kind, path, expected) => {
    // Replace fields omitted from a PUT keep the stored value, which here holds the defaults.
    const stored = parsed(create(kind, BASE[kind]));
    const value = parsed(parseResource(kind, 'update', BASE[kind], { previous: stored }));
    expect(getPath(value, path)).toEqual(expected);
  });

  it('a server without a weight gets weight 100 (the top of 0–100; SPEC names no default)', () => {
    const value = parsed(create('ServerGroup', { name: 'sg', servers: [{ address: '10.0.0.1', port: 80 }] }));
    expect(getPath(value, 'servers')).toEqual([{ address: '10.0.0.1', port: 80, weight: 100 }]);
  });
});
