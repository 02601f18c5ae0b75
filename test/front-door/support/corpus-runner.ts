/**
 * corpus-runner: runs corpus rows against one proxy listener with a RecordingBackend behind it
 * and judges each outcome against SPEC 2.1. Rows on one target run one after another (each on
 * a fresh client connection), so everything the backend saw between two marks belongs to that
 * row; separate targets can run side by side. The test asserts `judge()` is empty per row; the
 * benchmark counts `categorise()` per target.
 */
import { MARKER, MARKER_SIGNS } from '../corpus/build.ts';
import { wsUpgradeReached } from '../corpus/upgrades.ts';
import { expectationFor, type CorpusRow, type Expectation, type ListenerProtocol, type Recorded } from '../corpus/types.ts';
import { sleep } from '../../helpers/eventually.ts';
import { exchange, type ClientOutcome, type Connect } from './corpus-client.ts';
import { TUNNEL_GREETING, type RecordingBackend } from './recording-backend.ts';

/** Target is one proxy listener and the backend behind it. */
export interface Target {
  name: string;
  protocol: ListenerProtocol;
  connect: Connect;
  backend: RecordingBackend;
  /** The listener's requestTimeout, for rows that wait for it. */
  requestTimeoutS: number;
}

/** RowOutcome is what one row did: the client's view and the backend's. */
export interface RowOutcome {
  client: ClientOutcome;
  requests: Recorded[];
  /** Every byte the backend received during the row. */
  backendBytes: Buffer;
  newConnections: number;
  partialOpen: number;
  /** The row carries the marker as a smuggling probe and the marker's bytes reached the backend. */
  markerReached: boolean;
  ms: number;
}

/** RESPONSE_MS bounds the wait for an answer to a row that does not wait for a timeout. */
const RESPONSE_MS = 2500;
/** CLOSE_GRACE_MS is how long a refusal may take to close its connection. */
const CLOSE_GRACE_MS = 1000;
/** SETTLE_MS lets a backend write that races the client's view land before the row is judged. */
const SETTLE_MS = 40;

/** carriesMarker: the row sends the marker request as a smuggling probe. */
export function carriesMarker(row: CorpusRow): boolean {
  if (row.markerIsPayload) return false;
  const raw = typeof row.raw === 'string' ? row.raw : row.raw.toString('latin1');
  return raw.includes(MARKER) || row.then === MARKER;
}

/** runRow runs one row on a fresh connection and collects what the client and the backend saw. */
export async function runRow(t: Target, row: CorpusRow): Promise<RowOutcome> {
  const e = expectationFor(row, t.protocol);
  const started = Date.now();
  const mark = t.backend.mark();
  const waitsForClose = e.kind === 'refuse' || e.kind === 'upgrade-refused';
  const raw = typeof row.raw === 'string' ? row.raw : row.raw.toString('latin1');
  const client = await exchange(t.connect, row.raw, {
    halfClose: row.end === 'half-close',
    then: row.then,
    head: raw.startsWith('HEAD '),
    responseMs: row.slow ? t.requestTimeoutS * 1000 + RESPONSE_MS : RESPONSE_MS,
    closeGraceMs: waitsForClose ? CLOSE_GRACE_MS : 0,
    lingerMs: row.then !== undefined || e.kind === 'tunnel' || raw.includes(MARKER) ? 150 : 0,
  });
  await sleep(SETTLE_MS);
  if (e.kind === 'refuse' && e.backend === 'cut') {
    const end = Date.now() + CLOSE_GRACE_MS;
    while (t.backend.since(mark).partialOpen > 0 && Date.now() < end) await sleep(20);
  }
  const b = t.backend.since(mark);
  const text = b.bytes.toString('latin1');
  return {
    client,
    requests: b.requests,
    backendBytes: b.bytes,
    newConnections: b.newConnections,
    partialOpen: b.partialOpen,
    markerReached: carriesMarker(row) && MARKER_SIGNS.some((s) => text.includes(s)),
    ms: Date.now() - started,
  };
}

/** runRows runs rows one after another on a target. */
export async function runRows(t: Target, rows: readonly CorpusRow[], onRow?: (row: CorpusRow, o: RowOutcome) => void): Promise<Map<string, RowOutcome>> {
  const out = new Map<string, RowOutcome>();
  for (const row of rows) {
    const o = await runRow(t, row);
    out.set(row.name, o);
    onRow?.(row, o);
  }
  return out;
}

function snippet(b: Buffer | string, n = 80): string {
  return JSON.stringify((typeof b === 'string' ? b : b.toString('latin1')).slice(0, n));
}

function answered(c: ClientOutcome): string {
  if (c.status !== null) return String(c.status);
  return c.received.length === 0 ? 'no answer' : `no status line (${snippet(c.received)})`;
}

