// Multi-domain: one HTTPS listener serves several domains. The first certificate is the
// default (served when no name matches, or to clients without SNI); the others are extension
// certificates, chosen by the SNI name — an exact name first, then a wildcard of the same level.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as gatehouse from '@gatehouse/pulumi';

interface CertificateFiles {
  /** A short name for the Pulumi resource and the certificate. */
  name: string;
  certFile: string;
  keyFile: string;
}

const config = new pulumi.Config();
const port = config.getNumber('port') ?? 10445;
const backend = config.get('backend') ?? '127.0.0.1:3001';
const files = config.getObject<CertificateFiles[]>('certificates') ?? [
  { name: 'example-test', certFile: 'certs/example-test.pem', keyFile: 'certs/example-test.key' },
  // *.example.test matches api.example.test or www2.example.test, not a.b.example.test.
  { name: 'wildcard-example-test', certFile: 'certs/wildcard-example-test.pem', keyFile: 'certs/wildcard-example-test.key' },
  { name: 'shop-example-org', certFile: 'certs/shop-example-org.pem', keyFile: 'certs/shop-example-org.key' },
];
if (files.length === 0) throw new Error('config "certificates" needs at least one entry: the default certificate');
const read = (file: string): string => readFileSync(resolve(file), 'utf8');

/** toServer turns `host:port` (an IP, a host name, or `[v6]:port`) into a server entry. */
function toServer(hostPort: string): { address: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { address: hostPort.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(hostPort.slice(at + 1)) };
}

const edge = new gatehouse.LoadBalancer('edge', { name: 'multi-domain-edge' });
const sites = new gatehouse.ServerGroup('sites', {
  name: 'multi-domain-sites',
  servers: [toServer(backend)],
});

const certificates = files.map(
  (f) =>
    new gatehouse.Certificate(f.name, {
      name: f.name,
      certificatePem: read(f.certFile),
      privateKeyPem: pulumi.secret(read(f.keyFile)),
    }),
);
const [defaultCertificate, ...extensionCertificates] = certificates;

const https = new gatehouse.Listener('https', {
  loadBalancerId: edge.id,
  protocol: 'HTTPS',
  port,
  defaultServerGroupId: sites.id,
  certificates: {
    defaultCertificateId: defaultCertificate!.id,
    additionalCertificateIds: extensionCertificates.map((c) => c.id),
  },
  forwardedHeaders: { host: true, proto: true },
});

export const listenerId = https.id;
/** Which names each certificate answers for, as the server read them from the PEM. */
export const domains = pulumi.all(certificates.map((c) => pulumi.all([c.name, c.domains]))).apply((pairs) => Object.fromEntries(pairs));
