/**
 * GatehouseServer is one running management server: the store in the data directory, the
 * engine, the applier that carries every committed write to the engine, and the API on its
 * socket. `gatehouse serve` starts one; tests start one on port 0.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { Engine } from '../../engine/index.ts';
import { AccessLogWriter, SERVER_FLUSH_DELAY_MS } from '../../engine/observability/index.ts';
import type { AccessLogRecord } from '../../engine/types.ts';
import { buildApp } from '../app.ts';
import { SnapshotCompiler } from '../compiler/compile.ts';
import type { RuntimeView } from '../service/runtime-view.ts';
import type { ClusterMembership } from '../store/cluster-membership.ts';
import type { ConfigStore } from '../store/config-store.ts';
import { clusterListenerStatus } from './cluster-status.ts';
import { openPostgresStore } from '../store/postgres/open-postgres-store.ts';
import { Store } from '../store/store.ts';
import { resolveAdminToken, type AdminToken } from './admin-token.ts';
import { ConfigApplier } from './config-applier.ts';
import { prepareListeners, type EnginePort } from './engine-port.ts';
import { registerRuntimeMetrics } from './runtime-metrics.ts';
import { registerWorkerMetrics } from '../workers/worker-metrics.ts';
import { WorkerSupervisor } from '../workers/worker-supervisor.ts';

/** ServerOptions configure one management server process. */
export interface ServerOptions {
  readonly dataDir: string;
  /**
   * --store: a postgres:// URL shared by every node of a cluster; absent, the store is the
   * SQLite file in the data directory.
   */
  readonly store?: string | undefined;
  /** --store-password-file: the database password, when not in the URL or PGPASSWORD. */
  readonly storePasswordFile?: string | undefined;
  /** --master-key-file: the master key every node of a cluster shares (or GATEHOUSE_MASTER_KEY). */
  readonly masterKeyFile?: string | undefined;
  /** Stops the wait for a database that is down at start (serve's SIGINT / SIGTERM). */
  readonly signal?: AbortSignal | undefined;
  /**
   * --bind-address: where this node binds the listeners of load balancers whose address is a
   * wildcard (0.0.0.0 or ::) — one interface of the host, or one of several nodes on one host.
   */
  readonly bindAddress?: string | undefined;
  /** --node-name: how cluster status names this node (default: host name / API address). */
  readonly nodeName?: string | undefined;
  readonly host: string;
  readonly port: number;
  /** --token-file. */
  readonly tokenFile?: string | undefined;
  /** --token / GATEHOUSE_TOKEN. */
  readonly token?: string | undefined;
  /** Where GATEHOUSE_MASTER_KEY is read from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** One JSON line per proxied request (default: stdout). */
  readonly accessLog?: ((line: string) => void) | undefined;
  /** Operational messages (default: stderr). */
  readonly log?: ((message: string) => void) | undefined;
  /** How long removed listeners and a stopping server drain, ms. */
  readonly drainTimeoutMs?: number | undefined;
  /**
   * How many engine worker processes serve the listeners (default: the number of CPUs). With 1
   * the engine runs in this process, as on a small machine.
   */
  readonly workers?: number | undefined;
  /** How long one configured health-check second lasts, ms (default 1000; tests shorten it). */
  readonly healthCheckSecondMs?: number | undefined;
  /** How often session-ticket keys change, ms (default 300 s, the ticket lifetime of E5; tests shorten it). */
  readonly ticketKeyRotationMs?: number | undefined;
  /** How long an engine worker may leave a ping unanswered before it is replaced, ms (default 10 s; tests shorten it). */
  readonly workerAnswerTimeoutMs?: number | undefined;
  /** How long an engine worker may take to apply a configuration before it is replaced, ms (default 60 s; tests shorten it). */
  readonly workerApplyTimeoutMs?: number | undefined;
}

