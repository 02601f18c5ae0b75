/**
 * NodeRegistry is a node's membership of a cluster on PostgreSQL: its row in `nodes`, kept
 * alive by a heartbeat, and its engine's verdict per listener in `listener_states`, published
 * after every apply. It reads the other live nodes' rows and verdicts back (every heartbeat,
 * and before a read of a listener), so that a listener's status covers every node.
 *
 * A node is live while its heartbeat is younger than NODE_TIMEOUT_S; a node that stops
 * heartbeating (killed, cut off) drops out of every status after that, and its row is removed
 * for good after NODE_FORGET_S. Times are the database's clock, so nodes' clocks may differ.
 */
import type { Pool } from 'pg';
import type { AppliedListenerState, ListenerStatusName, PeerStates } from '../../runtime/listener-status.ts';
import type { ClusterMembership, ClusterNode, NodeIdentity } from '../cluster-membership.ts';
import { isUnreachable, withClient } from './pg-connection.ts';
import { pgInteger, pgText } from './pg-values.ts';

/** HEARTBEAT_MS is how often a node says it is alive and reads the others. */
export const HEARTBEAT_MS = 2000;
/** NODE_TIMEOUT_S is how long after its last heartbeat a node stops counting in status. */
export const NODE_TIMEOUT_S = 10;
/** NODE_FORGET_S is how long after its last heartbeat a node's row is deleted. */
export const NODE_FORGET_S = 24 * 60 * 60;

const STATUS_NAMES: ReadonlySet<string> = new Set<ListenerStatusName>(['Provisioning', 'Configuring', 'Running', 'Failed', 'Unavailable']);

/**
 * UPSERT_NODE inserts a node's row or refreshes its heartbeat: the row may have been forgotten
 * while the node was cut off. Parameters: id, name, api_url, bind_address, applied_revision.
 */
const UPSERT_NODE = `INSERT INTO gatehouse.nodes (id, name, api_url, bind_address, applied_revision) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), applied_revision = excluded.applied_revision`;

function isStatusName(value: string): value is ListenerStatusName {
  return STATUS_NAMES.has(value);
}

/** NodeRegistry implements ClusterMembership on the store's pool. */
export class NodeRegistry implements ClusterMembership {
  readonly self: NodeIdentity;
  readonly #pool: Pool;
  readonly #log: (message: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #appliedRevision = -1;
  /** The verdicts to publish; undefined once published. */
  #pending: ReadonlyMap<string, AppliedListenerState> | undefined;
  #publishing: Promise<void> | undefined;
  #peers: PeerStates[] = [];
  #nodes: ClusterNode[] = [];
  #away = false;
  #closed = false;
  /** The heartbeat under way, if any: close() waits for it, so its row cannot outlive the goodbye. */
  #ticking: Promise<void> | undefined;

  private constructor(pool: Pool, self: NodeIdentity, log: (message: string) => void) {
    this.#pool = pool;
    this.self = self;
    this.#log = log;
  }

