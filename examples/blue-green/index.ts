// Blue/green: two server groups run side by side; the listener sends traffic to the one named
// by the `activeColor` config. Switching is an in-place update of the listener's
// defaultServerGroupId — no replacement, no dropped connections:
//
//   pulumi config set activeColor green && pulumi up
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as gatehouse from '@gatehouse/pulumi';

type Color = 'blue' | 'green';

const config = new pulumi.Config();
const readPem = (key: string, fallback: string): string => readFileSync(resolve(config.get(key) ?? fallback), 'utf8');
const activeColor = (config.get('activeColor', { allowedValues: ['blue', 'green'] }) ?? 'blue');
const port = config.getNumber('port') ?? 10446;
const servers: Record<Color, string[]> = {
  blue: config.getObject<string[]>('blueServers') ?? ['127.0.0.1:3001'],
  green: config.getObject<string[]>('greenServers') ?? ['127.0.0.1:3002'],
};

/** toServer turns `host:port` (an IP, a host name, or `[v6]:port`) into a server entry. */
function toServer(hostPort: string): { address: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  return { address: hostPort.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(hostPort.slice(at + 1)) };
}

const edge = new gatehouse.LoadBalancer('edge', { name: 'blue-green-edge' });

const groups: Record<Color, gatehouse.ServerGroup> = {
  blue: new gatehouse.ServerGroup('blue', {
    name: 'blue',
    servers: servers.blue.map(toServer),
    // Requests already in flight on a server that leaves the group may finish.
    connectionDrain: { enabled: true, timeout: 30 },
    tags: { color: 'blue' },
  }),
  green: new gatehouse.ServerGroup('green', {
    name: 'green',
    servers: servers.green.map(toServer),
    connectionDrain: { enabled: true, timeout: 30 },
    tags: { color: 'green' },
  }),
};

const site = new gatehouse.Certificate('site', {
  name: 'blue-green-site',
  certificatePem: readPem('certFile', 'certs/server.pem'),
  privateKeyPem: pulumi.secret(readPem('keyFile', 'certs/server.key')),
});

const https = new gatehouse.Listener('https', {
  loadBalancerId: edge.id,
  protocol: 'HTTPS',
  port,
  defaultServerGroupId: groups[activeColor].id,
  certificates: { defaultCertificateId: site.id },
  tags: { active: activeColor },
});

export const active = activeColor;
export const activeServerGroupId = https.defaultServerGroupId;
export const url = pulumi.interpolate`https://localhost:${https.port}/`;