/** defaultWorkers is the engine worker count when none is given: one per CPU. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** GatehouseServer owns every resource of a running server; close() releases them in order. */
export class GatehouseServer {
  readonly store: ConfigStore;
  readonly app: FastifyInstance;
  readonly engine: EnginePort;
  readonly applier: ConfigApplier;
  readonly adminToken: AdminToken;
  readonly #log: (message: string) => void;
  readonly #drainTimeoutMs: number | undefined;
  readonly #accessLog: AccessLogWriter | undefined;
  #url = '';
  #closing: Promise<void> | undefined;

  /** start opens the store, applies the stored configuration, then listens. */
  static async start(options: ServerOptions): Promise<GatehouseServer> {
    const log = options.log ?? ((m: string) => process.stderr.write(`gatehouse: ${m}\n`));
    const store = await openStore(options, log);
    let engine: EnginePort | undefined;
    let accessLog: AccessLogWriter | undefined;
    let server: GatehouseServer | undefined;
    try {
      const adminToken = resolveAdminToken({ tokenFile: options.tokenFile, token: options.token, dataDir: options.dataDir });
      const registry = new Registry();
      const lineSink = options.accessLog;
      const workers = options.workers ?? defaultWorkers();
      const drain = options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {};
      const healthClock = options.healthCheckSecondMs !== undefined ? { healthCheckSecondMs: options.healthCheckSecondMs } : {};
      const ticketClock = options.ticketKeyRotationMs !== undefined ? { ticketKeyRotationMs: options.ticketKeyRotationMs } : {};
      let preparer: Engine;
      let supervisor: WorkerSupervisor | undefined;
      if (workers > 1) {
        supervisor = await WorkerSupervisor.start({
          workers,
          env: options.env ?? process.env,
          accessLog: lineSink ? { line: lineSink } : { stream: process.stdout },
          log,
          ...drain,
          ...healthClock,
          ...ticketClock,
          ...(options.workerAnswerTimeoutMs !== undefined ? { answerTimeoutMs: options.workerAnswerTimeoutMs } : {}),
          ...(options.workerApplyTimeoutMs !== undefined ? { applyTimeoutMs: options.workerApplyTimeoutMs } : {}),
        });
        engine = supervisor;
        const running = supervisor;
        registerWorkerMetrics(registry, () => running.workers());
        // Dry runs prepare here, in an engine that never binds: the workers only run what is committed.
        preparer = new Engine({ externalHealth: true });
      } else {
        // Standard output gets the engine's batching writer: backpressure-aware, bounded queue.
        accessLog = lineSink ? undefined : new AccessLogWriter(process.stdout, { flushDelayMs: SERVER_FLUSH_DELAY_MS });
        preparer = new Engine({
          metricsRegistry: registry,
          accessLog: lineSink ? (record: AccessLogRecord) => lineSink(`${JSON.stringify(record)}\n`) : (record: AccessLogRecord) => accessLog!.write(record),
          ...drain,
          ...healthClock,
          ...ticketClock,
        });
        engine = preparer;
      }
      const observer = registerRuntimeMetrics(registry, store.local);
      // Set once the API listens, on a store that several nodes share: then a listener's status covers every node.
      let membership: ClusterMembership | undefined;
      const applier = new ConfigApplier(store.local, new SnapshotCompiler(store.local, { wildcardBindAddress: options.bindAddress }), engine, {
        applied: (info) => {
          observer.applied?.(info);
          membership?.publish(info.version, applier.appliedStates());
        },
        failed: (info) => {
          observer.failed?.(info);
          membership?.publish(info.version, applier.appliedStates());
          log(`configuration revision ${info.version} could not be applied: ${info.error.message}`);
        },
      });
      const engineRef = engine;
      const view: RuntimeView = {
        listenerStatus: (id, version) => {
          const own = applier.listenerStatus(id, version);
          return membership === undefined ? own : clusterListenerStatus(membership.self.name, own, membership.peers(), id, version);
        },
        committed: () => void applier.requestApply(),
        settled: async (ms) => {
          await applier.settled(ms);
          await membership?.refresh();
        },
        // Read when asked: the node joins its cluster after this view is made.
        get nodeName() {
          return membership?.self.name;
        },
        clusterStatus: async () => {
          if (membership === undefined) return undefined;
          await membership.refresh();
          return {
            node: membership.self.name,
            store: store.description,
            nodes: membership.nodes().map((n) => ({
              name: n.name,
              apiUrl: n.apiUrl,
              ...(n.bindAddress === undefined ? {} : { bindAddress: n.bindAddress }),
              appliedVersion: n.appliedRevision,
              heartbeatAgeSeconds: n.heartbeatAgeS,
              self: n.self,
            })),
          };
        },
        serverGroupHealth: (id) => engineRef.serverGroupHealth(id),
        prepareSnapshot: (snapshot, listenerIds) => prepareListeners(preparer, snapshot, listenerIds),
        engineStatus: () => ({ mode: supervisor ? 'workers' : 'in-process', appliedVersion: applier.appliedRevision, workers: supervisor?.workers() ?? [] }),
        ...(supervisor ? { metrics: (own: Registry) => supervisor.metrics(own) } : {}),
      };
      const app = await buildApp({ store, token: adminToken.token, runtime: view, registry, logger: { level: 'warn', stream: process.stderr } });
      server = new GatehouseServer(store, app, engine, applier, adminToken, log, options.drainTimeoutMs, accessLog);
      // Another node's commit reaches this node's copy of the store; the engine applies it too.
      store.onChange(() => void applier.requestApply());
      await applier.requestApply();
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      server.#url = `http://${host}:${address.port}`;
      if (store.joinCluster) {
        membership = await store.joinCluster({
          id: `node-${randomBytes(8).toString('hex')}`,
          name: options.nodeName ?? `${hostname()}/${host}:${address.port}`,
          apiUrl: server.#url,
          bindAddress: options.bindAddress,
        });
        membership.publish(applier.appliedRevision, applier.appliedStates());
        await membership.refresh();
      }
      return server;
    } catch (err) {
      if (server) await server.close(0);
      else {
        await engine?.close(0);
        await accessLog?.close();
        await store.close();
      }
      throw err;
    }
  }