/** bytesAfterFirstRequest counts backend bytes beyond the first recorded request. */
function bytesAfterFirstRequest(o: RowOutcome): number {
  return o.requests.length === 0 ? o.backendBytes.length : o.backendBytes.length - o.requests[0]!.wireLength;
}

/** judge lists how a row's outcome departs from SPEC 2.1 (empty: it conforms). */
export function judge(row: CorpusRow, o: RowOutcome, protocol: ListenerProtocol): string[] {
  const e: Expectation = expectationFor(row, protocol);
  const c = o.client;
  const p: string[] = [];
  if (o.markerReached) p.push(`the pipelined marker reached the backend: ${snippet(o.backendBytes, 160)}`);
  switch (e.kind) {
    case 'refuse': {
      if (e.status === null) {
        if (c.received.length > 0) p.push(`expected no answer, got ${snippet(c.received)}`);
      } else if (c.status !== e.status) {
        p.push(`status ${answered(c)}, expected ${e.status}`);
      } else if (!c.connectionClose) {
        p.push('refusal without Connection: close');
      }
      if (!c.closed) p.push('connection left open after the refusal');
      if (e.status !== null && c.afterResponse.length > 0) p.push(`more after the refusal: ${snippet(c.afterResponse)}`);
      if (o.requests.length > 0) p.push(`backend received ${o.requests.length} request(s), first ${snippet(o.requests[0]!.requestLine)}`);
      if (e.backend === 'nothing') {
        if (o.newConnections > 0) p.push(`${o.newConnections} backend connection(s) opened`);
        if (o.requests.length === 0 && o.backendBytes.length > 0) p.push(`backend received ${o.backendBytes.length} bytes: ${snippet(o.backendBytes)}`);
      } else if (o.partialOpen > 0) {
        p.push('the backend connection carrying the cut request was left open');
      }
      break;
    }
    case 'forward':
    case 'forward-normalised': {
      if (c.status !== e.status) p.push(`status ${answered(c)}, expected ${e.status} from the backend`);
      if (o.requests.length === 0) p.push('nothing reached the backend');
      else {
        const problem = e.check?.(o.requests);
        if (problem !== undefined) p.push(problem);
      }
      break;
    }
    case 'tunnel': {
      if (c.status !== 101) p.push(`status ${answered(c)}, expected 101`);
      if (o.requests.length !== 1) p.push(`backend recorded ${o.requests.length} requests, expected the upgrade alone`);
      else {
        const problem = wsUpgradeReached(o.requests);
        if (problem !== undefined) p.push(problem);
        const tunnelled = o.backendBytes.subarray(o.requests[0]!.wireLength).toString('latin1');
        if (!tunnelled.includes(MARKER)) p.push(`the client's bytes did not arrive through the tunnel (got ${snippet(tunnelled)})`);
      }
      if (!c.afterResponse.toString('latin1').includes(TUNNEL_GREETING)) p.push(`the backend's bytes did not arrive through the tunnel (got ${snippet(c.afterResponse)})`);
      break;
    }
    case 'upgrade-refused': {
      if (c.status !== e.status) p.push(`status ${answered(c)}, expected ${e.status}`);
      else if (!c.connectionClose) p.push('answer without Connection: close');
      if (!c.closed) p.push('connection left open after the refused upgrade');
      if (o.requests.length === 0) p.push('the upgrade request did not reach the backend');
      else {
        const problem = wsUpgradeReached(o.requests);
        if (problem !== undefined) p.push(problem);
        if (o.requests.length > 1) p.push(`backend recorded ${o.requests.length} requests, expected the upgrade alone`);
        const after = bytesAfterFirstRequest(o);
        if (after > 0) p.push(`${after} client bytes reached the backend after the upgrade request: ${snippet(o.backendBytes.subarray(o.requests[0]!.wireLength))}`);
      }
      break;
    }
  }
  return p;
}

/** Category is how the benchmark counts a row's outcome. */
export interface Category {
  conforms: boolean;
  /** No request reached the backend. */
  refused: boolean;
  /** At least one request reached the backend. */
  forwarded: boolean;
  /** A row SPEC says must be refused reached the backend. */
  forwardedMalformed: boolean;
  /** Client bytes reached the backend after a WebSocket upgrade that was not accepted. */
  tunnelled: boolean;
  /** The marker pipelined behind a refused request reached the backend. */
  pipelinedAfterRefusal: boolean;
}

/** categorise sorts one outcome into the benchmark's columns. */
export function categorise(row: CorpusRow, o: RowOutcome, protocol: ListenerProtocol): Category {
  const e = expectationFor(row, protocol);
  const forwarded = o.requests.length > 0;
  return {
    conforms: judge(row, o, protocol).length === 0,
    refused: !forwarded,
    forwarded,
    forwardedMalformed: e.kind === 'refuse' && forwarded,
    tunnelled: e.kind === 'upgrade-refused' && bytesAfterFirstRequest(o) > 0,
    pipelinedAfterRefusal: o.markerReached,
  };
}