  /** join registers the node and starts its heartbeat. */
  static async join(pool: Pool, self: NodeIdentity, log: (message: string) => void): Promise<NodeRegistry> {
    const registry = new NodeRegistry(pool, self, log);
    await registry.#beat();
    registry.#timer = setInterval(() => {
      registry.#ticking ??= registry.#tick().finally(() => (registry.#ticking = undefined));
    }, HEARTBEAT_MS);
    registry.#timer.unref();
    return registry;
  }

  publish(appliedRevision: number, states: ReadonlyMap<string, AppliedListenerState>): void {
    this.#appliedRevision = appliedRevision;
    this.#pending = new Map(states);
    this.#publishing ??= this.#flush();
  }

  async refresh(): Promise<void> {
    try {
      const r = await this.#pool.query(
        `SELECT n.id, n.name, n.api_url, n.bind_address, n.applied_revision,
                extract(epoch FROM now() - n.heartbeat_at)::float8 AS age,
                s.listener_id, s.version, s.status, s.reason
           FROM gatehouse.nodes n LEFT JOIN gatehouse.listener_states s ON s.node_id = n.id
          WHERE n.heartbeat_at > now() - make_interval(secs => $1)
          ORDER BY n.started_at, n.id`,
        [NODE_TIMEOUT_S],
      );
      const nodes = new Map<string, { node: ClusterNode; states: Map<string, AppliedListenerState> }>();
      for (const row of r.rows as Record<string, unknown>[]) {
        const id = pgText(row.id, 'nodes.id');
        let entry = nodes.get(id);
        if (entry === undefined) {
          const bind = row.bind_address;
          const node: ClusterNode = {
            id,
            name: pgText(row.name, 'nodes.name'),
            apiUrl: pgText(row.api_url, 'nodes.api_url'),
            ...(typeof bind === 'string' ? { bindAddress: bind } : {}),
            appliedRevision: pgInteger(row.applied_revision, 'nodes.applied_revision'),
            heartbeatAgeS: Math.max(0, Number(row.age)),
            self: id === this.self.id,
          };
          entry = { node, states: new Map() };
          nodes.set(id, entry);
        }
        if (row.listener_id !== null) entry.states.set(pgText(row.listener_id, 'listener_states.listener_id'), stateOf(row));
      }
      this.#nodes = [...nodes.values()].map((e) => e.node);
      this.#peers = [...nodes.values()].filter((e) => !e.node.self).map((e) => ({ name: e.node.name, states: e.states }));
    } catch (err) {
      if (!isUnreachable(err)) throw err;
    }
  }

  peers(): readonly PeerStates[] {
    return this.#peers;
  }

  nodes(): readonly ClusterNode[] {
    return this.#nodes;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#ticking;
    await this.#publishing;
    await this.#pool.query('DELETE FROM gatehouse.nodes WHERE id = $1', [this.self.id]).catch(() => undefined);
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#beat();
      if (this.#away) {
        this.#away = false;
        this.#log('the configuration store answers again: this node is back in the cluster status');
      }
      if (this.#pending !== undefined) this.#publishing ??= this.#flush();
      await this.refresh();
    } catch (err) {
      if (!isUnreachable(err)) {
        this.#log(`cluster heartbeat: ${(err as Error).message}`);
        return;
      }
      if (!this.#away) {
        this.#away = true;
        this.#log(`cluster heartbeat: the configuration store cannot be reached (${(err as Error).message}); retrying every ${HEARTBEAT_MS / 1000} s`);
      }
    }
  }

  /** #row is this node's row as UPSERT_NODE takes it. */
  #row(appliedRevision: number): (string | number | null)[] {
    return [this.self.id, this.self.name, this.self.apiUrl, this.self.bindAddress ?? null, appliedRevision];
  }

  /** #beat inserts or refreshes this node's row (it may have been forgotten while the node was cut off). */
  async #beat(): Promise<void> {
    await this.#pool.query(UPSERT_NODE, this.#row(this.#appliedRevision));
    await this.#pool.query('DELETE FROM gatehouse.nodes WHERE heartbeat_at < now() - make_interval(secs => $1)', [NODE_FORGET_S]);
  }

  /** #flush writes the latest verdicts, replacing this node's earlier ones, until none are pending. */
  async #flush(): Promise<void> {
    try {
      while (this.#pending !== undefined && !this.#closed) {
        const states = this.#pending;
        const revision = this.#appliedRevision;
        const ids: string[] = [];
        const versions: number[] = [];
        const statuses: string[] = [];
        const reasons: (string | null)[] = [];
        for (const [id, s] of states) {
          ids.push(id);
          versions.push(s.version);
          statuses.push(s.status);
          reasons.push(s.statusReason ?? null);
        }
        await withClient(this.#pool, async (client) => {
          await client.query('BEGIN');
          try {
            await client.query(UPSERT_NODE, this.#row(revision));
            await client.query('DELETE FROM gatehouse.listener_states WHERE node_id = $1', [this.self.id]);
            await client.query(
              `INSERT INTO gatehouse.listener_states (node_id, listener_id, version, status, reason)
               SELECT $1, * FROM unnest($2::text[], $3::integer[], $4::text[], $5::text[])`,
              [this.self.id, ids, versions, statuses, reasons],
            );
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        });
        // Published unless newer verdicts arrived meanwhile, which the loop writes next.
        if (this.#pending === states) this.#pending = undefined;
      }
    } catch (err) {
      // The heartbeat publishes what is pending once the database answers again.
      if (!isUnreachable(err)) this.#log(`publishing this node's listener states: ${(err as Error).message}`);
    } finally {
      this.#publishing = undefined;
    }
  }
}

function stateOf(row: Record<string, unknown>): AppliedListenerState {
  const status = pgText(row.status, 'listener_states.status');
  if (!isStatusName(status)) throw new Error(`PostgreSQL column listener_states.status: ${JSON.stringify(status)} is not a listener status`);
  const version = pgInteger(row.version, 'listener_states.version');
  const reason = row.reason;
  return typeof reason === 'string' ? { version, status, statusReason: reason } : { version, status };
}
