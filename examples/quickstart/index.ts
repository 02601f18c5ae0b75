// Quickstart: a load balancer on 127.0.0.1, a server group of two local backends, a
// certificate read from PEM files, and an HTTPS listener that forwards to the group.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as gatehouse from '@gatehouse/pulumi';

const config = new pulumi.Config();
// Relative paths are taken from the project folder (Pulumi runs programs there); make them with ../make-demo-certs.sh.
const readPem = (key: string, fallback: string): string => readFileSync(resolve(config.get(key) ?? fallback), 'utf8');
const port = config.getNumber('port') ?? 10443;
const backends = config.getObject<string[]>('backends') ?? ['127.0.0.1:3001', '127.0.0.1:3002'];

/** toServer turns `host:port` (an IP, a host name, or `[v6]:port`) into a server entry. */
function toServer(hostPort: string): { address: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { address: hostPort.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(hostPort.slice(at + 1)) };
}

const edge = new gatehouse.LoadBalancer('edge', {
  name: 'quickstart-edge',
  address: '127.0.0.1',
});

const web = new gatehouse.ServerGroup('web', {
  name: 'quickstart-web',
  servers: backends.map(toServer),
  healthCheck: { path: '/', interval: 2 },
});

const site = new gatehouse.Certificate('site', {
  name: 'quickstart-site',
  certificatePem: readPem('certFile', 'certs/server.pem'),
  // The key is a secret in the Pulumi state; the Certificate class marks it so in any case.
  privateKeyPem: pulumi.secret(readPem('keyFile', 'certs/server.key')),
});

const https = new gatehouse.Listener('https', {
  loadBalancerId: edge.id,
  protocol: 'HTTPS',
  port,
  defaultServerGroupId: web.id,
  certificates: { defaultCertificateId: site.id },
  forwardedHeaders: { proto: true, port: true, host: true },
});

export const listenerId = https.id;
export const listenerStatus = https.status;
export const url = pulumi.interpolate`https://localhost:${https.port}/`;
export const certificateDomains = site.domains;
export const certificateExpires = site.notAfter;
