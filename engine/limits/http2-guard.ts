/**
 * HTTP/2 abuse bounds (SPEC E17) that node's http2 module does not give, or gives with the wrong
 * answer. Node (nghttp2) already refuses the worst on its own — a CONTINUATION chain longer
 * than 8 frames, a flood of frames it must acknowledge while the client does not read, streams
 * over the advertised 128, header lists over the limits — but it ends the connection with a
 * GOAWAY INTERNAL_ERROR, or with none at all, and it counts neither SETTINGS nor PING frames
 * from a client that does read, nor streams a client cancels at once (Rapid Reset,
 * CVE-2023-44487: every such stream costs the engine a backend connection), nor streams it
 * refuses before they reach the pipeline (HPACK bombs, huge header blocks).
 *
 * One Http2SessionGuard per session keeps token buckets for those, and one sweep per server
 * looks at the refused streams ten times a second. A client over a bound gets GOAWAY
 * ENHANCE_YOUR_CALM, and its socket is destroyed GOAWAY_GRACE_MS later if it has not closed
 * by then (a client that does not read would otherwise hold it). The fatal errors node detects
 * itself are answered with a code that says what happened (ENHANCE_YOUR_CALM for floods,
 * PROTOCOL_ERROR for protocol violations) instead of INTERNAL_ERROR.
 */
import { constants, type Http2Session } from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { ConnectionFacts, ConnectionGuard } from '../proxy/connection-facts.ts';

/** TokenBucketLimit is a burst and a sustained rate. */
export interface TokenBucketLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/**
 * HTTP2_FLOOD_LIMITS are the per-connection budgets. A browser sends one SETTINGS frame, rarely
 * a PING, and cancels a few dozen streams when the user navigates away; gRPC clients ping every
 * few seconds at most. Each bound is ten times that or more.
 */
export const HTTP2_FLOOD_LIMITS = {
  /** SETTINGS frames from the client. */
  settings: { burst: 50, perSecond: 5 },
  /** PING frames from the client. */
  pings: { burst: 50, perSecond: 5 },
  /** Streams that closed before their response was complete (client resets, Rapid Reset). */
  cancelledStreams: { burst: 200, perSecond: 20 },
  /** Streams node refused before they reached the pipeline (header list over its bounds), counted by the sweep. */
  refusedStreams: { burst: 50, perSecond: 5 },
} as const satisfies Record<string, TokenBucketLimit>;

/** GOAWAY_GRACE_MS is how long a connection told to go away may take to close before its socket is destroyed. */
export const GOAWAY_GRACE_MS = 1_000;
/**
 * REFUSED_SWEEP_MS is how often the refused-stream count of each session is looked at. Every
 * refused header block costs a decode, so the sooner the better; one look reads a counter node
 * shares with its native side (about 0.15 µs), so ten a second cost 1.5 µs per session per second.
 */
export const REFUSED_SWEEP_MS = 100;

/**
 * HTTP2_SESSION_OPTIONS are node's own per-session bounds, stated rather than left to defaults:
 * 10 MiB of session memory (new streams are refused beyond it), 100 invalid frames and 100
 * rejected streams before the session ends, at most 32 settings in one SETTINGS frame, and
 * nghttp2's Rapid Reset limit raised to 10,000 (then 330/s) so that it stays a backstop: it
 * counts inside one socket read, before the stream closes reach HTTP2_FLOOD_LIMITS, and
 * answers INTERNAL_ERROR.
 */
export const HTTP2_SESSION_OPTIONS = {
  maxSessionMemory: 10,
  maxSessionInvalidFrames: 100,
  maxSessionRejectedStreams: 100,
  maxSettings: 32,
  streamResetBurst: 10_000,
  streamResetRate: 330,
} as const;

/** nghttp2 error numbers node reports for fatal session errors (nghttp2.h). */
const NGHTTP2_ERR_PROTO = -505;
const NGHTTP2_ERR_FRAME_SIZE_ERROR = -522;
const NGHTTP2_ERR_HEADER_COMP = -523;
const NGHTTP2_ERR_FLOW_CONTROL = -524;
const NGHTTP2_ERR_TOO_MANY_SETTINGS = -537;
const NGHTTP2_ERR_CALLBACK_FAILURE = -902;
const NGHTTP2_ERR_FLOODED = -904;
const NGHTTP2_ERR_TOO_MANY_CONTINUATIONS = -905;

