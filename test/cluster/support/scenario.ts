/**
 * One PostgreSQL server per test file and, per scenario, a fresh database with its nodes and
 * backends; everything a scenario opened is closed after it, whether it passed or not. Also
 * what the scenarios do alike: a listener on a 0.0.0.0 load balancer in front of a backend on
 * 127.0.0.1, and requests to one node's copy of a listener.
 */
import { request } from 'undici';
import { sleep } from '../../helpers/eventually.ts';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres-cluster.ts';
import { Backend } from '../../server/support/live.ts';

export { Backend };
import { freePortOn, hostOf, Nodes, type ClusterNode, type ClusterSecrets } from './cluster-nodes.ts';

/** Served is a listener and what it routes to, as a scenario set it up. */
export interface Served {
  readonly loadBalancer: any;
  readonly serverGroup: any;
  readonly listener: any;
  readonly port: number;
}

/** ClusterScenarios owns a file's PostgreSQL server and what each scenario opens on it. */
export class ClusterScenarios {
  readonly pg: PostgresCluster;
  #closers: (() => Promise<void>)[] = [];

  private constructor(pg: PostgresCluster) {
    this.pg = pg;
  }

  /** start starts the file's PostgreSQL server. */
  static async start(): Promise<ClusterScenarios> {
    return new ClusterScenarios(await startPostgres());
  }

  /** nodes makes a fresh database and starts nodes 2, 3 and 4 (or `indices`) on it. */
  async nodes(o: { indices?: readonly number[]; workers?: number; secrets?: ClusterSecrets; start?: boolean } = {}): Promise<Nodes> {
    const store = await this.pg.createDatabase();
    const nodes = await Nodes.prepare(store, o);
    this.#closers.push(() => nodes.dispose());
    if (o.start !== false) await nodes.startAll();
    return nodes;
  }

  /** backend starts an HTTP server on 127.0.0.1 answering 200 with its name. */
  async backend(name: string): Promise<Backend> {
    const b = await new Backend(name).start();
    this.#closers.push(() => b.close());
    return b;
  }

  /** onCleanUp runs `fn` when the scenario ends. */
  onCleanUp(fn: () => Promise<void> | void): void {
    this.#closers.push(async () => {
      await fn();
    });
  }

  /** cleanUp closes what the scenario opened, last first; every closer runs even when one fails. */
  async cleanUp(): Promise<void> {
    const closers = this.#closers.splice(0).reverse();
    const failures: unknown[] = [];
    for (const close of closers) {
      try {
        await close();
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'cleaning up a cluster scenario');
  }

  /** destroy cleans up and removes the PostgreSQL server. */
  async destroy(): Promise<void> {
    try {
      await this.cleanUp();
    } finally {
      await this.pg.destroy();
    }
  }
}

/** HIT_TIMEOUT_MS bounds one request to a listener. */
const HIT_TIMEOUT_MS = 5000;

/** hit sends GET / to a listener at host:port over a fresh connection; a failure to connect rejects. */
export async function hit(host: string, port: number, timeoutMs = HIT_TIMEOUT_MS): Promise<{ status: number; text: string }> {
  const res = await request(`http://${host}:${port}/`, { reset: true, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return { status: res.statusCode, text: await res.body.text() };
}

/**
 * whenServed polls every node's copy of the listener on `port` until it answers 200 with
 * `text`, and resolves with the time (Date.now()) each first did; a node that did not within
 * `timeoutMs` is absent.
 */
export async function whenServed(nodes: readonly ClusterNode[], port: number, text: string, timeoutMs: number): Promise<Map<string, number>> {
  const served = new Map<string, number>();
  await Promise.all(
    nodes.map(async (n) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const res = await hit(n.host, port, 1000).catch(() => undefined);
        if (res?.status === 200 && res.text === text) {
          served.set(n.name, Date.now());
          return;
        }
        await sleep(10);
      }
    }),
  );
  return served;
}

/** delaysFrom is each node's delay in ms from `t0` to its time in `served`, or 'never'. */
export function delaysFrom(nodes: readonly ClusterNode[], served: ReadonlyMap<string, number>, t0: number): Record<string, number | 'never'> {
  return Object.fromEntries(nodes.map((n) => [n.name, served.has(n.name) ? served.get(n.name)! - t0 : 'never']));
}

/** listenerPort is a port free on every node's address, for a listener a test creates. */
export function listenerPort(nodes: Nodes): Promise<number> {
  return freePortOn(nodes.all.map((n) => n.host));
}

/** serverGroupFor is the body of a server group with one backend and no health checks (traffic from the first request). */
export function serverGroupFor(name: string, backend: Backend): Record<string, unknown> {
  return { name, servers: [{ address: '127.0.0.1', port: backend.port }], healthCheck: { enabled: false } };
}

/**
 * serve creates, through `node`, a load balancer on 0.0.0.0 (each node binds its own
 * 127.0.0.N), a server group in front of `backend`, and an HTTP listener on `port`.
 */
export async function serve(node: ClusterNode, backend: Backend, port: number): Promise<Served> {
  const loadBalancer = await node.create('load-balancers', { name: 'cluster', address: '0.0.0.0' });
  const serverGroup = await node.create('server-groups', serverGroupFor('backends', backend));
  const listener = await node.create('listeners', { loadBalancerId: loadBalancer.id, protocol: 'HTTP', port, defaultServerGroupId: serverGroup.id });
  return { loadBalancer, serverGroup, listener, port };
}

/** nodeStatuses is a listener's `nodes` output as `name=status` strings, sorted, for comparisons. */
export function nodeStatuses(listener: any): string[] {
  return ((listener.nodes ?? []) as { node: string; status: string }[]).map((n) => `${n.node}=${n.status}`).sort();
}

export { hostOf };
