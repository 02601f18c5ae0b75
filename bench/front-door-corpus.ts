/**
 * front-door-corpus: the front-door corpus (test/front-door/corpus/) against Gatehouse and nginx
 * side by side. Gatehouse runs as users run it — `gatehouse serve`, with a load balancer, two
 * server groups and an HTTP and an HTTPS listener created through the management API — and
 * nginx (Debian's `nginx`, 1.22) as the equivalent reverse proxy: a plain and a TLS server
 * block, the common WebSocket settings, X-Forwarded-For appended. Each of the four listeners
 * has its own recording backend in this process; rows run one after another per listener, the
 * four listeners at once. Per listener it counts rows conforming to SPEC 2.1, refused,
 * forwarded, forwarded-malformed (a row that must be refused reached the backend), tunnelled
 * (client bytes reached the backend after a WebSocket upgrade that was not accepted) and
 * pipelined-after-refusal (the marker reached the backend), then where the two differ by class.
 *
 *   npx node bench/front-door-corpus.ts [--write]
 *
 * --write puts the tables into bench/RESULTS.md (section "Front door: malformed and smuggling
 * requests"); the raw outcomes go to bench/out/front-door-corpus-<time>.json either way.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLASSES, CORPUS, countByClass, type CorpusRow, type ListenerProtocol } from '../test/front-door/corpus/index.ts';
import { connectPlain, connectTls } from '../test/front-door/support/corpus-client.ts';
import { categorise, judge, runRows, type Category, type RowOutcome, type Target } from '../test/front-door/support/corpus-runner.ts';
import { RecordingBackend } from '../test/front-door/support/recording-backend.ts';
import { GatehouseServe } from '../test/helpers/gatehouse-serve.ts';
import { issueCertificate } from '../test/helpers/pki.ts';
import { writeRunJson } from './bench-out.ts';
import { apiOk, nginxBinary, waitForPort, waitRunning, writeResultsSection } from './bench-processes.ts';
import { freePorts } from './free-ports.ts';

const { values: args } = parseArgs({ options: { write: { type: 'boolean', default: false } } });
const REQUEST_TIMEOUT_S = 1;
const SECTION = '## Front door: malformed and smuggling requests';

type Proxy = 'gatehouse' | 'nginx';
interface Run {
  proxy: Proxy;
  protocol: ListenerProtocol;
  target: Target;
  outcomes: Map<string, RowOutcome>;
}

/** startNginx runs nginx in the foreground as the reverse proxy most deployments copy. */
async function startNginx(bin: string, dir: string, ports: { http: number; https: number }, backends: { http: number; https: number }, certFile: string, keyFile: string): Promise<() => Promise<void>> {
  const proxy = (upstream: string) => `proxy_pass http://${upstream}; proxy_http_version 1.1;
      proxy_set_header Host $http_host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;`;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_timeout ${REQUEST_TIMEOUT_S}s; client_header_timeout 10s; large_client_header_buffers 4 16k;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream plain_app { server 127.0.0.1:${backends.http}; keepalive 16; }
  upstream tls_app { server 127.0.0.1:${backends.https}; keepalive 16; }
  server { listen 127.0.0.1:${ports.http}; location / { ${proxy('plain_app')} } }
  server { listen 127.0.0.1:${ports.https} ssl; ssl_certificate ${certFile}; ssl_certificate_key ${keyFile};
    location / { ${proxy('tls_app')} } }
}\n`,
  );
  const child = spawn(bin, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(ports.http);
  await waitForPort(ports.https);
  return async () => {
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
}

/** startGatehouse starts `gatehouse serve` and creates the listeners through the management API. */
async function startGatehouse(ports: { http: number; https: number }, backends: { http: number; https: number }, certPem: string, keyPem: string): Promise<GatehouseServe> {
  const serve = await GatehouseServe.startFresh();
  const ok = (method: string, path: string, body?: unknown) => apiOk(serve, method, path, body);
  const lb = await ok('POST', '/v1/load-balancers', { name: 'front-door' });
  const group = (name: string, port: number) => ok('POST', '/v1/server-groups', { name, servers: [{ address: '127.0.0.1', port }], healthCheck: { enabled: false } });
  const plain = await group('front-door-http', backends.http);
  const secure = await group('front-door-https', backends.https);
  const cert = await ok('POST', '/v1/certificates', { name: 'front-door', certificatePem: certPem, privateKeyPem: keyPem });
  const common = { loadBalancerId: lb.id, requestTimeout: REQUEST_TIMEOUT_S };
  const listeners = [
    await ok('POST', '/v1/listeners', { ...common, protocol: 'HTTP', port: ports.http, defaultServerGroupId: plain.id }),
    await ok('POST', '/v1/listeners', { ...common, protocol: 'HTTPS', port: ports.https, defaultServerGroupId: secure.id, certificates: { defaultCertificateId: cert.id } }),
  ];
  await waitRunning(serve, listeners.map((l) => l.id));
  return serve;
}

function sh(cmd: string, argv: string[]): string {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

const pct = (n: number, of: number) => `${n} (${Math.round((100 * n) / of)} %)`;

function tally(run: Run): Record<keyof Category, number> {
  const t: Record<keyof Category, number> = { conforms: 0, refused: 0, forwarded: 0, forwardedMalformed: 0, tunnelled: 0, pipelinedAfterRefusal: 0 };
  for (const row of CORPUS) {
    const c = categorise(row, run.outcomes.get(row.name)!, run.protocol);
    for (const k of Object.keys(t) as (keyof Category)[]) if (c[k]) t[k]++;
  }
  return t;
}

/** signature is what a row did, briefly: the status and whether the backend got it. */
function signature(o: RowOutcome): string {
  const status = o.client.status ?? (o.client.received.length > 0 ? 'no status line' : 'no answer');
  return `${status}${o.requests.length > 0 ? ' forwarded' : ''}${o.markerReached ? ' +marker' : ''}`;
}

function report(runs: Run[], machine: string, command: string): string {
  const total = CORPUS.length;
  const lines: string[] = [];
  lines.push(SECTION, '');
  lines.push(
    `\`${command}\` runs the front-door corpus (test/front-door/corpus/, ${total} rows: malformed, ambiguous and smuggling HTTP/1.x requests and well-formed controls, grouped by SPEC 2.1 input class) against \`gatehouse serve\` (load balancer, server groups and listeners created through the management API, requestTimeout ${REQUEST_TIMEOUT_S} s) and nginx configured as the usual reverse proxy (plain and TLS server blocks, \`proxy_http_version 1.1\`, Host and X-Forwarded-For passed, the common WebSocket \`Upgrade\`/\`Connection\` map, \`client_body_timeout ${REQUEST_TIMEOUT_S}s\`, defaults otherwise), each listener with its own recording backend, one fresh connection per row (HTTPS offers only http/1.1 by ALPN).`,
    '',
    `Machine: ${machine}`,
    '',
    'Columns: *conforming* — the row did exactly what SPEC 2.1 says (status, Connection: close and closed after refusals, what the backend received); *refused* — no request reached the backend; *forwarded* — at least one did; *forwarded-malformed* — a row SPEC says must be refused reached the backend; *tunnelled* — client bytes reached the backend after a WebSocket upgrade the backend did not accept; *pipelined-after-refusal* — the marker request (`Host: internal`, `X-Forwarded-For: 6.6.6.6`) behind a refused request reached the backend.',
    '',
    '| proxy | listener | rows | conforming | refused | forwarded | forwarded-malformed | tunnelled | pipelined-after-refusal |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const run of runs) {
    const t = tally(run);
    lines.push(`| ${run.proxy} | ${run.protocol} | ${total} | ${pct(t.conforms, total)} | ${t.refused} | ${t.forwarded} | ${t.forwardedMalformed} | ${t.tunnelled} | ${t.pipelinedAfterRefusal} |`);
  }
  const counts = countByClass();
  const find = (proxy: Proxy, protocol: ListenerProtocol) => runs.find((r) => r.proxy === proxy && r.protocol === protocol)!;
  lines.push(
    '',
    'Per class, on the HTTP listener (the HTTPS listener differs only where noted below): rows conforming to SPEC 2.1, and the rows where Gatehouse and nginx did different things (status, forwarded or not), with a few examples as *row: Gatehouse / nginx*.',
    '',
    '| class | rows | Gatehouse conforming | nginx conforming | differ | examples |',
    '|---|---:|---:|---:|---:|---|',
  );
  const g = find('gatehouse', 'HTTP');
  const n = find('nginx', 'HTTP');
  for (const cls of CLASSES) {
    const rows = CORPUS.filter((r) => r.class === cls);
    const conf = (run: Run) => rows.filter((r) => judge(r, run.outcomes.get(r.name)!, run.protocol).length === 0).length;
    const differ = rows.filter((r) => signature(g.outcomes.get(r.name)!) !== signature(n.outcomes.get(r.name)!));
    const examples = differ
      .slice(0, 3)
      .map((r) => `${r.name}: ${signature(g.outcomes.get(r.name)!)} / ${signature(n.outcomes.get(r.name)!)}`)
      .join('; ');
    lines.push(`| ${cls} | ${counts[cls]} | ${conf(g)} | ${conf(n)} | ${differ.length} | ${examples.replace(/\|/g, '\\|')} |`);
  }
  const crossListener = (proxy: Proxy) =>
    CORPUS.filter((r) => judge(r, find(proxy, 'HTTP').outcomes.get(r.name)!, 'HTTP').length === 0 !== (judge(r, find(proxy, 'HTTPS').outcomes.get(r.name)!, 'HTTPS').length === 0)).map((r) => r.name);
  lines.push('');
  for (const proxy of ['gatehouse', 'nginx'] as const) {
    const d = crossListener(proxy);
    lines.push(`${proxy}: rows conforming on one listener but not the other: ${d.length === 0 ? 'none' : d.join('; ')}.`, '');
  }
  const failing = (run: Run) => CORPUS.filter((r) => judge(r, run.outcomes.get(r.name)!, run.protocol).length > 0);
  lines.push(`Gatehouse rows not conforming on the HTTP listener (${failing(g).length}): ${failing(g).map((r) => `${r.name} (${judge(r, g.outcomes.get(r.name)!, 'HTTP')[0]})`).join('; ') || 'none'}.`, '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const nginx = nginxBinary();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-front-door-'));
  chmodSync(dir, 0o755);
  const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, leaf.chainPem);
  writeFileSync(keyFile, leaf.keyPem);
  const [gHttp, gHttps, nHttp, nHttps] = await freePorts(4, { randomStart: true }) as [number, number, number, number];
  const backends = { gatehouse: { http: await RecordingBackend.start(), https: await RecordingBackend.start() }, nginx: { http: await RecordingBackend.start(), https: await RecordingBackend.start() } };
  const stops: (() => Promise<void>)[] = [];
  try {
    const serve = await startGatehouse({ http: gHttp, https: gHttps }, { http: backends.gatehouse.http.port, https: backends.gatehouse.https.port }, leaf.chainPem, leaf.keyPem);
    stops.push(() => serve.close());
    stops.push(await startNginx(nginx, dir, { http: nHttp, https: nHttps }, { http: backends.nginx.http.port, https: backends.nginx.https.port }, certFile, keyFile));
    const run = (proxy: Proxy, protocol: ListenerProtocol, port: number, backend: RecordingBackend): Run => ({
      proxy,
      protocol,
      target: { name: `${proxy} ${protocol}`, protocol, connect: protocol === 'HTTP' ? connectPlain(port) : connectTls(port), backend, requestTimeoutS: REQUEST_TIMEOUT_S },
      outcomes: new Map(),
    });
    const runs = [run('gatehouse', 'HTTP', gHttp, backends.gatehouse.http), run('gatehouse', 'HTTPS', gHttps, backends.gatehouse.https), run('nginx', 'HTTP', nHttp, backends.nginx.http), run('nginx', 'HTTPS', nHttps, backends.nginx.https)];
    const t0 = Date.now();
    await Promise.all(
      runs.map(async (r) => {
        let done = 0;
        const out = await runRows(r.target, CORPUS, () => {
          if (++done % 100 === 0) process.stderr.write(`${r.target.name}: ${done}/${CORPUS.length}\n`);
        });
        for (const [k, v] of out) r.outcomes.set(k, v);
      }),
    );
    process.stderr.write(`corpus ran in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const machine = `\`nproc\` ${sh('nproc', [])} (${cpus()[0]?.model.trim() ?? 'unknown'}), \`free -g\` total ${/^Mem:\s+(\d+)/m.exec(sh('free', ['-g']))?.[1] ?? Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${sh(nginx, ['-v'])}; ${new Date().toISOString().slice(0, 10)}; load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end (other engineers' work shares the 2 cores). Gatehouse tree: ${sh('git', ['rev-parse', '--short', 'HEAD'])}${sh('git', ['status', '--porcelain', '--', 'engine', 'schema', 'server']) === '' ? '' : ' plus uncommitted engine/schema/server changes in progress (SPEC 2.1 work), so its figures are a snapshot of that work'}.`;
    const text = report(runs, machine, 'npx node bench/front-door-corpus.ts --write');
    console.log(text);
    const dump = runs.map((r) => ({
      proxy: r.proxy,
      protocol: r.protocol,
      rows: CORPUS.map((row: CorpusRow) => {
        const o = r.outcomes.get(row.name)!;
        return { name: row.name, class: row.class, signature: signature(o), problems: judge(row, o, r.protocol), ms: o.ms };
      }),
    }));
    writeRunJson('front-door-corpus', dump);
    if (args.write) writeResultsSection(SECTION, text);
  } finally {
    for (const s of stops.reverse()) await s();
    for (const b of [backends.gatehouse.http, backends.gatehouse.https, backends.nginx.http, backends.nginx.https]) await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
