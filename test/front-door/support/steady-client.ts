/**
 * SteadyClient: the well-behaved client that runs beside an attack — one request at a time
 * over its own HTTP/2 connection (or HTTP/1.1 keep-alive), each with a deadline, counting the
 * answers and their latency, so a test or benchmark can say "every normal request was served
 * while the attack ran" and how fast.
 */
import http2 from 'node:http2';
import https from 'node:https';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** SteadyStats are the results of a run. */
export interface SteadyStats {
  ok: number;
  failed: number;
  /** Failure messages (first few). */
  errors: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** SteadyOptions say whom to ask and how. */
export interface SteadyOptions {
  port: number;
  /** 'h2' (TLS), 'https' (TLS, HTTP/1.1) or 'http'. */
  protocol: 'h2' | 'https' | 'http';
  path?: string;
  /** Pause between requests, ms (default 20). */
  gapMs?: number;
  /** A request that takes longer counts as failed, ms (default 2000). */
  deadlineMs?: number;
}

/** SteadyClient asks one request after another until stopped. */
export class SteadyClient {
  private readonly latencies: number[] = [];
  private readonly errors: string[] = [];
  private failed = 0;
  private running = true;
  private readonly loop: Promise<void>;
  private session: http2.ClientHttp2Session | undefined;
  private readonly agent: http.Agent;
  private readonly o: SteadyOptions;

  private constructor(o: SteadyOptions) {
    this.o = o;
    this.agent = o.protocol === 'http' ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
    this.loop = this.run();
  }

  /** start begins asking at once. */
  static start(o: SteadyOptions): SteadyClient {
    return new SteadyClient(o);
  }

  /** stop ends the run and returns its statistics. */
  async stop(): Promise<SteadyStats> {
    this.running = false;
    await this.loop;
    this.session?.destroy();
    this.agent.destroy();
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
    return { ok: sorted.length, failed: this.failed, errors: this.errors.slice(0, 5), p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? Number.NaN };
  }

  private async run(): Promise<void> {
    while (this.running) {
      const t0 = performance.now();
      try {
        const status = await this.once();
        if (status !== 200) throw new Error(`status ${status}`);
        this.latencies.push(performance.now() - t0);
      } catch (err) {
        this.failed++;
        if (this.errors.length < 20) this.errors.push((err as Error).message);
        this.session?.destroy();
        this.session = undefined;
      }
      await new Promise((r) => setTimeout(r, this.o.gapMs ?? 20));
    }
  }

  private once(): Promise<number> {
    const deadline = this.o.deadlineMs ?? 2000;
    const path = this.o.path ?? '/steady';
    if (this.o.protocol === 'h2') {
      if (this.session === undefined || this.session.destroyed || this.session.closed) {
        this.session = http2.connect(`https://127.0.0.1:${this.o.port}`, { rejectUnauthorized: false, servername: 'a.example' });
        this.session.on('error', () => {});
      }
      const session = this.session;
      return new Promise((resolve, reject) => {
        const req = session.request({ ':path': path, ':authority': 'a.example' });
        const timer = setTimeout(() => {
          req.close(http2.constants.NGHTTP2_CANCEL);
          reject(new Error(`no answer within ${deadline} ms`));
        }, deadline);
        let status = 0;
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('error', (e) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        });
        req.resume();
        req.on('end', () => {
          clearTimeout(timer);
          resolve(status);
        });
      });
    }
    const mod = this.o.protocol === 'http' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request({ host: '127.0.0.1', port: this.o.port, path, agent: this.agent, servername: 'a.example', headers: { host: 'a.example' }, timeout: deadline }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${deadline} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}
