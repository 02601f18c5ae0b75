/**
 * A listener's status as the API shows it, and what a node's engine reported for each listener:
 * the types the applier, the cluster's status merge and the store's node registry share.
 */

/** ListenerStatusName is a listener's status (SPEC 1.2 / 1.3). */
export type ListenerStatusName = 'Provisioning' | 'Configuring' | 'Running' | 'Failed' | 'Unavailable';

/** NodeListenerStatus is a listener's status on one node of a cluster. */
export interface NodeListenerStatus {
  readonly node: string;
  readonly status: ListenerStatusName;
  readonly statusReason?: string;
}

/** ListenerStatus is the output of SPEC 1.2 / 1.3: status and reason, and in a cluster each node's. */
export interface ListenerStatus {
  readonly status: ListenerStatusName;
  readonly statusReason?: string;
  readonly nodes?: readonly NodeListenerStatus[];
}

/** AppliedListenerState is what this node's engine last reported for a listener. */
export interface AppliedListenerState {
  /** The resource version of the snapshot the engine reported on. */
  readonly version: number;
  readonly status: ListenerStatusName;
  readonly statusReason?: string;
}

/** PeerStates is another live node's name and its engine's report per listener id. */
export interface PeerStates {
  readonly name: string;
  readonly states: ReadonlyMap<string, AppliedListenerState>;
}
