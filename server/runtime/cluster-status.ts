/**
 * A listener's status across the nodes of a cluster: each live node reports what its engine
 * made of each listener (NodeRegistry publishes it), and a read merges this node's own verdict
 * with the others'. `Running` means running on every live node — what the provider's wait for
 * `Running` then waits for — and `Failed` on any node fails the listener, naming the node.
 */
import type { AppliedListenerState, ListenerStatus, ListenerStatusName, NodeListenerStatus, PeerStates } from './listener-status.ts';

/** nodeStatus is one node's status for a listener at a version: as `ConfigApplier.listenerStatus` judges its own. */
export function nodeStatus(state: AppliedListenerState | undefined, version: number): ListenerStatus {
  if (state === undefined) return { status: 'Provisioning' };
  if (state.version !== version) return { status: 'Configuring' };
  return state.statusReason === undefined ? { status: state.status } : { status: state.status, statusReason: state.statusReason };
}

/**
 * mergeNodeStatuses combines every node's status of one listener: `Failed` when any node
 * failed (with several nodes live, each reason prefixed with its node), else the status they
 * all share, else `Configuring` (some nodes run it, others do not yet). The nodes come in the
 * order given, this node first.
 */
export function mergeNodeStatuses(nodes: readonly NodeListenerStatus[]): ListenerStatus {
  const failed = nodes.filter((n) => n.status === 'Failed');
  if (failed.length > 0) {
    const reason = failed.map((n) => (nodes.length > 1 ? `${n.node}: ${n.statusReason ?? 'failed'}` : (n.statusReason ?? 'failed'))).join('; ');
    return { status: 'Failed', statusReason: reason, nodes };
  }
  const first = nodes[0];
  if (first === undefined) return { status: 'Provisioning', nodes };
  const all: ListenerStatusName | undefined = nodes.every((n) => n.status === first.status) ? first.status : undefined;
  if (all === undefined) return { status: 'Configuring', nodes };
  return first.statusReason === undefined || all === 'Running' ? { status: all, nodes } : { status: all, statusReason: first.statusReason, nodes };
}

/** clusterListenerStatus is the status a read shows: this node's verdict merged with each live peer's. */
export function clusterListenerStatus(self: string, own: ListenerStatus, peers: readonly PeerStates[], id: string, version: number): ListenerStatus {
  const nodes: NodeListenerStatus[] = [withNode(self, own)];
  for (const peer of peers) nodes.push(withNode(peer.name, nodeStatus(peer.states.get(id), version)));
  return mergeNodeStatuses(nodes);
}

function withNode(node: string, s: ListenerStatus): NodeListenerStatus {
  return s.statusReason === undefined ? { node, status: s.status } : { node, status: s.status, statusReason: s.statusReason };
}
