/**
 * pulumi-program: the Pulumi program bench/pulumi-200.ts runs through the harness engine — one
 * load balancer, one certificate, and server groups and HTTPS listeners (about two listeners
 * per group) adding up to `count` resources, the shape of a platform team's shared edge.
 *
 * Config (project `gatehouse-bench`): `count` (default 200), `ports` (JSON list of at least
 * count − 2 − groups free TCP ports for the listeners), `backend` (`host:port` every group
 * points at), `certFile` / `keyFile` (PEM paths).
 */
import { readFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import * as gatehouse from '@gatehouse/pulumi';

const config = new pulumi.Config();
const count = config.getNumber('count') ?? 200;
const ports = config.requireObject<number[]>('ports');
const [backendHost, backendPort] = config.require('backend').split(':');

/** groupCount: a third of the resources beyond the load balancer and the certificate. */
const groupCount = Math.max(1, Math.floor((count - 2) / 3));
const listenerCount = count - 2 - groupCount;
if (ports.length < listenerCount) throw new Error(`config "ports" has ${ports.length} ports; ${listenerCount} listeners need one each`);

const tags = { bench: 'pulumi-200' };
const edge = new gatehouse.LoadBalancer('edge', { name: 'bench-edge', tags });
const site = new gatehouse.Certificate('site', {
  name: 'bench-site',
  certificatePem: readFileSync(config.require('certFile'), 'utf8'),
  privateKeyPem: pulumi.secret(readFileSync(config.require('keyFile'), 'utf8')),
  tags,
});

const groups = Array.from(
  { length: groupCount },
  (_, g) =>
    new gatehouse.ServerGroup(`group-${g}`, {
      name: `bench-group-${g}`,
      servers: [{ address: backendHost!, port: Number(backendPort) }],
      healthCheck: { enabled: false },
      tags,
    }),
);

const listeners = Array.from(
  { length: listenerCount },
  (_, i) =>
    new gatehouse.Listener(`listener-${i}`, {
      loadBalancerId: edge.id,
      protocol: 'HTTPS',
      port: ports[i]!,
      defaultServerGroupId: groups[i % groupCount]!.id,
      certificates: { defaultCertificateId: site.id },
      tags,
    }),
);

export const resources = 2 + groups.length + listeners.length;
export const firstListenerStatus = listeners[0]!.status;