/**
 * goawayCodeFor chooses the GOAWAY code for a fatal session error node reports (an NghttpError
 * with `errno`); undefined keeps node's choice.
 */
export function goawayCodeFor(err: unknown): number | undefined {
  const errno = (err as { errno?: unknown } | null)?.errno;
  switch (errno) {
    case NGHTTP2_ERR_FLOODED:
    case NGHTTP2_ERR_TOO_MANY_CONTINUATIONS:
    case NGHTTP2_ERR_TOO_MANY_SETTINGS:
    // node's own limits (invalid frames, rejected streams) fail nghttp2's callback.
    case NGHTTP2_ERR_CALLBACK_FAILURE:
      return constants.NGHTTP2_ENHANCE_YOUR_CALM;
    case NGHTTP2_ERR_PROTO:
      return constants.NGHTTP2_PROTOCOL_ERROR;
    case NGHTTP2_ERR_FRAME_SIZE_ERROR:
      return constants.NGHTTP2_FRAME_SIZE_ERROR;
    case NGHTTP2_ERR_HEADER_COMP:
      return constants.NGHTTP2_COMPRESSION_ERROR;
    case NGHTTP2_ERR_FLOW_CONTROL:
      return constants.NGHTTP2_FLOW_CONTROL_ERROR;
    default:
      return undefined;
  }
}

/** TokenBucket allows `burst` events at once and `perSecond` after that (also the HTTP/3 connection guard's). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly limit: TokenBucketLimit;

  constructor(limit: TokenBucketLimit, now: number) {
    this.limit = limit;
    this.tokens = limit.burst;
    this.last = now;
  }

  /** take spends `n` tokens; false when the budget is exhausted. */
  take(n: number, now: number): boolean {
    const refill = ((now - this.last) / 1000) * this.limit.perSecond;
    this.last = now;
    this.tokens = Math.min(this.limit.burst, this.tokens + refill) - n;
    return this.tokens >= 0;
  }
}

const kGuard = Symbol('gatehouse.http2Guard');

type GuardedSession = Http2Session & { [kGuard]?: Http2SessionGuard };


/** Http2SessionGuard keeps one session's budgets. */
export class Http2SessionGuard implements ConnectionGuard {
  readonly session: Http2Session;
  private readonly transport: Socket | undefined;
  private readonly settings: TokenBucket;
  private readonly pings: TokenBucket;
  private readonly cancelled: TokenBucket;
  private readonly refused: TokenBucket;
  /** Streams that reached the pipeline. */
  private streamsSeen = 0;
  /** Streams node refused before the pipeline, as of the last sweep. */
  private refusedSeen = 0;
  private calmed = false;

  constructor(session: Http2Session, transport: Socket | undefined) {
    const now = performance.now();
    this.session = session;
    this.transport = transport;
    this.settings = new TokenBucket(HTTP2_FLOOD_LIMITS.settings, now);
    this.pings = new TokenBucket(HTTP2_FLOOD_LIMITS.pings, now);
    this.cancelled = new TokenBucket(HTTP2_FLOOD_LIMITS.cancelledStreams, now);
    this.refused = new TokenBucket(HTTP2_FLOOD_LIMITS.refusedStreams, now);
  }

  /** streamCancelled counts a stream that closed before its response was complete. */
  streamCancelled(): void {
    if (!this.cancelled.take(1, performance.now())) this.calm();
  }

  /** sweep counts the streams node refused since the last sweep (stream ids the pipeline never saw). */
  sweep(now: number): void {
    if (this.calmed || this.session.destroyed) return;
    let last: number;
    try {
      last = this.session.state.lastProcStreamID ?? 0;
    } catch {
      return;
    }
    // Client stream ids are odd and increase: id n is the ((n + 1) / 2)-th stream.
    const refused = Math.max(0, (last + 1) / 2 - this.streamsSeen);
    const fresh = refused - this.refusedSeen;
    this.refusedSeen = refused;
    if (fresh > 0 && !this.refused.take(fresh, now)) this.calm();
  }

