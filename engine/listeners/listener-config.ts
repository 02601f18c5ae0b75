/**
 * ListenerConfig: one listener's configuration prepared for serving — everything a request
 * or a handshake needs, resolved and built at apply time. A ListenerRuntime holds exactly one
 * and swaps it whole; a request keeps the one it started with.
 */
import type { SnapshotListener, SnapshotLoadBalancer } from '../../schema/snapshot.ts';
import { deepEqual } from '../equality.ts';
import { describeError, ListenerApplyError } from '../errors.ts';
import { ForwardedHeaders } from '../headers/forwarded-headers.ts';
import type { SnapshotLookup } from '../snapshot-lookup.ts';
import { prepareListenerTls, tlsSourcesUnchanged, type ListenerTls } from '../tls/listener-tls.ts';
import type { ContextSource } from '../tls/secure-contexts.ts';
import type { ServerGroupRuntime } from '../upstream/server-group-runtime.ts';

/** ListenerConfig is a listener's prepared, immutable configuration. */
export interface ListenerConfig {
  readonly listener: SnapshotListener;
  readonly loadBalancerId: string;
  /** The snapshot's load balancer object it was built from (unchanged identity = still current). */
  readonly loadBalancer: SnapshotLoadBalancer;
  /** The load balancer's address: where the listener binds. */
  readonly address: string;
  /** The listener's default server group at run time. */
  readonly serverGroup: ServerGroupRuntime;
  /** Present exactly for HTTPS listeners. */
  readonly tls: ListenerTls | undefined;
  readonly idleTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** The forwarded-header plan (SPEC 1.2.1, E11, E12), compiled once per configuration. */
  readonly forwarded: ForwardedHeaders;
  /** E10 compression on or off. */
  readonly compressionEnabled: boolean;
}

/**
 * prepareListenerConfig resolves and builds one listener's configuration; ListenerApplyError
 * says why it cannot. Parts of `previous` (the listener's running configuration) whose inputs
 * are unchanged are kept rather than rebuilt: a certificate rotated under a thousand
 * listeners rebuilds their TLS side, not their forwarded-header plans.
 */
export function prepareListenerConfig(
  listener: SnapshotListener,
  lookup: SnapshotLookup,
  groups: ReadonlyMap<string, ServerGroupRuntime>,
  contexts: ContextSource,
  previous?: ListenerConfig,
): ListenerConfig {
  const lb = lookup.loadBalancers.get(listener.loadBalancerId);
  if (!lb) throw new ListenerApplyError(`load balancer ${listener.loadBalancerId} is not in the snapshot`);
  const serverGroup = groups.get(listener.defaultServerGroupId);
  if (!serverGroup) throw new ListenerApplyError(`server group ${listener.defaultServerGroupId} is not in the snapshot`);
  let forwarded: ForwardedHeaders;
  const was = previous?.listener;
  if (previous && was && was.port === listener.port && was.protocol === listener.protocol && previous.loadBalancerId === lb.id && was.underscoreHeadersEnabled === listener.underscoreHeadersEnabled && deepEqual(was.forwardedHeaders, listener.forwardedHeaders)) {
    forwarded = previous.forwarded;
  } else {
    try {
      forwarded = new ForwardedHeaders(listener.forwardedHeaders, {
        loadBalancerId: lb.id,
        port: listener.port,
        protocol: listener.protocol,
        underscoreHeadersEnabled: listener.underscoreHeadersEnabled,
      });
    } catch (err) {
      throw new ListenerApplyError(`forwardedHeaders: ${describeError(err)}`, { cause: err, fault: { kind: 'Listener', id: listener.id, field: 'forwardedHeaders' } });
    }
  }
  let tls: ListenerTls | undefined;
  if (listener.protocol !== 'HTTPS') tls = undefined;
  else if (previous?.tls && was?.tls && listener.tls && deepEqual(was.tls, listener.tls) && tlsSourcesUnchanged(previous.tls, listener.tls, lookup)) tls = previous.tls;
  else tls = prepareListenerTls(listener, lookup, contexts);
  return Object.freeze({
    listener,
    loadBalancerId: lb.id,
    loadBalancer: lb,
    address: lb.address,
    serverGroup,
    tls,
    idleTimeoutMs: listener.idleTimeout * 1000,
    requestTimeoutMs: listener.requestTimeout * 1000,
    forwarded,
    compressionEnabled: listener.compressionEnabled,
  });
}

/**
 * configStillCurrent tells whether a prepared configuration is exactly what `listener` would
 * prepare to in the snapshot of `lookup`: the very same listener object, resolving to the
 * very same load balancer, server-group runtime, policy, certificates and CA. The server's
 * compiler passes unchanged pieces on as the same frozen objects, so with a thousand
 * listeners an apply rebuilds only those that changed, and this check is a few lookups.
 */
export function configStillCurrent(
  config: ListenerConfig,
  listener: SnapshotListener,
  lookup: SnapshotLookup,
  groups: ReadonlyMap<string, ServerGroupRuntime>,
): boolean {
  if (config.listener !== listener) return false;
  if (lookup.loadBalancers.get(listener.loadBalancerId) !== config.loadBalancer) return false;
  if (groups.get(listener.defaultServerGroupId) !== config.serverGroup) return false;
  if (config.tls === undefined || listener.tls === undefined) return config.tls === undefined && listener.tls === undefined;
  return tlsSourcesUnchanged(config.tls, listener.tls, lookup);
}

/**
 * bindKeyOf names the socket a configuration needs (protocol, address, port): while it stays
 * the same the listener keeps its socket; when it changes the listener rebinds.
 */
export function bindKeyOf(config: ListenerConfig): string {
  return `${config.listener.protocol}|${config.address}|${config.listener.port}`;
}
