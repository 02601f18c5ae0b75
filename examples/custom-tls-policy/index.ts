// Custom TLS policy: offer only TLS 1.2 with ECDHE + AES-GCM suites, and TLS 1.3. A client
// that offers only TLS 1.1, or only CBC suites, fails the handshake. Custom policies need a
// Standard or StandardWithWaf load balancer; Basic ones may use the system policies only.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as gatehouse from '@gatehouse/pulumi';

const config = new pulumi.Config();
const readPem = (key: string, fallback: string): string => readFileSync(resolve(config.get(key) ?? fallback), 'utf8');
const port = config.getNumber('port') ?? 10447;
const backend = config.get('backend') ?? '127.0.0.1:3001';

/** toServer turns `host:port` (an IP, a host name, or `[v6]:port`) into a server entry. */
function toServer(hostPort: string): { address: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { address: hostPort.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(hostPort.slice(at + 1)) };
}

const edge = new gatehouse.LoadBalancer('edge', { name: 'tls-policy-edge', edition: 'Standard' });

const policy = new gatehouse.TlsSecurityPolicy('modern', {
  name: 'modern-gcm',
  // Versions must be contiguous: OpenSSL serves every version between the lowest and highest.
  tlsVersions: ['TLSv1.2', 'TLSv1.3'],
  // Every cipher must belong to a chosen version, and each version needs one of its ciphers.
  ciphers: [
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
  ],
  tags: { owner: 'platform' },
});

const app = new gatehouse.ServerGroup('app', {
  name: 'tls-policy-app',
  servers: [toServer(backend)],
});

const site = new gatehouse.Certificate('site', {
  name: 'tls-policy-site',
  certificatePem: readPem('certFile', 'certs/server.pem'),
  privateKeyPem: pulumi.secret(readPem('keyFile', 'certs/server.key')),
});

const https = new gatehouse.Listener('https', {
  loadBalancerId: edge.id,
  protocol: 'HTTPS',
  port,
  defaultServerGroupId: app.id,
  certificates: { defaultCertificateId: site.id },
  tlsPolicyId: policy.id,
});

export const policyId = policy.id;
export const listenerId = https.id;
export const url = pulumi.interpolate`https://localhost:${https.port}/`;
