/**
 * WorkerNode: a GatehouseServer with two engine workers (whatever the machine's CPU count),
 * its API over real sockets, and what it logged — the access-log lines as the node's sink got
 * them and its operational messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { GatehouseServer, type ServerOptions } from '../../../../server/runtime/gatehouse-server.ts';
import { freePort } from '../../../helpers/free-port.ts';

/** HEALTH_SECOND_MS makes a configured health-check second last 100 ms in these tests. */
export const HEALTH_SECOND_MS = 100;

/** WorkerNode is one started node. */
export class WorkerNode {
  readonly server: GatehouseServer;
  readonly accessLines: string[];
  readonly messages: string[];
  readonly #dir: string;

  private constructor(server: GatehouseServer, dir: string, accessLines: string[], messages: string[]) {
    this.server = server;
    this.#dir = dir;
    this.accessLines = accessLines;
    this.messages = messages;
  }

  static async start(options: Partial<ServerOptions> = {}): Promise<WorkerNode> {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-workers-'));
    const accessLines: string[] = [];
    const messages: string[] = [];
    const server = await GatehouseServer.start({
      dataDir: dir,
      host: '127.0.0.1',
      port: 0,
      env: {},
      accessLog: (line) => accessLines.push(line),
      log: (m) => messages.push(m),
      drainTimeoutMs: 2000,
      workers: 2,
      healthCheckSecondMs: HEALTH_SECOND_MS,
      ...options,
    });
    return new WorkerNode(server, dir, accessLines, messages);
  }

  /** api calls the management API and returns status and parsed body. */
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await request(`${this.server.url}${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${this.server.adminToken.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text === '' ? undefined : text.startsWith('{') ? JSON.parse(text) : text };
  }

  /** create makes a resource that must be created. */
  async create(collection: string, body: unknown): Promise<any> {
    const r = await this.api('POST', `/v1/${collection}`, body);
    if (r.status !== 201) throw new Error(`create ${collection}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** workerPids are the pids of the running workers, by slot. */
  async workers(): Promise<{ worker: number; pid: number | null; state: string; restarts: number; crashLooping: boolean; appliedVersion: number | null; lastExit: string | null }[]> {
    const r = await this.api('GET', '/v1/healthz');
    return r.body.engine.workers;
  }

  /** listener creates an HTTP or HTTPS listener on a free port and returns it with its port, once Running. */
  async listener(lbId: string, groupId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; port: number }> {
    const port = await freePort();
    const l = await this.create('listeners', { loadBalancerId: lbId, protocol: 'HTTP', port, defaultServerGroupId: groupId, ...extra });
    const read = await this.api('GET', `/v1/listeners/${l.id}`);
    if (read.body.status !== 'Running') throw new Error(`listener ${l.id} is ${read.body.status}: ${read.body.statusReason}`);
    return { id: l.id, port };
  }

  async close(deadlineMs = 1000): Promise<void> {
    await this.server.close(deadlineMs);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
