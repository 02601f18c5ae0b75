/**
 * E1: TLS termination with SNI — exact names first, then recognised wildcards (one label of
 * [0-9A-Za-z-]; an xn-- label matches a lone `*` but not `*test`), else the default
 * certificate. Real handshakes with node:tls against a running listener.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from '../../helpers/pki.ts';
import { EngineHarness, portOf } from '../support/harness.ts';
import { tlsHandshake } from '../support/clients.ts';
import { buildSnapshot, httpsListener, serverCertificate, serverGroup } from '../support/snapshots.ts';

let harness: EngineHarness;
let port: number;

beforeAll(async () => {
  const ca = await createCa();
  const [def, exact, wild, wildTest, other] = await Promise.all([
    issueCertificate({ commonName: 'default-cert', dnsNames: ['default.test'] }, ca),
    issueCertificate({ commonName: 'exact-cert', dnsNames: ['www.example.com'] }, ca),
    issueCertificate({ commonName: 'wild-cert', dnsNames: ['*.example.com'] }, ca),
    issueCertificate({ commonName: 'wild-test-cert', dnsNames: ['*test.example.com'] }, ca),
    issueCertificate({ commonName: 'other-cert', dnsNames: ['api.other.org'] }, ca),
  ]);
  harness = new EngineHarness();
  const backend = await harness.backend('a');
  const result = await harness.apply(
    buildSnapshot({
      listeners: [httpsListener('lsn-sni', 'sgp-1', 'cert-default', { additionalCertificateIds: ['cert-exact', 'cert-wild', 'cert-wild-test', 'cert-other'] })],
      certificates: [
        serverCertificate('cert-default', def, ['default.test']),
        // The wildcard certificate comes before the exact one: exact must still win.
        serverCertificate('cert-wild', wild, ['*.example.com']),
        serverCertificate('cert-exact', exact, ['www.example.com']),
        serverCertificate('cert-wild-test', wildTest, ['*test.example.com']),
        serverCertificate('cert-other', other, ['api.other.org']),
      ],
      serverGroups: [serverGroup('sgp-1', [{ port: backend.port }])],
    }),
  );
  port = portOf(result, 'lsn-sni');
});

afterAll(() => harness.close());

const CASES: { name: string; servername: string | undefined; served: string }[] = [
  { name: 'exact name', servername: 'www.example.com', served: 'exact-cert' },
  { name: 'exact name, other case', servername: 'WWW.Example.COM', served: 'exact-cert' },
  { name: 'exact name of another certificate', servername: 'api.other.org', served: 'other-cert' },
  { name: 'wildcard, one level', servername: 'shop.example.com', served: 'wild-cert' },
  { name: 'wildcard with hyphen and digits', servername: 'a-1.example.com', served: 'wild-cert' },
  { name: '*test wildcard preferred over * for a label ending in test', servername: 'footest.example.com', served: 'wild-test-cert' },
  { name: 'xn-- label under a lone *', servername: 'xn--bcher-kva.example.com', served: 'wild-cert' },
  { name: 'xn-- label not matched by *test (falls to the lone *)', servername: 'xn--abctest.example.com', served: 'wild-cert' },
  { name: 'two levels not matched', servername: 'a.b.example.com', served: 'default-cert' },
  { name: 'underscore not matched', servername: 'foo_bar.example.com', served: 'default-cert' },
  { name: 'bare parent domain not matched by the wildcard', servername: 'example.com', served: 'default-cert' },
  { name: 'unknown name falls back to the default', servername: 'nothing.invalid', served: 'default-cert' },
  { name: 'no SNI at all gets the default', servername: undefined, served: 'default-cert' },
];

describe('E1 SNI certificate selection', () => {
  it.each(CASES)('$name: $servername → $served', async ({ servername, served }) => {
    const hs = await tlsHandshake(port, servername === undefined ? {} : { servername });
    expect(hs.ok).toBe(true);
    if (hs.ok) expect(hs.commonName).toBe(served);
  });
});
