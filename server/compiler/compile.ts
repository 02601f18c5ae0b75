/**
 * The snapshot compiler: store rows → one deep-frozen EngineSnapshot with every default
 * resolved, secrets decrypted, and system TLS policies included. Each kind's module projects
 * its stored body into its piece of the snapshot (`listenerToSnapshot`, …); the compiler only
 * reads the rows, opens the sealed keys and caches. Compiled pieces are cached by the identity
 * of the decoded row body (the repository hands out the same frozen object while the stored
 * text is unchanged), so a change to one listener among a thousand recompiles one listener, and
 * the engine can compare unchanged pieces by reference.
 */
import type { ResourceKindName } from '../../schema/resource-kind.ts';
import { certificateToSnapshot } from '../../schema/resources/certificate.ts';
import { listenerToSnapshot } from '../../schema/resources/listener.ts';
import { loadBalancerToSnapshot } from '../../schema/resources/load-balancer.ts';
import { quicListenerToSnapshot } from '../../schema/resources/quic-listener.ts';
import { serverGroupToSnapshot } from '../../schema/resources/server-group.ts';
import { tlsPolicyToSnapshot } from '../../schema/resources/tls-security-policy.ts';
import {
  consistent,
  deepFreeze,
  SNAPSHOT_FORMAT,
  type EngineSnapshot,
  type SnapshotCertificate,
  type SnapshotListener,
  type SnapshotLoadBalancer,
  type SnapshotProblem,
  type SnapshotQuicListener,
  type SnapshotServerGroup,
  type SnapshotTlsPolicy,
} from '../../schema/snapshot.ts';
import { SYSTEM_TLS_POLICIES } from '../../schema/tls-policies.ts';
import type { StoredRow } from '../store/resource-repo.ts';
import { secretContext, type Store } from '../store/store.ts';

/** CompileResult is a snapshot and what `consistent` found wrong with it (empty = runnable). */
export interface CompileResult {
  readonly snapshot: EngineSnapshot;
  readonly problems: readonly SnapshotProblem[];
}

/**
 * PieceCache keeps one kind's compiled pieces by resource id, each with the body it was built
 * from; a compile pass marks what it used and `sweep` forgets deleted resources.
 */
class PieceCache<K extends ResourceKindName, Piece> {
  readonly #kind: K;
  readonly #build: (stored: StoredRow<K>) => Piece;
  readonly #pieces = new Map<string, { body: object; piece: Piece }>();
  readonly #seen = new Set<string>();

  constructor(kind: K, build: (stored: StoredRow<K>) => Piece) {
    this.#kind = kind;
    this.#build = build;
  }

  /** compile returns the pieces of every stored resource of the kind, in creation order. */
  compile(store: Store): Piece[] {
    this.#seen.clear();
    const pieces = store.resources.allStored(this.#kind).map((stored) => {
      const { id, body } = stored.row;
      this.#seen.add(id);
      const hit = this.#pieces.get(id);
      if (hit !== undefined && hit.body === body) return hit.piece;
      const piece = deepFreeze(this.#build(stored));
      this.#pieces.set(id, { body, piece });
      return piece;
    });
    for (const id of this.#pieces.keys()) if (!this.#seen.has(id)) this.#pieces.delete(id);
    return pieces;
  }
}

/** CompilerOptions adapt the snapshot to the node it is compiled for. */
export interface CompilerOptions {
  /**
   * Where this node binds the listeners of load balancers whose address is a wildcard (`0.0.0.0`
   * or `::`): serve's --bind-address. Absent, they bind the wildcard itself.
   */
  readonly wildcardBindAddress?: string | undefined;
}

/** WILDCARD_ADDRESSES are the load balancer addresses that mean "every address of the node". */
const WILDCARD_ADDRESSES: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

/** SnapshotCompiler turns the store into snapshots; hold one per store to keep its cache. */
export class SnapshotCompiler {
  readonly #store: Store;
  readonly #systemPolicies: readonly SnapshotTlsPolicy[] = SYSTEM_TLS_POLICIES.map((p) => deepFreeze(tlsPolicyToSnapshot(p)));
  readonly #loadBalancers: PieceCache<'LoadBalancer', SnapshotLoadBalancer>;
  readonly #listeners = new PieceCache<'Listener', SnapshotListener>('Listener', (s) => listenerToSnapshot(s));
  readonly #quicListeners = new PieceCache<'QuicListener', SnapshotQuicListener>('QuicListener', (s) => quicListenerToSnapshot(s));
  readonly #certificates = new PieceCache<'Certificate', SnapshotCertificate>('Certificate', (s) =>
    certificateToSnapshot(s, s.row.secret === null ? undefined : this.#store.secrets.open(s.row.secret, secretContext(s.row.id))),
  );
  readonly #tlsPolicies = new PieceCache<'TlsSecurityPolicy', SnapshotTlsPolicy>('TlsSecurityPolicy', (s) => tlsPolicyToSnapshot(s.body));
  readonly #serverGroups = new PieceCache<'ServerGroup', SnapshotServerGroup>('ServerGroup', (s) => serverGroupToSnapshot(s));

  constructor(store: Store, options: CompilerOptions = {}) {
    this.#store = store;
    const bind = options.wildcardBindAddress;
    this.#loadBalancers = new PieceCache<'LoadBalancer', SnapshotLoadBalancer>('LoadBalancer', (s) => {
      const lb = loadBalancerToSnapshot(s);
      return bind !== undefined && WILDCARD_ADDRESSES.has(lb.address) ? { ...lb, address: bind } : lb;
    });
  }

  /** compile reads the current committed state; call it outside any write transaction. */
  compile(): CompileResult {
    const store = this.#store;
    const snapshot: EngineSnapshot = deepFreeze({
      format: SNAPSHOT_FORMAT,
      version: store.revision(),
      loadBalancers: this.#loadBalancers.compile(store),
      listeners: this.#listeners.compile(store),
      quicListeners: this.#quicListeners.compile(store),
      certificates: this.#certificates.compile(store),
      tlsPolicies: [...this.#systemPolicies, ...this.#tlsPolicies.compile(store)],
      serverGroups: this.#serverGroups.compile(store),
    });
    return { snapshot, problems: consistent(snapshot) };
  }
}
