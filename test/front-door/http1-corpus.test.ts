/**
 * SPEC 2.1 on real listeners: every row of the front-door corpus (test/front-door/corpus/) —
 * malformed, ambiguous and smuggling HTTP/1.x requests and well-formed controls — over an HTTP
 * listener and an HTTPS listener (HTTP/1.1 by ALPN), each row on a fresh connection, with a
 * recording backend behind. Each row asserts the status, that refusals close the connection,
 * and exactly what the backend received: nothing at all (no connection) for refusals, the
 * request with the row's predicate for forwards, never the pipelined marker. A WebSocket section
 * checks that only a correct 101 opens a tunnel, and a listener with underscoreHeadersEnabled
 * shows the underscore fields do pass when asked.
 *
 * Rows run in a few lanes per listener protocol (a listener, a group and a backend each), rows
 * of one lane one after another, so the backend's history between two rows is that row's. The
 * runs happen once in beforeAll; each `it` judges its row. requestTimeout is 1 s so the
 * body-timeout rows take a second, and the head deadline is 1 s (`headersTimeoutMs`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpListener, httpsListener, serverCertificate, serverGroup } from '../engine/support/snapshots.ts';
import { ProxyFixture } from '../engine/support/proxy-fixture.ts';
import { createCa, issueCertificate } from '../helpers/pki.ts';
import { CLASSES, CORPUS, UNDERSCORE_ROWS, countByClass, type CorpusRow, type InputClass, type ListenerProtocol } from './corpus/index.ts';
import { connectPlain, connectTls } from './support/corpus-client.ts';
import { judge, runRow, type RowOutcome, type Target } from './support/corpus-runner.ts';
import { RecordingBackend } from './support/recording-backend.ts';

const LANES = 3;
const REQUEST_TIMEOUT_S = 1;
const PROTOCOLS: ListenerProtocol[] = ['HTTP', 'HTTPS'];
const WEBSOCKET_CLASSES: InputClass[] = ['websocket-101', 'websocket-other-status', 'websocket-bad-101'];

let fx: ProxyFixture;
const outcomes = new Map<string, RowOutcome>();
const key = (protocol: ListenerProtocol | 'HTTP underscore', row: CorpusRow) => `${protocol} ${row.name}`;

/** underscoreField is the one field name with `_` a row sends. */
function underscoreField(row: CorpusRow): string {
  const raw = typeof row.raw === 'string' ? row.raw : row.raw.toString('latin1');
  const name = raw.split('\r\n').slice(1).map((l) => l.slice(0, l.indexOf(':'))).find((n) => n.includes('_'));
  if (name === undefined) throw new Error(`${row.name}: no underscore field`);
  return name;
}

beforeAll(async () => {
  fx = new ProxyFixture({ headersTimeoutMs: 1000 });
  const ca = await createCa();
  const leaf = await issueCertificate({ commonName: 'a.example', dnsNames: ['a.example'] }, ca);
  const backend = async () => {
    const b = await RecordingBackend.start();
    fx.onClose(() => b.close());
    return b;
  };
  const lanes: { protocol: ListenerProtocol; listenerId: string; backend: RecordingBackend }[] = [];
  for (const protocol of PROTOCOLS) for (let i = 0; i < LANES; i++) lanes.push({ protocol, listenerId: `lsn-${protocol.toLowerCase()}-${i}`, backend: await backend() });
  const underscoreBackend = await backend();
  const options = { requestTimeout: REQUEST_TIMEOUT_S };
  await fx.apply({
    listeners: [
      ...lanes.map((l) =>
        l.protocol === 'HTTP' ? httpListener(l.listenerId, `sgp-${l.listenerId}`, options) : httpsListener(l.listenerId, `sgp-${l.listenerId}`, 'cert-1', {}, options),
      ),
      httpListener('lsn-underscore', 'sgp-underscore', { ...options, underscoreHeadersEnabled: true }),
    ],
    serverGroups: [...lanes.map((l) => serverGroup(`sgp-${l.listenerId}`, [{ port: l.backend.port }])), serverGroup('sgp-underscore', [{ port: underscoreBackend.port }])],
    certificates: [serverCertificate('cert-1', leaf, ['a.example'])],
  });
  const target = (protocol: ListenerProtocol, listenerId: string, b: RecordingBackend): Target => ({
    name: listenerId,
    protocol,
    connect: protocol === 'HTTP' ? connectPlain(fx.port(listenerId)) : connectTls(fx.port(listenerId)),
    backend: b,
    requestTimeoutS: REQUEST_TIMEOUT_S,
  });
  const runs = lanes.map(async (l, laneIndex) => {
    const t = target(l.protocol, l.listenerId, l.backend);
    const mine = CORPUS.filter((_, i) => i % LANES === laneIndex % LANES);
    for (const row of mine) outcomes.set(key(l.protocol, row), await runRow(t, row));
  });
  runs.push(
    (async () => {
      const t = target('HTTP', 'lsn-underscore', underscoreBackend);
      for (const row of UNDERSCORE_ROWS) outcomes.set(key('HTTP underscore', row), await runRow(t, row));
    })(),
  );
  await Promise.all(runs);
}, 120_000);
afterAll(async () => fx?.close());

/** expectConforms fails with every problem spelled out (vitest would elide all but the first). */
function expectConforms(problems: string[]): void {
  expect(problems, problems.join('\n')).toEqual([]);
}

function verdict(protocol: ListenerProtocol, row: CorpusRow): string[] {
  const o = outcomes.get(key(protocol, row));
  if (o === undefined) return ['row did not run'];
  return judge(row, o, protocol);
}

describe('the corpus', () => {
  it('holds at least 220 rows and every class of SPEC 2.1', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(220);
    const counts = countByClass();
    for (const c of CLASSES) expect(counts[c], c).toBeGreaterThan(0);
  });
});

for (const protocol of PROTOCOLS) {
  describe(`SPEC 2.1 on the ${protocol} listener${protocol === 'HTTPS' ? ' (HTTP/1.1 by ALPN)' : ''}`, () => {
    for (const cls of CLASSES.filter((c) => !WEBSOCKET_CLASSES.includes(c))) {
      describe(cls, () => {
        for (const row of CORPUS.filter((r) => r.class === cls)) {
          it(row.name, () => expectConforms(verdict(protocol, row)));
        }
      });
    }
  });
}

describe('WebSocket: only a correct 101 opens a tunnel; after any other answer no client byte reaches the backend', () => {
  for (const protocol of PROTOCOLS) {
    describe(protocol, () => {
      for (const row of CORPUS.filter((r) => WEBSOCKET_CLASSES.includes(r.class))) {
        it(row.name, () => expectConforms(verdict(protocol, row)));
      }
    });
  }
});

describe('underscoreHeadersEnabled: true forwards fields whose names contain _', () => {
  for (const row of UNDERSCORE_ROWS) {
    it(row.name, () => {
      const o = outcomes.get(key('HTTP underscore', row));
      expect(o?.client.status).toBe(200);
      const name = underscoreField(row);
      expect(o?.requests[0]?.fields.map(([n]) => n)).toContain(name);
    });
  }
});
