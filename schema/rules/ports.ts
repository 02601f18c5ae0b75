/**
 * Rule P (SPEC 1.2): HTTP and HTTPS listeners are TCP and never share a port; QUIC listeners
 * are UDP and never share a port with each other, but may share one with a TCP listener. The
 * rule holds on one load balancer and across load balancers whose addresses overlap.
 */
import type { FieldError } from '../errors.ts';
import { canonicalIp, isUnspecifiedAddress, parseIpv6 } from '../net.ts';
import type { Candidate } from './references.ts';
import type { World } from './world.ts';

/** Transport is what a listener binds: TCP for HTTP/HTTPS, UDP for QUIC. */
export type Transport = 'tcp' | 'udp';

/** transportOf returns the transport of a listener kind, or undefined for other kinds. */
export function transportOf(kindName: string): Transport | undefined {
  if (kindName === 'Listener') return 'tcp';
  if (kindName === 'QuicListener') return 'udp';
  return undefined;
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is the IPv4 address for binding purposes. */
function bindKey(address: string): string {
  const v6 = parseIpv6(address);
  if (v6 && v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return v6.slice(12).join('.');
  return canonicalIp(address) ?? address;
}

/**
 * addressesOverlap tells whether two bind addresses can collide: they are equal, or either is
 * `0.0.0.0` or `::`. `::` counts as overlapping IPv4 addresses too (dual-stack sockets), and
 * `0.0.0.0` as overlapping IPv6 ones, as SPEC 1.2 reads "one of them is 0.0.0.0 / ::".
 */
export function addressesOverlap(a: string, b: string): boolean {
  return isUnspecifiedAddress(a) || isUnspecifiedAddress(b) || bindKey(a) === bindKey(b);
}

/** PortHolder names the listener that holds a port. */
export interface PortHolder {
  kind: 'Listener' | 'QuicListener';
  id: string;
  loadBalancerId: string;
  port: number;
}

/**
 * findPortHolder returns the stored listener that a listener of `kindName` on
 * (`loadBalancerId`, `port`) would collide with, ignoring `selfId`; undefined when the port is free.
 */
export function findPortHolder(kindName: string, loadBalancerId: string, port: number, world: World, selfId?: string): PortHolder | undefined {
  const transport = transportOf(kindName);
  const lb = world.get('LoadBalancer', loadBalancerId);
  if (!transport || !lb) return undefined;
  const holderKind = transport === 'tcp' ? 'Listener' : 'QuicListener';
  for (const other of world.list(holderKind)) {
    if (other.id === selfId || other.port !== port) continue;
    if (other.loadBalancerId !== loadBalancerId) {
      const otherLb = world.get('LoadBalancer', other.loadBalancerId);
      if (!otherLb || !addressesOverlap(lb.address, otherLb.address)) continue;
    }
    return { kind: holderKind, id: other.id, loadBalancerId: other.loadBalancerId, port };
  }
  return undefined;
}

/** checkPorts returns the PORT_CONFLICT failure of a Listener or QuicListener body, naming the holder. */
export function checkPorts(kindName: string, candidate: Candidate, world: World, selfId?: string): FieldError[] {
  const lbId = candidate.loadBalancerId;
  const port = candidate.port;
  if (typeof lbId !== 'string' || typeof port !== 'number') return [];
  const holder = findPortHolder(kindName, lbId, port, world, selfId);
  if (!holder) return [];
  const transport = holder.kind === 'Listener' ? 'TCP' : 'UDP';
  const where = holder.loadBalancerId === lbId ? 'on this load balancer' : `on load balancer ${holder.loadBalancerId}, whose address overlaps`;
  return [{ path: 'port', code: 'PORT_CONFLICT', message: `${transport} port ${port} is held by ${holder.kind === 'Listener' ? 'listener' : 'QUIC listener'} ${holder.id} ${where}` }];
}
