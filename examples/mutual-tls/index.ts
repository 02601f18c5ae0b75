// Mutual TLS: the HTTPS listener asks every client for a certificate that chains to a CA
// certificate, and passes what it learned to the backend in the client-certificate headers.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as gatehouse from '@gatehouse/pulumi';

const config = new pulumi.Config();
const readPem = (key: string, fallback: string): string => readFileSync(resolve(config.get(key) ?? fallback), 'utf8');
const port = config.getNumber('port') ?? 10444;
const backend = config.get('backend') ?? '127.0.0.1:3001';

/** toServer turns `host:port` (an IP, a host name, or `[v6]:port`) into a server entry. */
function toServer(hostPort: string): { address: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { address: hostPort.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(hostPort.slice(at + 1)) };
}

// Mutual authentication needs a Standard (or StandardWithWaf) load balancer.
const edge = new gatehouse.LoadBalancer('edge', { name: 'mtls-edge', edition: 'Standard' });

const api = new gatehouse.ServerGroup('api', {
  name: 'mtls-api',
  servers: [toServer(backend)],
});

const serverCert = new gatehouse.Certificate('server', {
  name: 'mtls-server',
  certificatePem: readPem('certFile', 'certs/server.pem'),
  privateKeyPem: pulumi.secret(readPem('keyFile', 'certs/server.key')),
});

// A CA certificate carries no key: it only verifies the certificates clients present.
const clientCa = new gatehouse.Certificate('client-ca', {
  name: 'mtls-client-ca',
  type: 'CA',
  certificatePem: readPem('clientCaFile', 'certs/client-ca.pem'),
});

const https = new gatehouse.Listener('https', {
  loadBalancerId: edge.id,
  protocol: 'HTTPS',
  port,
  defaultServerGroupId: api.id,
  certificates: { defaultCertificateId: serverCert.id },
  mutualAuthentication: { enabled: true, caCertificateId: clientCa.id },
  forwardedHeaders: {
    proto: true,
    // Default names: X-Forwarded-Clientcert-subjectdn and X-Forwarded-Clientcert-clientverify.
    clientCertSubjectDn: { enabled: true },
    clientCertClientVerify: { enabled: true },
    // Renamed: 1–40 characters of [a-z0-9_-], never a reserved name such as x-forwarded-for.
    clientCertIssuerDn: { enabled: true, headerName: 'x-client-issuer' },
    clientCertFingerprint: { enabled: true, headerName: 'x-client-cert-sha1' },
  },
});

export const listenerId = https.id;
export const url = pulumi.interpolate`https://localhost:${https.port}/`;
export const trustedClientCa = clientCa.subjectDn;