  private constructor(
    store: ConfigStore,
    app: FastifyInstance,
    engine: EnginePort,
    applier: ConfigApplier,
    adminToken: AdminToken,
    log: (message: string) => void,
    drainTimeoutMs: number | undefined,
    accessLog: AccessLogWriter | undefined,
  ) {
    this.#accessLog = accessLog;
    this.store = store;
    this.app = app;
    this.engine = engine;
    this.applier = applier;
    this.adminToken = adminToken;
    this.#log = log;
    this.#drainTimeoutMs = drainTimeoutMs;
  }

  /** url is where the API listens, e.g. `http://127.0.0.1:9080`. */
  get url(): string {
    return this.#url;
  }

  /**
   * close stops the API (in-flight requests finish), lets the last apply finish, drains the
   * listeners up to the deadline, and closes the store with a WAL checkpoint. Idempotent.
   */
  close(drainDeadlineMs?: number): Promise<void> {
    this.#closing ??= this.#close(drainDeadlineMs ?? this.#drainTimeoutMs);
    return this.#closing;
  }

  async #close(deadline: number | undefined): Promise<void> {
    try {
      await this.app.close();
    } catch (err) {
      this.#log(`closing the API: ${(err as Error).message}`);
    }
    await this.applier.close();
    try {
      await this.engine.close(deadline);
    } catch (err) {
      this.#log(`closing the engine: ${(err as Error).message}`);
    }
    await this.#accessLog?.close();
    await this.store.close();
  }
}

/** openStore opens the store of record: the shared PostgreSQL database, or the data directory's SQLite file. */
function openStore(options: ServerOptions, log: (message: string) => void): Promise<ConfigStore> {
  const env = options.env ?? process.env;
  if (options.store === undefined) return Promise.resolve(Store.open({ dataDir: options.dataDir, env }));
  return openPostgresStore({
    url: options.store,
    passwordFile: options.storePasswordFile,
    masterKeyFile: options.masterKeyFile,
    env,
    log,
    signal: options.signal,
  });
}