  /**
   * calm sends GOAWAY ENHANCE_YOUR_CALM and closes the session; the socket is destroyed after
   * GOAWAY_GRACE_MS if the client has not closed it. Idempotent.
   */
  calm(): void {
    if (this.calmed) return;
    this.calmed = true;
    closeSession(this.session, this.transport, constants.NGHTTP2_ENHANCE_YOUR_CALM);
  }

  /** onStream counts a stream that reached the pipeline (a 'stream' listener; `this` is the session). */
  static onStream(this: GuardedSession): void {
    const guard = this[kGuard];
    if (guard !== undefined) guard.streamsSeen++;
  }

  /** onSettings spends the SETTINGS budget (a 'remoteSettings' listener). */
  static onSettings(this: GuardedSession): void {
    const guard = this[kGuard];
    if (guard !== undefined && !guard.settings.take(1, performance.now())) guard.calm();
  }

  /** onPing spends the PING budget (a 'ping' listener). */
  static onPing(this: GuardedSession): void {
    const guard = this[kGuard];
    if (guard !== undefined && !guard.pings.take(1, performance.now())) guard.calm();
  }
}

/**
 * closeSession ends a session with GOAWAY `code` and destroys its socket GOAWAY_GRACE_MS later
 * if it is still open (the GOAWAY waits behind whatever the client did not read). Safe on a
 * session that is already closed.
 */
export function closeSession(session: Http2Session, transport: Socket | undefined, code: number): void {
  try {
    // destroy(code): node sends GOAWAY with that code (destroy(undefined, code) would send NO_ERROR).
    if (!session.destroyed) session.destroy(code as unknown as Error);
  } catch {
    // Already torn down.
  }
  if (transport === undefined || transport.destroyed) return;
  const timer = setTimeout(destroyTransport, GOAWAY_GRACE_MS, transport);
  timer.unref();
  transport.once('close', () => clearTimeout(timer));
}

function destroyTransport(transport: Socket): void {
  try {
    transport.destroy();
  } catch {
    // Nothing left to destroy.
  }
}

/**
 * destroyWithCode is installed as a session's destroy(): node calls it with the NghttpError of
 * a fatal session error and would send GOAWAY INTERNAL_ERROR; goawayCodeFor names the real cause.
 */
function destroyWithCode(this: Http2Session, err?: Error | number, code?: number): void {
  const proto = Object.getPrototypeOf(this) as Http2Session;
  if (code === undefined && typeof err === 'object' && err !== null) code = goawayCodeFor(err);
  proto.destroy.call(this, err as Error, code as number);
}

/**
 * Http2SessionGuards holds the guards of one server's sessions and sweeps them every REFUSED_SWEEP_MS
 * while any is open (one timer per server, none per request).
 */
export class Http2SessionGuards {
  private readonly guards = new Set<Http2SessionGuard>();
  private timer: NodeJS.Timeout | undefined = undefined;

  /** attach guards a new session whose connection facts are `facts`. */
  attach(session: Http2Session, facts: ConnectionFacts): Http2SessionGuard {
    const guard = new Http2SessionGuard(session, facts.transport);
    const guarded = session as GuardedSession;
    guarded[kGuard] = guard;
    facts.guard = guard;
    (session as unknown as { destroy: typeof destroyWithCode }).destroy = destroyWithCode;
    session.on('stream', Http2SessionGuard.onStream);
    session.on('remoteSettings', Http2SessionGuard.onSettings);
    session.on('ping', Http2SessionGuard.onPing);
    this.guards.add(guard);
    session.once('close', () => {
      this.guards.delete(guard);
      if (this.guards.size === 0) this.stop();
    });
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), REFUSED_SWEEP_MS);
      this.timer.unref();
    }
    return guard;
  }

  /** stop ends the sweep (it starts again with the next session). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    for (const guard of this.guards) guard.sweep(now);
  }
}
