/**
 * SPEC §4: what `gatehouse status` and `gatehouse drift` print when the management API cannot be
 * used — nothing reachable at the endpoint, a refused token, an answer that is not the API's —
 * each on stderr with exit 1. The texts are pinned: they are what operators see and search for.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';
import { cleanEnv, GATEHOUSE_CLI, GatehouseServe } from '../helpers/gatehouse-serve.ts';

const run = promisify(execFile);
const LB_ID = 'alb-abcdefghijklmnopqrst';

/** gatehouse runs the command and resolves with its exit code and output, whatever the code. */
async function gatehouse(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [GATEHOUSE_CLI, ...args], { env: cleanEnv() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
let exportFile: string;
let server: GatehouseServe;
let html: Server;
let htmlUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-errors-'));
  exportFile = join(dir, 'stack.json');
  const urn = 'urn:pulumi:dev::p::gatehouse:index:LoadBalancer::lb';
  writeFileSync(exportFile, JSON.stringify({ version: 3, deployment: { resources: [{ type: 'gatehouse:index:LoadBalancer', urn, id: LB_ID, inputs: { name: 'lb' } }] } }));
  server = await GatehouseServe.startFresh();
  // A proxy's error page where the API should be.
  html = createServer((req, res) => {
    req.resume();
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html>Bad Gateway</html>');
  });
  await new Promise<void>((done) => html.listen(0, '127.0.0.1', done));
  htmlUrl = `http://127.0.0.1:${(html.address() as { port: number }).port}`;
});
afterAll(async () => {
  await server?.close();
  html?.closeAllConnections();
  await new Promise((done) => html?.close(done));
  rmSync(dir, { recursive: true, force: true });
});

describe('gatehouse status', () => {
  it('nothing listening at the endpoint: names it and asks whether serve runs', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const r = await gatehouse(['status', '--endpoint', endpoint, '--token', 't']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`gatehouse status: cannot reach the management API at ${endpoint} (ECONNREFUSED); is \`gatehouse serve\` running?\n`);
  });

  it('a refused token: the request, the status, the code and the detail', async () => {
    const r = await gatehouse(['status', '--endpoint', server.url, '--token', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gatehouse status: GET \/v1\/(listeners|quic-listeners|load-balancers)\?limit=100: 401 UNAUTHENTICATED: \S.*\n$/);
    expect(r.stderr).not.toContain('wrong');
  });

  it('an answer that is not the API’s: the request, the status and the text', async () => {
    const r = await gatehouse(['status', '--endpoint', htmlUrl, '--token', 't']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gatehouse status: GET \/v1\/(listeners|quic-listeners|load-balancers)\?limit=100: 502: <html>Bad Gateway<\/html>\n$/);
  });
});

describe('gatehouse drift', () => {
  it('nothing listening at the endpoint: exit 1, naming the endpoint and the request', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const r = await gatehouse(['drift', '--stack-export', exportFile, '--endpoint', endpoint, '--token', 't']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^gatehouse drift: cannot read the live state from ${endpoint}: cannot reach the Gatehouse API at ${endpoint} \\(GET /v1/load-balancers/${LB_ID}\\): connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\n$`),
    );
  });

  it('a refused token: exit 1 with the detail and the code', async () => {
    const r = await gatehouse(['drift', '--stack-export', exportFile, '--endpoint', server.url, '--token', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^gatehouse drift: cannot read the live state from ${server.url}: \\S.* \\[UNAUTHENTICATED\\]\\n$`));
  });

  it('an answer that is not the API’s: exit 1 with the status and the request', async () => {
    const r = await gatehouse(['drift', '--stack-export', exportFile, '--endpoint', htmlUrl, '--token', 't']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`gatehouse drift: cannot read the live state from ${htmlUrl}: the Gatehouse API answered 502 to GET /v1/load-balancers/${LB_ID}\n`);
  });
});
