/**
 * A fake management API for the console's unit tests: collections held in memory, lists with a
 * strong ETag over their body and 304 to a matching If-None-Match (as the API answers), reads,
 * server-group health, the audit log with `since`, and deletes answered as a test sets them.
 * Every call is recorded with its headers.
 */
import { vi } from 'vitest';

type Body = Record<string, unknown>;

/** Call is one request the console made. */
export interface Call {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The status the fake API answered. */
  status?: number;
}

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
/** FIXED_NOW is the clock of the tests. */
export const FIXED_NOW = new Date(NOW);
const iso = (ms: number) => new Date(ms).toISOString();
const stamp = { version: 1, createdAt: iso(NOW - 86_400_000), updatedAt: iso(NOW - 86_400_000) };

export const LB = { id: 'alb-aaaaaaaaaaaaaaaaaaaa', name: 'edge', address: '0.0.0.0', edition: 'Standard', deletionProtection: false, tags: {}, status: 'Active', ...stamp };
export const CERT = {
  id: 'cert-aaaaaaaaaaaaaaaaaaaa',
  name: 'www-cert',
  type: 'Server',
  tags: {},
  certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  commonName: 'www.example.com',
  domains: ['www.example.com', 'example.com'],
  subjectDn: 'CN=www.example.com',
  issuerDn: 'CN=Test CA',
  serialNumber: '01',
  notBefore: iso(NOW - 30 * 86_400_000),
  // Ten and a half days from now: 10 whole days left.
  notAfter: iso(NOW + 10.5 * 86_400_000),
  fingerprintSha256: 'AA:BB',
  keyAlgorithm: 'EC-P256',
  expired: false,
  ...stamp,
};
export const CA = { ...CERT, id: 'cert-cccccccccccccccccccc', name: 'client-ca', type: 'CA', subjectDn: 'CN=Test CA', domains: [], notAfter: iso(NOW + 400 * 86_400_000) };
export const UNUSED = { ...CERT, id: 'cert-uuuuuuuuuuuuuuuuuuuu', name: 'spare', notAfter: iso(NOW - 2.5 * 86_400_000), expired: true };
export const GROUP = {
  id: 'sgp-aaaaaaaaaaaaaaaaaaaa',
  name: 'web',
  protocol: 'HTTP',
  tags: {},
  servers: [
    { address: '10.0.0.1', port: 8080, weight: 70 },
    { address: '10.0.0.2', port: 8080, weight: 30, description: '<img src=x onerror=alert(1)>' },
  ],
  ...stamp,
};
export const LISTENER = {
  id: 'lsn-aaaaaaaaaaaaaaaaaaaa',
  loadBalancerId: LB.id,
  protocol: 'HTTPS',
  port: 8443,
  description: 'public site',
  tags: { env: 'prod' },
  defaultServerGroupId: GROUP.id,
  http2Enabled: true,
  idleTimeout: 15,
  requestTimeout: 60,
  compressionEnabled: true,
  underscoreHeadersEnabled: false,
  certificates: { defaultCertificateId: CERT.id, additionalCertificateIds: [] },
  tlsPolicyId: 'tls_cipher_policy_1_2',
  mutualAuthentication: { enabled: true, caCertificateId: CA.id },
  forwardedHeaders: {},
  quic: { upgradeEnabled: false },
  status: 'Running',
  ...stamp,
};
export const QUIC = {
  id: 'lsn-qqqqqqqqqqqqqqqqqqqq',
  loadBalancerId: LB.id,
  port: 8443,
  tags: {},
  defaultServerGroupId: GROUP.id,
  idleTimeout: 15,
  requestTimeout: 60,
  certificates: { defaultCertificateId: CERT.id, additionalCertificateIds: [UNUSED.id] },
  status: 'Unavailable',
  statusReason: 'no QUIC stack in this runtime',
  ...stamp,
};
export const SYSTEM_POLICY = { id: 'tls_cipher_policy_1_2', name: 'tls_cipher_policy_1_2', system: true, tlsVersions: ['TLSv1.2', 'TLSv1.3'], ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'], tags: {}, ...stamp };
export const CUSTOM_POLICY = { id: 'tlsp-aaaaaaaaaaaaaaaaaaaa', name: 'modern-only', system: false, tlsVersions: ['TLSv1.3'], ciphers: ['TLS_AES_256_GCM_SHA384'], tags: {}, ...stamp };

/** tagOf is the fake API's strong ETag of a body. */
function tagOf(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return `"${(h >>> 0).toString(36)}"`;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json', ...headers } });
}

/** FakeApi answers the console's fetches from collections in memory. */
export class FakeApi {
  readonly collections: Record<string, Body[]> = {
    'load-balancers': [structuredClone(LB)],
    listeners: [structuredClone(LISTENER)],
    'quic-listeners': [structuredClone(QUIC)],
    certificates: [structuredClone(CERT), structuredClone(CA), structuredClone(UNUSED)],
    'tls-policies': [structuredClone(SYSTEM_POLICY), structuredClone(CUSTOM_POLICY)],
    'server-groups': [structuredClone(GROUP)],
  };
  health: Record<string, Body> = {
    [GROUP.id]: {
      serverGroupId: GROUP.id,
      servers: [
        { address: '10.0.0.1', port: 8080, state: 'Healthy', lastCheck: { at: iso(NOW), ok: true, detail: 'HTTP 200' } },
        { address: '10.0.0.2', port: 8080, state: 'Unhealthy', lastCheck: { at: iso(NOW), ok: false, detail: 'connection refused' } },
      ],
    },
  };
  events: Body[] = [];
  /** What a DELETE answers: status and body (204 removes the resource). */
  deleteAnswer: { status: number; body?: unknown } = { status: 204 };
  readonly calls: Call[] = [];
  readonly fetch = vi.fn((input: string, init: RequestInit = {}) => {
    const res = this.answer(String(input), init);
    this.calls.at(-1)!.status = res.status;
    return Promise.resolve(res);
  });

  install(): this {
    vi.stubGlobal('fetch', this.fetch);
    return this;
  }

  /** find is a resource held, by collection and id. */
  find(collection: string, id: string): Body {
    const found = this.collections[collection]?.find((r) => r.id === id);
    if (!found) throw new Error(`no ${collection} ${id}`);
    return found;
  }

  /** callsTo are the calls whose path starts with `prefix`. */
  callsTo(prefix: string): Call[] {
    return this.calls.filter((c) => new URL(c.url, 'http://x').pathname.startsWith(prefix));
  }

  answer(input: string, init: RequestInit): Response {
    const headers = { ...(init.headers as Record<string, string>) };
    const method = init.method ?? 'GET';
    this.calls.push({ method, url: input, headers });
    if (headers.authorization !== 'Bearer test-token') return json(401, { status: 401, code: 'UNAUTHENTICATED', title: 'Missing or invalid admin token' });
    const url = new URL(input, 'http://console.test');
    const parts = url.pathname.split('/').filter((p) => p !== '').slice(1);
    const [collection = '', id, sub] = parts;
    if (collection === 'events') {
      const since = Number(url.searchParams.get('since') ?? '0');
      return json(200, { items: this.events.filter((e) => (e.seq as number) > since), nextToken: null });
    }
    const items = this.collections[collection];
    if (!items) return json(404, { status: 404, code: 'NOT_FOUND', title: 'Not found' });
    if (id === undefined) {
      const body = { items, nextToken: null };
      const tag = tagOf(JSON.stringify(body));
      if (headers['if-none-match'] === tag) return new Response(null, { status: 304, headers: { etag: tag } });
      return json(200, body, { etag: tag });
    }
    const item = items.find((r) => r.id === id);
    if (!item) return json(404, { status: 404, code: 'NOT_FOUND', title: 'The resource does not exist', detail: `${collection} ${id} does not exist` });
    if (sub === 'health') return json(200, this.health[id] ?? { serverGroupId: id, servers: [] });
    if (method === 'DELETE') {
      if (this.deleteAnswer.status === 204) {
        items.splice(items.indexOf(item), 1);
        return new Response(null, { status: 204 });
      }
      return json(this.deleteAnswer.status, this.deleteAnswer.body);
    }
    return json(200, item, { etag: `"${String(item.version)}"` });
  }
}
